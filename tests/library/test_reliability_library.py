"""The reliability step library's pure parts: counting runs for exactly once (contract §6), reading
the API server's request counts, the kill plan and lease timings, reading an implementation's
log from a mark."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from harness.clusters import toolchain
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.judges.stricter import exactly_once, survival
from harness.library import api_requests, faults
from harness.library.recorder import Gap, Observation, Recorder


def _meta(name, uid, owner=None):
    meta = {"name": name, "uid": uid}
    if owner:
        meta["ownerReferences"] = [{"uid": owner, "controller": True}]
    return meta


def _version(app, uid, promotion=("promote",), post=("check",)):
    return {"metadata": _meta(f"{app}-1.0.0-6b86b273", uid),
            "spec": {"appName": app, "promotionTasks": list(promotion), "postDeploymentTasks": list(post)}}


def _task(name, uid, owner, check_type, definition):
    return {"metadata": _meta(name, uid, owner), "spec": {"checkType": check_type, "taskDefinition": definition}}


SHOP = {"shop": {"promotionTasks": ["promote"], "postDeploymentTasks": ["check"]}}


def _runs(tasks, jobs, pods, versions=None):
    return exactly_once.count_runs(versions or [_version("shop", "v1")], tasks, jobs, pods)


GOOD_TASKS = [_task("promotion-promote-1", "t1", "v1", "promotion", "promote"), _task("post-check-1", "t2", "v1", "post", "check")]
GOOD_JOBS = [{"metadata": _meta("promotion-promote-1-9", "j1", "t1")}, {"metadata": _meta("post-check-1-9", "j2", "t2")}]
GOOD_PODS = [{"metadata": _meta("p1", "p1", "j1")}, {"metadata": _meta("p2", "p2", "j2")}]


def test_one_task_per_listed_definition_and_one_job_per_task_is_exactly_once():
    runs = _runs(GOOD_TASKS, GOOD_JOBS, GOOD_PODS)
    assert exactly_once.problems(runs, SHOP) == []
    assert exactly_once.cluster_observations(runs) == []
    assert (runs.task_count, runs.job_count, runs.pod_count) == (2, 2, 2)


def test_a_second_task_for_a_definition_is_a_duplicate_run():
    tasks = [*GOOD_TASKS, _task("promotion-promote-2", "t3", "v1", "promotion", "promote")]
    jobs = [*GOOD_JOBS, {"metadata": _meta("promotion-promote-2-9", "j3", "t3")}]
    pods = [*GOOD_PODS, {"metadata": _meta("p3", "p3", "j3")}]
    assert exactly_once.problems(_runs(tasks, jobs, pods), SHOP) == [
        "shop-1.0.0-6b86b273: 2 promotion KeptnTasks of promote, expected 1: ['promotion-promote-1', 'promotion-promote-2']"]


def test_a_second_job_of_a_task_counts_even_when_ttl_removed_the_first():
    # the record holds the first Job although it is long deleted: a re-run after a restart shows
    jobs = [*GOOD_JOBS, {"metadata": _meta("promotion-promote-1-8", "j3", "t1")}]
    pods = [*GOOD_PODS, {"metadata": _meta("p3", "p3", "j3")}]
    with pytest.raises(AssertionError, match="KeptnTask promotion-promote-1 had 2 Jobs"):
        exactly_once.each_task_must_have_run_once(_Record(GOOD_TASKS, jobs, pods), SHOP)


def test_a_second_pod_of_a_job_is_the_clusters_doing_an_observation_not_a_failure():
    # The Job controller re-created a pod whose create answer an API server restart lost (seen in CI).
    pods = [*GOOD_PODS, {"metadata": _meta("p1-again", "p9", "j1")}]
    runs = exactly_once.each_task_must_have_run_once(_Record(GOOD_TASKS, GOOD_JOBS, pods), SHOP)
    assert exactly_once.cluster_observations(runs) == [
        "Job promotion-promote-1-9 had 2 pods (p1, p1-again): the Job controller's doing, not charged to the implementation"]


def test_missing_tasks_unlisted_tasks_and_second_versions_are_all_named():
    tasks = [GOOD_TASKS[0], _task("pre-extra-1", "t9", "v1", "pre", "extra")]
    jobs = [GOOD_JOBS[0], {"metadata": _meta("pre-extra-1-9", "j9", "t9")}]
    pods = [*GOOD_PODS, {"metadata": _meta("p4", "p4", "j1")}, {"metadata": _meta("p9", "p9", "j9")}]
    versions = [_version("shop", "v1"), _version("shop", "v2") | {"metadata": _meta("shop-1.0.0-d4735e3a", "v2")}]
    found = exactly_once.problems(_runs(tasks, jobs, pods, versions), SHOP)
    assert found[0] == "KeptnApp shop: 2 KeptnAppVersions (shop-1.0.0-6b86b273, shop-1.0.0-d4735e3a), expected 1"
    assert "shop-1.0.0-6b86b273: 0 post KeptnTasks of check, expected 1: []" in found
    assert "shop-1.0.0-6b86b273: 1 pre KeptnTask(s) of extra, which it does not list: ['pre-extra-1']" in found
    assert not [line for line in found if "pods" in line]


def _Record(tasks, jobs, pods, gaps=()) -> Recorder:
    """A Recorder that saw these objects (one version: shop), with these gaps."""
    record = Recorder(kube=None, namespace="t-1")
    for kind, objects in (("KeptnAppVersion", [_version("shop", "v1")]), ("KeptnTask", tasks), ("Job", jobs), ("Pod", pods)):
        record.observations += [Observation(kind, "ADDED", obj, 1.0) for obj in objects]
    record.gaps += list(gaps)
    return record


def test_exactly_once_cannot_be_shown_across_a_gap_in_the_record():
    gap = Gap("Job", 10.0, 13.5, "the watch could not resume: 410 Gone")
    with pytest.raises(AssertionError, match=r"has gaps.*Job: 3.5s without a watch"):
        exactly_once.each_task_must_have_run_once(_Record(GOOD_TASKS, GOOD_JOBS, GOOD_PODS, [gap]), SHOP)
    # a gap in the record of pods only does not hide a task or a Job
    exactly_once.each_task_must_have_run_once(_Record(GOOD_TASKS, GOOD_JOBS, GOOD_PODS, [Gap("Pod", 10.0, 13.5, "x")]), SHOP)


METRICS = """# HELP apiserver_request_total Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",dry_run="",group="batch",resource="jobs",scope="resource",subresource="",verb="POST",version="v1"} 4
apiserver_request_total{code="422",component="apiserver",dry_run="",group="batch",resource="jobs",scope="resource",subresource="",verb="POST",version="v1"} 2
apiserver_request_total{code="200",component="apiserver",dry_run="",group="batch",resource="jobs",scope="resource",subresource="status",verb="PUT",version="v1"} 9
apiserver_request_total{code="200",component="apiserver",dry_run="",group="lifecycle.keptn.sh",resource="keptntasks",scope="resource",subresource="status",verb="PATCH",version="v1"} 7
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="status",verb="PATCH",version="v1"} 30
apiserver_request_total{code="200",component="apiserver",dry_run="",group="lifecycle.keptn.sh",resource="keptntasks",scope="namespace",subresource="",verb="LIST",version="v1"} 5
apiserver_request_duration_seconds_count{verb="POST"} 99
"""


def test_request_counts_are_read_from_the_api_servers_metrics_page():
    counts = api_requests.parse(METRICS)
    assert counts[api_requests.Request("POST", "batch", "jobs", "", "422")] == 2
    assert sum(counts.values()) == 4 + 2 + 9 + 7 + 30 + 5


def test_writes_of_the_implementation_leave_out_reads_pods_and_the_job_controllers_job_status():
    before = api_requests.parse(METRICS)
    after = before + Counter({api_requests.Request("POST", "batch", "jobs", "", "422"): 3,
                              api_requests.Request("PATCH", "lifecycle.keptn.sh", "keptntasks", "status", "200"): 2,
                              api_requests.Request("PUT", "batch", "jobs", "status", "200"): 5,
                              api_requests.Request("PATCH", "", "pods", "status", "200"): 8,
                              api_requests.Request("LIST", "lifecycle.keptn.sh", "keptntasks", "", "200"): 4})
    writes = api_requests.implementation_writes(before, after)
    assert writes == Counter({api_requests.Request("POST", "batch", "jobs", "", "422"): 3,
                              api_requests.Request("PATCH", "lifecycle.keptn.sh", "keptntasks", "status", "200"): 2})
    assert api_requests.refused_writes(before, after) == Counter({api_requests.Request("POST", "batch", "jobs", "", "422"): 3})
    assert str(api_requests.Request("POST", "batch", "jobs", "", "422")) == "POST batch/jobs → 422"


def test_the_kill_plan_is_short_for_make_test_and_long_for_make_soak():
    assert faults.KillPlan.of(soak=False) == faults.KillPlan(versions=6, kills=5)
    assert faults.KillPlan.of(soak=True) == faults.KillPlan(versions=30, kills=20)


def test_kills_that_worked_pass_the_kill_judge():
    kills = [faults.Kill(1.0, {"101": 0}, {"102": 0}, 3), faults.Kill(5.0, {"102": 0}, {"103": 0}, 0)]
    survival.kills_must_have_worked(faults.KillLog(kills), faults.KillPlan(versions=3, kills=2))


@pytest.mark.parametrize(("kills", "message"), [
    ([faults.Kill(1.0, {"101": 0}, {"102": 0}, 3)], "planned 2 kills, made 1"),
    ([faults.Kill(1.0, {"101": 0}, {"101": 0}, 3), faults.Kill(2.0, {"101": 0}, {"102": 0}, 1)],
     r"kill 1: \['101'\] still ran after the kill: the kill did not kill it"),
    ([faults.Kill(1.0, {}, {"102": 0}, 3), faults.Kill(2.0, {"102": 0}, {"103": 0}, 1)],
     "kill 1: nothing of the implementation ran when it was to be killed"),
    ([faults.Kill(1.0, {"101": 0}, {"102": 0}, 3), faults.Kill(2.0, {"102": 0}, {}, 1)],
     "kill 2: nothing of the implementation ran after it was started again"),
])
def test_a_kill_that_did_not_happen_or_did_not_kill_fails_the_kill_judge(kills, message):
    with pytest.raises(AssertionError, match=message):
        survival.kills_must_have_worked(faults.KillLog(kills), faults.KillPlan(versions=3, kills=2))


@pytest.fixture
def implementation(tmp_path, monkeypatch) -> Implementation:
    """The reference's adapter, without looking for kubectl (it is never run here)."""
    monkeypatch.setattr(toolchain, "ensure", lambda binaries, progress=None: {b: Path("/bin/true") for b in binaries})
    return Implementation(adapters.load(adapters.DEFAULT), tmp_path / "kubeconfig", tmp_path, tmp_path / "state.json")


def test_a_log_mark_reads_only_what_was_written_after_it(implementation):
    implementation.log_file.write_text("Exception in thread worker-0: old news\n")
    mark = faults.LogMark.of(implementation)
    with open(implementation.log_file, "a") as log:
        log.write("reconciled KeptnTask demo/t\n")
    assert mark.since() == "reconciled KeptnTask demo/t\n"


def test_a_replica_has_its_own_state_and_log(implementation, tmp_path):
    replica = implementation.replica("replica-2")
    assert replica.state_file == tmp_path / "state-replica-2.json"
    assert replica.log_file == tmp_path / "replica-2" / "reference.log"


def test_a_version_that_does_not_list_what_its_app_context_lists_is_named():
    # e.g. the context was read from a cache that did not have it yet: promotion silently skipped
    runs = _runs([GOOD_TASKS[1]], [GOOD_JOBS[1]], [GOOD_PODS[1]], [_version("shop", "v1", promotion=())])
    assert exactly_once.problems(runs, SHOP) == [
        "shop-1.0.0-6b86b273 lists {'post': ['check']}, its KeptnAppContext {'promotion': ['promote'], 'post': ['check']}",
        "shop-1.0.0-6b86b273: 0 promotion KeptnTasks of promote, expected 1: []"]


def test_an_implementation_with_nothing_running_fails_must_run(implementation, monkeypatch):
    monkeypatch.setattr(Implementation, "instances", lambda self, kube: {"4242": 0})
    assert survival.implementation_must_run(implementation, None, "after the last kill") == {"4242": 0}
    monkeypatch.setattr(Implementation, "instances", lambda self, kube: {})
    implementation.log_file.write_text("shutting down\n")
    with pytest.raises(AssertionError, match="does not run after the last kill (?s:.*)shutting down"):
        survival.implementation_must_run(implementation, None, "after the last kill")


@pytest.mark.parametrize("now, logged, message", [
    ({"pod-a": 1}, "", "crashed or was restarted: before {'pod-a': 0}, now {'pod-a': 1}"),  # a container restart
    ({"pod-b": 0}, "", "crashed or was restarted"),  # another pod took its place
    ({}, "", "crashed or was restarted"),  # gone
    ({"pod-a": 0}, "Exception in thread worker-1:\nTraceback", "logged a crash \\('Exception in thread'\\)"),
    ({"pod-a": 0}, "panic: runtime error: invalid memory address", "logged a crash \\('panic: '\\)"),
])
def test_a_restart_a_new_instance_or_a_crash_in_the_log_fails_must_not_have_crashed(implementation, monkeypatch,
                                                                                   now, logged, message):
    implementation.log_file.write_text("Exception in thread old: before the mark\n")
    mark = faults.LogMark.of(implementation)
    with open(implementation.log_file, "a") as log:
        log.write(f"reconciled\n{logged}\n")
    monkeypatch.setattr(Implementation, "instances", lambda self, kube: now)
    with pytest.raises(AssertionError, match=message):
        survival.must_not_have_crashed(implementation, None, {"pod-a": 0}, mark)


def test_the_same_instances_and_a_clean_log_since_the_mark_pass_must_not_have_crashed(implementation, monkeypatch):
    implementation.log_file.write_text("Exception in thread old: before the mark\n")
    mark = faults.LogMark.of(implementation)
    monkeypatch.setattr(Implementation, "instances", lambda self, kube: {"pod-a": 0})
    survival.must_not_have_crashed(implementation, None, {"pod-a": 0}, mark)


# -- what a judge says when a version did not complete (issue 22: bare 120 s timeouts against Keptn) --

def _at(obj: dict, created: str) -> dict:
    return obj | {"metadata": obj["metadata"] | {"creationTimestamp": created}}


def test_a_duplicate_job_is_named_with_its_creation_time_its_owner_and_when_it_was_deleted():
    """Keptn re-creates a Job that ttlSecondsAfterFinished: 0 removed: the verdict shows both Jobs."""
    first = _at({"metadata": _meta("promotion-promote-1-9", "j1", "t1")}, "2026-12-07T10:00:01Z")
    again = _at({"metadata": _meta("promotion-promote-1-8", "j3", "t1")}, "2026-12-07T10:00:07Z")
    record = _Record(GOOD_TASKS, [first, GOOD_JOBS[1], again], GOOD_PODS)
    record.observations.append(Observation("Job", "DELETED", first, 1_796_637_606.0))  # 2026-12-07T10:00:06Z
    with pytest.raises(AssertionError) as error:
        exactly_once.each_task_must_have_run_once(record, SHOP)
    assert ("shop-1.0.0-6b86b273: KeptnTask promotion-promote-1 had 2 Jobs, expected 1: "
            "promotion-promote-1-9 (created 2026-12-07T10:00:01Z by KeptnTask promotion-promote-1, deleted 10:00:06Z), "
            "promotion-promote-1-8 (created 2026-12-07T10:00:07Z by KeptnTask promotion-promote-1)") in str(error.value)


def _status_version(status: dict) -> dict:
    return _version("shop", "v1") | {"status": status}


def test_a_version_that_did_not_complete_is_explained_by_the_tasks_never_created_and_its_status():
    """After an API server restart Keptn created no promotion KeptnTask: say so, with what the
    version's status said, instead of a bare timeout."""
    record = _Record([GOOD_TASKS[1]], [GOOD_JOBS[1]], [GOOD_PODS[1]])
    record.observations.append(Observation("KeptnAppVersion", "MODIFIED", _status_version({
        "status": "Progressing", "currentPhase": "PromotionTasks", "promotionStatus": "Progressing",
        "promotionTaskStatus": [{"definitionName": "promote", "status": "Pending"}]}), 2.0))
    timeout = AssertionError("timed out after 120s waiting for shop to complete; last seen: Progressing")
    explained = exactly_once.explained(timeout, record, "shop", SHOP["shop"])
    assert str(explained).splitlines() == [
        "shop-1.0.0-6b86b273 did not complete: status Progressing, currentPhase PromotionTasks, promotionStatus "
        "Progressing, promotionTaskStatus [promote: Pending]; no promotion KeptnTask of promote was ever created",
        "timed out after 120s waiting for shop to complete; last seen: Progressing"]


def test_a_version_whose_task_ran_twice_is_explained_by_the_duplicate_job():
    first = _at({"metadata": _meta("promotion-promote-1-9", "j1", "t1")}, "2026-12-07T10:00:01Z")
    again = _at({"metadata": _meta("promotion-promote-1-8", "j3", "t1")}, "2026-12-07T10:00:07Z")
    record = _Record(GOOD_TASKS, [first, GOOD_JOBS[1], again], GOOD_PODS)
    explained = exactly_once.explained(AssertionError("timed out"), record, "shop", SHOP["shop"])
    assert str(explained).splitlines()[0] == (
        "shop-1.0.0-6b86b273 did not complete: status none; KeptnTask promotion-promote-1 had 2 Jobs, expected 1: "
        "promotion-promote-1-9 (created 2026-12-07T10:00:01Z by KeptnTask promotion-promote-1), "
        "promotion-promote-1-8 (created 2026-12-07T10:00:07Z by KeptnTask promotion-promote-1)")


def test_an_app_without_any_version_is_said_so():
    record = _Record([], [], [])
    explained = exactly_once.explained(AssertionError("timed out"), record, "cart", SHOP["shop"])
    assert str(explained).splitlines()[0] == "KeptnApp cart did not complete: no KeptnAppVersion of it was ever created"


def test_every_app_is_explained_when_no_promotion_ever_started():
    """After the API server restart scenario's wait for a promotion Job timed out against Keptn ("0
    such KeptnTasks"): say where each version stands instead."""
    first = _at({"metadata": _meta("post-check-1-9", "j2", "t2")}, "2026-12-07T10:00:01Z")
    again = _at({"metadata": _meta("post-check-1-8", "j3", "t2")}, "2026-12-07T10:00:04Z")
    record = _Record(GOOD_TASKS[1:], [first, again], [])
    explained = exactly_once.explained_all(AssertionError("timed out waiting for a promotion Job to run"), record,
                                           {"shop": SHOP["shop"], "cart": SHOP["shop"]})
    assert str(explained).splitlines() == [
        "shop-1.0.0-6b86b273 did not complete: status none; no promotion KeptnTask of promote was ever created; "
        "KeptnTask post-check-1 had 2 Jobs, expected 1: post-check-1-9 (created 2026-12-07T10:00:01Z by KeptnTask "
        "post-check-1), post-check-1-8 (created 2026-12-07T10:00:04Z by KeptnTask post-check-1)",
        "KeptnApp cart did not complete: no KeptnAppVersion of it was ever created",
        "timed out waiting for a promotion Job to run"]
