"""Judges of contract §2-§4 that read the whole rule (every state of the tables in
harness/contract/phases.py, the event's type, the watch's history): each fails on the input it
exists to refuse."""
from __future__ import annotations

import pytest

from fakes.cluster_reads import FakeKube
from harness import timeouts
from harness.contract.phases import APP_PHASES
from harness.eventually import WaitTimedOut
from harness.judges import app_versions, failures, lifecycle
from harness.library.recorder import Gap, Observation, Recorder
from harness.timeouts import timeouts_of


@pytest.fixture(autouse=True)
def _short_waits():
    timeouts.configure(timeouts_of({"objectState": 0.4, "lifecycle": 0.6, "absence": 0.2, "pollInterval": 0.05}))
    yield
    timeouts.configure(timeouts_of({}))


ALL_DEPRECATED = {field: "Deprecated" for field in lifecycle.STATE_FIELDS}


def _version(status: dict, revision: int = 1, uid: str = "v1") -> dict:
    return {"kind": "KeptnAppVersion",
            "metadata": {"name": f"checkout-1.0.0-{revision}", "uid": uid, "creationTimestamp": f"2026-12-03T08:00:0{revision}Z"},
            "spec": {"appName": "checkout", "revision": revision}, "status": status}


def _task(name: str, owner: str, check_type: str = "promotion", definition: str | None = None, uid: str | None = None) -> dict:
    return {"kind": "KeptnTask", "metadata": {"name": name, "uid": uid or f"uid-{name}", "ownerReferences": [{"uid": owner, "name": "checkout-1.0.0-1"}]},
            "spec": {"checkType": check_type, "taskDefinition": definition or name}}


def _record(*events) -> Recorder:
    recorder = Recorder(kube=None, namespace="t-1")
    recorder.observations += [Observation(obj["kind"], kind, obj, at) for at, kind, obj in events]
    return recorder


# -- C2.5 / C2.6 -----------------------------------------------------------------------------------


def test_every_state_of_the_table_must_be_deprecated_not_only_status():
    assert lifecycle.STATE_FIELDS == ("status", *(p.status_field for p in APP_PHASES))
    done = _version(ALL_DEPRECATED)
    assert lifecycle.app_version_must_be_deprecated(FakeKube({"KeptnAppVersion": [done]}), _record((1.0, "MODIFIED", done)),
                                                    "t-1", "checkout", 1) is done
    status_only = _version({**{f: "Succeeded" for f in lifecycle.STATE_FIELDS}, "status": "Deprecated"})
    with pytest.raises(AssertionError, match="not Deprecated: .*'preDeploymentStatus': 'Succeeded'.*'promotionStatus': 'Succeeded'.*although its status is Deprecated"):
        lifecycle.app_version_must_be_deprecated(FakeKube({"KeptnAppVersion": [status_only]}), _record(), "t-1", "checkout", 1)
    one_left = _version({**ALL_DEPRECATED, "workloadOverallStatus": "Pending"})
    with pytest.raises(AssertionError, match="not Deprecated: \\{'workloadOverallStatus': 'Pending'\\}, although") as failed:
        lifecycle.app_version_must_be_deprecated(FakeKube({"KeptnAppVersion": [one_left]}), _record(), "t-1", "checkout", 1)
    assert not isinstance(failed.value, WaitTimedOut)  # a deprecated version's states do not change by waiting
    running = _version({**ALL_DEPRECATED, "status": "Progressing"})  # not deprecated yet: waited for
    with pytest.raises(WaitTimedOut, match="not Deprecated: \\{'status': 'Progressing'\\}"):
        lifecycle.app_version_must_be_deprecated(FakeKube({"KeptnAppVersion": [running]}), _record(), "t-1", "checkout", 1)


def test_a_version_deprecated_and_then_written_otherwise_fails_even_when_deprecated_again():
    done = _version(ALL_DEPRECATED)
    again = _version({**ALL_DEPRECATED, "status": "Progressing", "preDeploymentStatus": "Succeeded"})
    recorder = _record((1.0, "MODIFIED", done), (3.5, "MODIFIED", again), (3.6, "MODIFIED", done))
    with pytest.raises(AssertionError, match="was Deprecated in every state, and 2.500s later the watch saw "
                                             "\\{'status': 'Progressing', 'preDeploymentStatus': 'Succeeded'\\}"):
        lifecycle.app_version_must_be_deprecated(FakeKube({"KeptnAppVersion": [done]}), recorder, "t-1", "checkout", 1)


def test_a_deprecated_version_must_start_no_task_after_its_deprecation():
    version = _version({**ALL_DEPRECATED, "preDeploymentStatus": "Progressing", "status": "Progressing"})
    deprecated = _version(ALL_DEPRECATED)
    before = [(1.0, "ADDED", version), (2.0, "ADDED", _task("pre-slow-1", "v1", "pre")), (5.0, "MODIFIED", deprecated),
              (6.0, "ADDED", _task("promote-b", "v2"))]  # another version's task
    lifecycle.deprecated_version_must_start_nothing(_record(*before), deprecated)
    with pytest.raises(AssertionError, match="was Deprecated and still started KeptnTask promote-a \\(checkType promotion\\) 15.000s later"):
        lifecycle.deprecated_version_must_start_nothing(_record(*before, (20.0, "ADDED", _task("promote-a", "v1"))), deprecated)
    with pytest.raises(AssertionError, match="never saw KeptnAppVersion checkout-1.0.0-1 with status Deprecated"):
        lifecycle.deprecated_version_must_start_nothing(_record(*before[:2]), deprecated)


# -- C4.1-C4.6 -------------------------------------------------------------------------------------


def test_the_expected_failure_is_the_row_of_the_table():
    assert failures.expected_failure("AppPreDeployTasks") == {
        "status": "Failed", "currentPhase": "AppPreDeployTasks", "preDeploymentStatus": "Failed",
        "preDeploymentEvaluationStatus": "Deprecated", "workloadOverallStatus": "Deprecated", "postDeploymentStatus": "Deprecated",
        "postDeploymentEvaluationStatus": "Deprecated", "promotionStatus": "Deprecated"}
    assert failures.expected_failure("PromotionTasks") == {
        "status": "Failed", "currentPhase": "PromotionTasks", "preDeploymentStatus": "Succeeded",
        "preDeploymentEvaluationStatus": "Succeeded", "workloadOverallStatus": "Succeeded", "postDeploymentStatus": "Succeeded",
        "postDeploymentEvaluationStatus": "Succeeded", "promotionStatus": "Failed"}
    with pytest.raises(AssertionError, match="'AppPromotion' is not a phase of contract §3"):
        failures.expected_failure("AppPromotion")


@pytest.mark.parametrize("failed", [p.name for p in APP_PHASES])
def test_a_failed_version_with_one_field_of_its_row_left_fails(failed):
    timeouts.configure(timeouts_of({"objectState": 0.4, "lifecycle": 0.6, "absence": 0.01, "pollInterval": 0.01}))
    expected = failures.expected_failure(failed)
    good = _version({**expected, "endTime": "2026-12-03T08:01:00Z"})
    assert failures.app_version_must_fail_in(FakeKube({"KeptnAppVersion": [good]}), "t-1", "checkout", failed) is good
    for field in expected:
        wrong = _version({**expected, field: "Pending", "endTime": "2026-12-03T08:01:00Z"})
        with pytest.raises(AssertionError, match=f"'{field}': 'Pending'"):
            failures.app_version_must_fail_in(FakeKube({"KeptnAppVersion": [wrong]}), "t-1", "checkout", failed)


def test_a_failed_version_without_end_time_fails():
    expected = failures.expected_failure("PromotionTasks")
    with pytest.raises(AssertionError, match="status Failed without an endTime.*it has completed"):
        failures.app_version_must_fail_in(_Versions(_version(expected)), "t-1", "checkout", "PromotionTasks")


class _Versions(FakeKube):
    def __init__(self, version):
        super().__init__({"KeptnAppVersion": [version]})


# -- C3.12 / C3.13 ---------------------------------------------------------------------------------


def _event(reason: str, event_type: str, kind: str = "KeptnAppVersion", name: str = "checkout-1.0.0-1") -> dict:
    return {"reason": reason, "type": event_type, "message": "", "involvedObject": {"kind": kind, "name": name}}


def test_phase_events_must_have_the_contracts_type_and_be_about_the_version():
    version = _version({})
    good = [_event("PromotionTasksStarted", "Normal"), _event("PromotionTasksFailed", "Warning")]
    lifecycle.phase_events_must_be_recorded(FakeKube({"Event": good}), "t-1", version, "PromotionTasks", ["Started", "Failed"])
    with pytest.raises(AssertionError, match="'PromotionTasksFailed' on KeptnAppVersion t-1/checkout-1.0.0-1 is of type \\['Normal'\\], expected 'Warning'"):
        lifecycle.phase_events_must_be_recorded(FakeKube({"Event": [good[0], _event("PromotionTasksFailed", "Normal")]}), "t-1",
                                                version, "PromotionTasks", ["Started", "Failed"])
    with pytest.raises(WaitTimedOut, match="an event 'PromotionTasksStarted' of type Normal"):
        lifecycle.phase_events_must_be_recorded(FakeKube({"Event": good[1:]}), "t-1", version, "PromotionTasks", ["Started", "Failed"])
    with pytest.raises(WaitTimedOut, match="an event 'PromotionTasksStarted'"):  # about the app, not the version
        lifecycle.phase_events_must_be_recorded(FakeKube({"Event": [_event("PromotionTasksStarted", "Normal", kind="KeptnApp")]}),
                                                "t-1", version, "PromotionTasks", ["Started"])


# -- C3.1 / C3.3 -----------------------------------------------------------------------------------


PENDING = {p.status_field: "Pending" for p in APP_PHASES}


def _history(*statuses: dict) -> Recorder:
    return _record(*((float(n), "MODIFIED", _version(status)) for n, status in enumerate(statuses)))


GOOD_HISTORY = [
    {},
    {**PENDING, "status": "Pending", "currentPhase": "AppPreDeployTasks"},  # Keptn writes the phase before Progressing
    {**PENDING, "status": "Progressing", "currentPhase": "AppPreDeployTasks", "preDeploymentStatus": "Progressing"},
    {**PENDING, "status": "Progressing", "currentPhase": "AppPostDeployTasks", "preDeploymentStatus": "Succeeded",
     "preDeploymentEvaluationStatus": "Succeeded", "workloadOverallStatus": "Succeeded"},
    {**{f: "Succeeded" for f in PENDING}, "status": "Succeeded", "currentPhase": "Completed"},
]


def test_a_history_that_moves_forward_passes():
    assert lifecycle.history_must_move_forward(_history(*GOOD_HISTORY), "v1") == 5


@pytest.mark.parametrize("after, bad, failure", [
    (2, {**GOOD_HISTORY[2], "currentPhase": "AppPostDeployment"}, "currentPhase 'AppPostDeployment', which is no phase of contract §3"),
    (2, {**GOOD_HISTORY[2], "promotionStatus": "Progressing"}, "already has a state for phases it has not reached: \\{'promotionStatus': 'Progressing'\\}"),
    (3, {**GOOD_HISTORY[3], "currentPhase": "AppPreDeployTasks"}, "currentPhase went back to AppPreDeployTasks after AppPostDeployTasks"),
    (3, {**GOOD_HISTORY[3], "status": "Pending"}, "status went back from Progressing to 'Pending'"),
    (3, {**GOOD_HISTORY[3], "status": "Unknown"}, "has status 'Unknown' at currentPhase 'AppPostDeployTasks', before it ended"),
])
def test_a_history_that_breaks_the_table_fails(after, bad, failure):
    """`bad` is seen right after the good history's observation `after`, which then goes on."""
    with pytest.raises(AssertionError, match=failure):
        lifecycle.history_must_move_forward(_history(*GOOD_HISTORY[:after + 1], bad, *GOOD_HISTORY[after + 1:]), "v1")


# -- C3.4 ------------------------------------------------------------------------------------------


def test_items_must_name_the_task_of_their_definition_and_version_and_have_their_times():
    version = _version({})
    tasks = [{**_task("promotion-promote-a-1", "v1", definition="promote-a"), "status": {"status": "Succeeded"}},
             _task("promotion-promote-b-1", "v1", definition="promote-b"), _task("other", "v2", definition="promote-a")]
    item = {"definitionName": "promote-a", "name": "promotion-promote-a-1", "status": "Succeeded",
            "startTime": "2026-12-03T08:00:01Z", "endTime": "2026-12-03T08:00:02Z"}
    running = {"definitionName": "promote-b", "name": "promotion-promote-b-1", "status": "Progressing", "startTime": "2026-12-03T08:00:01Z"}
    kube = FakeKube({"KeptnTask": tasks})
    failures.items_must_name_their_checks(kube, "t-1", {**version, "status": {"promotionTaskStatus": [item, running]}}, "promotionTaskStatus")
    for items, failure in (([{**item, "endTime": None}], "promote-a: ended Succeeded without endTime"),
                           ([{**item, "startTime": ""}], "promote-a: ended Succeeded without startTime"),
                           ([{**item, "name": None}], "promote-a: its name None is no KeptnTask"),
                           ([{**item, "name": "promotion-promote-b-1"}], "promote-a: KeptnTask promotion-promote-b-1 runs 'promote-b'"),
                           ([{**item, "name": "other"}], "promote-a: KeptnTask other runs 'promote-a' for"),  # another version's
                           ([{**item, "status": "Failed"}], "promote-a: ended Failed, its KeptnTask promotion-promote-a-1 Succeeded"),
                           ([], "has no promotionTaskStatus")):
        with pytest.raises(AssertionError, match=failure):
            failures.items_must_name_their_checks(kube, "t-1", {**version, "status": {"promotionTaskStatus": items}},
                                                   "promotionTaskStatus")


# -- C4.7 ------------------------------------------------------------------------------------------


def _job(name, uid, task_uid, condition=None):
    conditions = [{"type": condition, "status": "True"}] if condition else []
    return {"kind": "Job", "metadata": {"name": name, "uid": uid, "ownerReferences": [{"uid": task_uid}]},
            "status": {"conditions": conditions}}


def _failure_record(failed_at: float) -> Recorder:
    return _record((1.0, "ADDED", _task("promote-a", "v1", uid="ta")), (1.0, "ADDED", _task("promote-fail", "v1", uid="tf")),
                   (1.1, "ADDED", _job("promote-a-1", "ja", "ta")), (2.5, "MODIFIED", _job("promote-fail-1", "jf", "tf", "Failed")),
                   (31.0, "MODIFIED", _job("promote-a-1", "ja", "ta", "Complete")),
                   (failed_at, "MODIFIED", _version({"status": "Failed", "promotionStatus": "Failed"})))


def test_the_version_must_fail_while_the_siblings_still_run():
    failures.version_must_fail_while_siblings_run(_failure_record(8.0), "v1", ["promote-a"])
    with pytest.raises(AssertionError, match="failed only after its other items ended.*0.500s after promote-a-1 finished"):
        failures.version_must_fail_while_siblings_run(_failure_record(31.5), "v1", ["promote-a"])
    with pytest.raises(AssertionError, match="expected a promotion KeptnTask of each of \\['promote-a', 'promote-b'\\]"):
        failures.version_must_fail_while_siblings_run(_failure_record(8.0), "v1", ["promote-a", "promote-b"])


# -- C2.3 / C2.4 -----------------------------------------------------------------------------------


def test_the_version_lists_what_the_context_listed_when_it_was_created():
    version = {**_version({}), "spec": {"appName": "checkout", "promotionTasks": ["promote-a"]}}
    app_versions.version_spec_must_list(version, "promotionTasks", ["promote-a"])
    with pytest.raises(AssertionError, match="spec.promotionTasks is \\['promote-a'\\], expected \\['promote-b'\\]"):
        app_versions.version_spec_must_list(version, "promotionTasks", ["promote-b"])


def _app(current: str | None) -> dict:
    return {"metadata": {"name": "checkout", "uid": "app-1"}, "spec": {"version": "1.0.0"},
            "status": {"currentVersion": current} if current else {}}


OWNER = {"apiVersion": "lifecycle.keptn.sh/v1", "kind": "KeptnApp", "name": "checkout", "uid": "app-1", "controller": True}


@pytest.mark.parametrize("refs, current, failure", [
    ([OWNER], "1.0.0", None),
    ([{**OWNER, "controller": False}], "1.0.0", "has 0 controller ownerReferences"),
    ([{k: v for k, v in OWNER.items() if k != "controller"}], "1.0.0", "has 0 controller ownerReferences"),
    ([{**OWNER, "kind": "KeptnAppContext"}], "1.0.0", "expected its KeptnApp"),
    ([{**OWNER, "uid": "app-0"}], "1.0.0", "expected its KeptnApp"),  # an app of the same name, deleted and made again
    ([OWNER, {**OWNER, "name": "other", "uid": "x"}], "1.0.0", "has 2 controller ownerReferences"),
    ([OWNER], None, "KeptnApp t-1/checkout status.currentVersion to be '1.0.0'"),
])
def test_the_version_is_controlled_by_its_app_which_names_it_current(refs, current, failure):
    version = {**_version({}), "spec": {"appName": "checkout", "version": "1.0.0"}}
    version["metadata"]["ownerReferences"] = refs
    kube = FakeKube({"KeptnApp": [_app(current)]})
    if failure is None:
        app_versions.app_must_own_its_version(kube, "t-1", "checkout", version)
        return
    with pytest.raises(AssertionError, match=failure):
        app_versions.app_must_own_its_version(kube, "t-1", "checkout", version)


def test_a_succeeded_version_without_end_time_has_not_completed_as_the_contract_says():
    done = {"status": "Succeeded", "currentPhase": "Completed"}
    lifecycle.app_version_must_reach(_Versions(_version({**done, "endTime": "2026-12-03T08:01:00Z"})), "t-1", "checkout", done)
    with pytest.raises(AssertionError, match="status Succeeded without an endTime .*it has completed"):
        lifecycle.app_version_must_reach(_Versions(_version(done)), "t-1", "checkout", done)


def test_the_phase_must_fail_while_the_siblings_still_run_not_only_the_version():
    phase_late = _failure_record(8.0)
    phase_late.observations.insert(-1, Observation("KeptnAppVersion", "MODIFIED", _version({"status": "Failed", "promotionStatus": "Progressing"}), 7.0))
    phase_late.observations[-1] = Observation("KeptnAppVersion", "MODIFIED", _version({"status": "Failed", "promotionStatus": "Failed"}), 31.2)
    with pytest.raises(AssertionError, match="failed only after its other items ended"):
        failures.version_must_fail_while_siblings_run(phase_late, "v1", ["promote-a"])


def test_the_version_name_is_app_version_and_the_generations_hash():
    version = {"metadata": {"name": "checkout-1.0.0-d4735e3a"}, "spec": {"version": "1.0.0"}}
    app_versions.version_must_be_named(version, "checkout", 2)
    for name in ("checkout-d4735e3a",  # the version left out: the right hash at the end is not enough
                 "checkout-1.0.0-6b86b273",  # the hash of generation 1
                 "checkout-1.0.0-d4735e3a1"):
        with pytest.raises(AssertionError, match="expected the name checkout-1.0.0-d4735e3a"):
            app_versions.version_must_be_named({**version, "metadata": {"name": name}}, "checkout", 2)


# -- C2.7 ------------------------------------------------------------------------------------------


def _kwv(workload_name: str, state: str, app: str = "checkout", version: str = "1.0.0") -> dict:
    return {"metadata": {"name": f"{workload_name}-{version}"},
            "spec": {"app": app, "version": version, "workloadName": workload_name}, "status": {"status": state}}


def test_the_deploy_phase_must_wait_for_the_workloads_version():
    status = {"workloadOverallStatus": "Succeeded",
              "workloadStatus": [{"workload": {"name": "checkout-web", "version": "1.0.0"}, "status": "Succeeded"}]}
    version = {**_version(status), "spec": {"appName": "checkout", "version": "1.0.0"}}
    waited = _record((1.0, "ADDED", _version({})), (20.0, "MODIFIED", version))
    kube = FakeKube({"KeptnWorkloadVersion": [_kwv("checkout-checkout-web", "Succeeded")]})
    lifecycle.deploy_phase_must_wait_for_its_workload(kube, waited, "t-1", version, "checkout-web", deployed=16.0)
    early = _record((1.0, "ADDED", _version({})), (3.0, "MODIFIED", version))
    with pytest.raises(AssertionError, match="its deploy phase ended \\(Succeeded\\) 13.000s before the Deployment of checkout-web"):
        lifecycle.deploy_phase_must_wait_for_its_workload(kube, early, "t-1", version, "checkout-web", deployed=16.0)
    for kwvs, failure in (([], "expected one KeptnWorkloadVersion"),
                          ([_kwv("checkout-checkout-web", "Progressing")], "is Progressing, expected Succeeded"),
                          ([_kwv("checkout-checkout-api", "Succeeded")], "expected one KeptnWorkloadVersion"),  # another workload
                          ([_kwv("checkout-checkout-web", "Succeeded", app="cart")], "expected one KeptnWorkloadVersion")):
        with pytest.raises(AssertionError, match=failure):
            lifecycle.deploy_phase_must_wait_for_its_workload(FakeKube({"KeptnWorkloadVersion": kwvs}), waited, "t-1", version,
                                                              "checkout-web", deployed=16.0)
    no_item = {**version, "status": {**status, "workloadStatus": []}}
    with pytest.raises(AssertionError, match="status.workloadStatus: expected checkout-web 1.0.0 Succeeded"):
        lifecycle.deploy_phase_must_wait_for_its_workload(kube, waited, "t-1", no_item, "checkout-web", deployed=16.0)


# -- C2.1, C4.8: "no promotion task was ever created" ----------------------------------------------


def test_no_task_of_the_check_type_may_ever_have_been_seen_even_if_deleted_since():
    post = _task("post-check-1", "v1", "post")
    lifecycle.never_any_task(_record((1.0, "ADDED", post)), "promotion")
    created_and_deleted = _record((1.0, "ADDED", _task("promote-a", "v1")), (1.5, "DELETED", _task("promote-a", "v1")))
    with pytest.raises(AssertionError, match="1 KeptnTask\\(s\\) of checkType 'promotion' were created: \\['promote-a'\\]"):
        lifecycle.never_any_task(created_and_deleted, "promotion")
    gap = _record((1.0, "ADDED", post))
    gap.gaps.append(Gap("KeptnTask", 1.0, 9.0, "the watch could not resume: 410 Gone"))
    with pytest.raises(AssertionError, match="has gaps"):  # what was created meanwhile could not be seen
        lifecycle.never_any_task(gap, "promotion")
