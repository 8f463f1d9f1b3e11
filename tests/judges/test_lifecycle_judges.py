"""Judges of the app lifecycle on fake API answers: each fails on what it exists to refuse."""
from __future__ import annotations

import time

import pytest

from fakes.cluster_reads import FakeKube
from harness import timeouts
from harness.eventually import WaitTimedOut
from harness.judges import app_versions, failures, lifecycle
from harness.timeouts import timeouts_of


@pytest.fixture(autouse=True)
def _short_waits():
    timeouts.configure(timeouts_of({"objectState": 0.4, "lifecycle": 0.6, "absence": 0.2, "pollInterval": 0.05}))
    yield
    timeouts.configure(timeouts_of({}))


class _Kube:
    """get/list answering fixed objects by kind."""

    def __init__(self, version: dict, events: list[dict] = (), versions: list[dict] | None = None):
        self.version, self.events, self.versions = version, list(events), versions
        self.gets = 0

    def get(self, kind, name, namespace=None):
        self.gets += 1
        return self.version

    def list(self, kind, namespace=None, label_selector=None):
        if kind == "Event":
            return self.events
        return self.versions if self.versions is not None else [self.version]


def _version(status: dict) -> dict:
    return {"kind": "KeptnAppVersion", "metadata": {"name": "checkout-1.0.0-6b86b273", "creationTimestamp": "2026-12-03T08:00:00Z"},
            "spec": {"appName": "checkout", "revision": 1}, "status": status}


def _event(reason: str, message: str, kind: str = "KeptnAppVersion", name: str = "checkout-1.0.0-6b86b273") -> dict:
    return {"reason": reason, "message": message, "involvedObject": {"kind": kind, "name": name}}


WAITING = {"status": "Progressing", "currentPhase": "PromotionTasks", "promotionStatus": "Pending",
           "promotionTaskStatus": [{"definitionName": "promote-a", "status": "Succeeded"},
                                   {"definitionName": "promote-missing", "status": "Pending"}]}


def test_a_status_message_naming_the_missing_definition_shows_why():
    version = _version({**WAITING, "message": 'KeptnTaskDefinition "promote-missing" not found'})
    assert "promote-missing" in failures.reason_must_be_visible(_Kube(version), "t-1", version, ["promote-missing"])


def test_an_event_on_the_version_naming_it_shows_why():
    version = _version(WAITING)
    kube = _Kube(version, [_event("PromotionTasksNotFound", "definition promote-missing does not exist")])
    failures.reason_must_be_visible(kube, "t-1", version, ["promote-missing"])


def test_a_silent_pending_status_fails_even_when_an_item_carries_the_definitions_name():
    version = _version(WAITING)  # "promote-missing" appears only as an item's definitionName
    with pytest.raises(WaitTimedOut, match="neither the status message nor an event .* names \\['promote-missing'\\]"):
        failures.reason_must_be_visible(_Kube(version), "t-1", version, ["promote-missing"])


@pytest.mark.parametrize("said", [
    {"message": "Progressing"},  # a message that says nothing
    {"message": 'KeptnTaskDefinition "promote-other" not found'},  # names another definition
])
def test_a_message_that_does_not_name_the_definition_fails(said):
    version = _version({**WAITING, **said})
    with pytest.raises(WaitTimedOut):
        failures.reason_must_be_visible(_Kube(version), "t-1", version, ["promote-missing"])


def test_an_event_about_another_object_does_not_count():
    version = _version(WAITING)
    kube = _Kube(version, [_event("NotFound", "promote-missing not found", kind="KeptnApp", name="checkout")])
    with pytest.raises(WaitTimedOut):
        failures.reason_must_be_visible(kube, "t-1", version, ["promote-missing"])


def test_a_version_that_completed_otherwise_fails_at_once_not_at_the_timeout():
    version = _version({"status": "Failed", "currentPhase": "PromotionTasks", "promotionStatus": "Failed",
                        "endTime": "2026-12-03T08:01:00Z"})
    with pytest.raises(AssertionError, match="it has completed") as failure:
        lifecycle.app_version_must_reach(_Kube(version), "t-1", "checkout", {"status": "Succeeded"})
    assert not isinstance(failure.value, WaitTimedOut)


def test_a_version_still_running_is_waited_for_until_the_timeout():
    version = _version({"status": "Progressing", "currentPhase": "PromotionTasks"})
    with pytest.raises(WaitTimedOut, match="expected \\{'status': 'Succeeded'\\}"):
        lifecycle.app_version_must_reach(_Kube(version), "t-1", "checkout", {"status": "Succeeded"})


def test_retries_must_reach_the_jobs_backoff_limit():
    job = {"metadata": {"name": "promote-fail-1"}, "spec": {"backoffLimit": 6}}
    with pytest.raises(AssertionError, match="has backoffLimit 6, expected 2"):
        failures.retries_must_be_honoured(job, retries=2, at_least=3, runs=7)


class _KubeWithTasks(_Kube):
    def __init__(self, version: dict, tasks: dict[str, str]):
        super().__init__(version)
        self.tasks = tasks

    def get(self, kind, name, namespace=None):
        if kind == "KeptnTask":
            return {"status": {"status": self.tasks[name]}}
        return super().get(kind, name, namespace)


def test_items_that_ended_as_their_tasks_pass_and_a_stale_sibling_fails():
    items = [{"definitionName": "promote-fail", "name": "t1", "status": "Failed", "endTime": "x"},
             {"definitionName": "promote-a", "name": "t2", "status": "Succeeded", "endTime": "y"}]
    version = _version({"status": "Failed", "promotionTaskStatus": items})
    failures.items_must_follow_their_tasks(_KubeWithTasks(version, {"t1": "Failed", "t2": "Succeeded"}), "t-1",
                                            "checkout", "promotionTaskStatus")
    stale = _version({"status": "Failed", "promotionTaskStatus": [items[0], {**items[1], "status": "Progressing",
                                                                              "endTime": None}]})
    with pytest.raises(AssertionError, match=r"stale items \(contract §6\).*promote-a: item Progressing \(endTime None\), "
                                             r"its KeptnTask t2 Succeeded"):
        failures.items_must_follow_their_tasks(_KubeWithTasks(stale, {"t1": "Failed", "t2": "Succeeded"}), "t-1",
                                                "checkout", "promotionTaskStatus")


def test_an_event_with_the_reason_about_the_version_passes_and_about_another_kind_or_reason_fails():
    version = _version({"status": "Failed"})
    lifecycle.event_must_exist(_Kube(version, [_event("PromotionTasksFailed", "promote-fail failed")]), "t-1",
                               version, "PromotionTasksFailed")
    for events in ([_event("PromotionTasksFinished", "done")],  # another reason
                   [_event("PromotionTasksFailed", "x", kind="KeptnApp")],  # about the app of the same name
                   []):
        with pytest.raises(WaitTimedOut, match="an event 'PromotionTasksFailed' on KeptnAppVersion"):
            lifecycle.event_must_exist(_Kube(version, events), "t-1", version, "PromotionTasksFailed")


def test_items_must_be_exactly_the_expected_definitions_in_their_states():
    version = _version({"promotionTaskStatus": [{"definitionName": "promote-a", "status": "Succeeded"},
                                                {"definitionName": "promote-b", "status": "Failed"}]})
    failures.items_must_be(version, "promotionTaskStatus", {"promote-a": "Succeeded", "promote-b": "Failed"})
    for expected in ({"promote-a": "Succeeded", "promote-b": "Succeeded"},  # a state differs
                     {"promote-a": "Succeeded"},  # an item too many
                     {"promote-a": "Succeeded", "promote-b": "Failed", "promote-c": "Succeeded"}):  # one missing
        with pytest.raises(AssertionError, match="status.promotionTaskStatus: expected"):
            failures.items_must_be(version, "promotionTaskStatus", expected)


def test_an_item_must_be_there_once_in_its_state():
    item = {"definitionName": "promote-a", "status": "Failed"}
    failures.item_must_be(_version({"promotionTaskStatus": [item]}), "promotionTaskStatus", "promote-a", "Failed")
    for items in ([{**item, "status": "Succeeded"}], [], [item, item]):
        with pytest.raises(AssertionError, match="expected one item promote-a=Failed"):
            failures.item_must_be(_version({"promotionTaskStatus": items}), "promotionTaskStatus", "promote-a", "Failed")


def _job(name: str, conditions: list[dict]) -> dict:
    return {"metadata": {"name": name}, "status": {"conditions": conditions}}


def test_a_job_must_finish_and_must_not_vanish_before():
    complete = _job("promote-a-1", [{"type": "Complete", "status": "True"}])
    assert lifecycle.job_must_finish(FakeKube({"Job": [complete]}), "t-1", "promote-a-1") is complete
    failed = _job("promote-a-1", [{"type": "Failed", "status": "True"}])
    assert lifecycle.job_must_finish(FakeKube({"Job": [failed]}), "t-1", "promote-a-1") is failed
    with pytest.raises(AssertionError, match="was deleted before it finished") as gone:
        lifecycle.job_must_finish(FakeKube({}), "t-1", "promote-a-1")
    assert not isinstance(gone.value, WaitTimedOut)  # fails at once
    running = _job("promote-a-1", [{"type": "Complete", "status": "False"}, {"type": "SuccessCriteriaMet", "status": "True"}])
    with pytest.raises(WaitTimedOut, match="Job t-1/promote-a-1 to run to completion"):
        lifecycle.job_must_finish(FakeKube({"Job": [running]}), "t-1", "promote-a-1")


def _task(name: str, definition: str, owner_uid: str, check_type: str = "promotion") -> dict:
    return {"metadata": {"name": name, "ownerReferences": [{"uid": owner_uid}]},
            "spec": {"taskDefinition": definition, "checkType": check_type}}


def test_promotion_tasks_must_be_one_per_definition_of_this_version():
    version = {**_version({}), "metadata": {"name": "checkout-1", "uid": "v1"}}
    tasks = [_task("a", "promote-a", "v1"), _task("b", "promote-b", "v1"),
             _task("other", "promote-c", "v2"), _task("post", "post-check", "v1", "post")]
    assert len(lifecycle.promotion_tasks_must_be(FakeKube({"KeptnTask": tasks}), "t-1", version,
                                                 ["promote-b", "promote-a"])) == 2
    for found, definitions in ((tasks, ["promote-a"]),  # one too many
                               (tasks, ["promote-a", "promote-b", "promote-c"]),  # another version's task does not count
                               (tasks + [_task("a2", "promote-a", "v1")], ["promote-a", "promote-b"]),  # twice
                               ([], ["promote-a"])):
        with pytest.raises(AssertionError, match="expected one promotion KeptnTask per definition"):
            lifecycle.promotion_tasks_must_be(FakeKube({"KeptnTask": found}), "t-1", version, definitions)


class _Moving(_Kube):
    """A version whose status the implementation changes after `after` reads."""

    def __init__(self, first: dict, then: dict, after: int):
        super().__init__(first)
        self.first, self.then, self.after, self.reads = first, then, after, 0

    def list(self, kind, namespace=None, label_selector=None):
        self.reads += 1
        return [self.first if self.reads <= self.after else self.then]


def test_a_state_that_holds_settles_and_one_passed_through_on_the_way_does_not():
    pending = _version({"status": "Progressing", "promotionStatus": "Pending"})
    lifecycle.app_version_must_settle_at(_Kube(pending), "t-1", "checkout", {"promotionStatus": "Pending"})
    running = _version({"status": "Progressing", "promotionStatus": "Progressing"})
    with pytest.raises(WaitTimedOut, match="observed \\{'promotionStatus': 'Progressing'\\}"):
        lifecycle.app_version_must_settle_at(_Moving(pending, running, after=2), "t-1", "checkout",
                                             {"promotionStatus": "Pending"})


def _versioned(name: str, uid: str, revision: int, status: dict | None = None) -> dict:
    return {"kind": "KeptnAppVersion", "metadata": {"name": name, "uid": uid, "creationTimestamp": f"2026-12-03T08:00:0{revision}Z"},
            "spec": {"appName": "checkout", "revision": revision}, "status": status or {}}


def test_each_revision_must_have_its_own_version_and_promotion_task():
    versions = [_versioned("checkout-1", "v1", 1), _versioned("checkout-2", "v2", 2)]
    tasks = [_task("a1", "promote-a", "v1"), _task("a2", "promote-a", "v2")]
    lifecycle.each_version_must_have_its_promotion_task(FakeKube({"KeptnAppVersion": versions, "KeptnTask": tasks}),
                                                        "t-1", "checkout", "promote-a", versions=2)
    with pytest.raises(AssertionError, match="expected a KeptnAppVersion per revision \\(2\\), found \\['checkout-1'\\]"):
        lifecycle.each_version_must_have_its_promotion_task(
            FakeKube({"KeptnAppVersion": versions[:1], "KeptnTask": tasks}), "t-1", "checkout", "promote-a", versions=2)
    with pytest.raises(AssertionError, match="KeptnAppVersion checkout-2: expected one promotion KeptnTask per definition"):
        lifecycle.each_version_must_have_its_promotion_task(  # the bump made a version that did not run promotion again
            FakeKube({"KeptnAppVersion": versions, "KeptnTask": tasks[:1]}), "t-1", "checkout", "promote-a", versions=2)


def test_a_definition_must_have_one_promotion_task_and_the_task_one_job():
    version = _versioned("checkout-1", "v1", 1)
    task = {**_task("a", "promote-a", "v1"), "metadata": {"name": "a", "uid": "t-a", "ownerReferences": [{"uid": "v1"}]}}
    kube = FakeKube({"KeptnTask": [task, _task("b", "promote-b", "v1")]})
    assert lifecycle.promotion_task_must_be_one(kube, "t-1", version, "promote-a") is task
    for tasks in ([], [task, {**task, "metadata": {**task["metadata"], "name": "a-again"}}]):
        with pytest.raises(AssertionError, match="expected one promotion KeptnTask of 'promote-a'"):
            lifecycle.promotion_task_must_be_one(FakeKube({"KeptnTask": tasks}), "t-1", version, "promote-a")

    def job(name: str) -> dict:
        return {"metadata": {"name": name, "ownerReferences": [{"uid": "t-a"}]}}

    assert lifecycle.task_must_have_one_job(FakeKube({"Job": [job("a-1")]}), "t-1", task)["metadata"]["name"] == "a-1"
    with pytest.raises(AssertionError, match="KeptnTask a owns 2 Jobs, expected one") as twice:
        lifecycle.task_must_have_one_job(FakeKube({"Job": [job("a-1"), job("a-2")]}), "t-1", task)
    assert not isinstance(twice.value, WaitTimedOut)  # a second Job never goes away by waiting
    with pytest.raises(WaitTimedOut, match="the Job of KeptnTask t-1/a; last seen: KeptnTask a owns no Job yet"):
        lifecycle.task_must_have_one_job(FakeKube({"Job": []}), "t-1", task)


@pytest.mark.parametrize("status, failure", [
    ({"status": "Failed", "reason": "BackoffLimitExceeded"}, None),
    ({"status": "Failed", "reason": "Failed"}, "expected reason 'BackoffLimitExceeded'"),  # not the Job's reason
    ({"status": "Succeeded", "reason": "Completed"}, "ended Succeeded, expected Failed"),  # at once: it ended
    ({"status": "Progressing"}, "timed out .* to be Failed with reason BackoffLimitExceeded"),
])
def test_a_promotion_task_must_end_in_its_state_with_the_jobs_reason(status, failure):
    version = _versioned("checkout-1", "v1", 1)
    task = {**_task("a", "promote-fail", "v1"), "status": status}
    kube = FakeKube({"KeptnAppVersion": [version], "KeptnTask": [task]})
    if failure is None:
        assert lifecycle.promotion_task_must_end(kube, "t-1", "checkout", "promote-fail", "Failed", "BackoffLimitExceeded") is task
        return
    with pytest.raises(AssertionError, match=failure):
        lifecycle.promotion_task_must_end(kube, "t-1", "checkout", "promote-fail", "Failed", "BackoffLimitExceeded")


class _Appearing(_Kube):
    """A version that appears only after `after` seconds (e.g. a later stage's, once the stages before it promoted)."""

    def __init__(self, version: dict, after: float):
        super().__init__(version)
        self.since, self.after = time.monotonic(), after

    def list(self, kind, namespace=None, label_selector=None):
        return [self.version] if time.monotonic() - self.since >= self.after else []


def test_a_version_that_appears_after_the_object_wait_but_within_the_lifecycle_wait_is_awaited():
    # objectState 0.4 s, lifecycle 0.6 s (the fixture): the version appears at 0.5 s. A check that
    # waited for the version with its own (object) wait inside the lifecycle wait gave up at 0.4 s.
    done = _version({"status": "Succeeded", "endTime": "2026-12-03T08:01:00Z"})
    assert lifecycle.app_version_must_reach(_Appearing(done, 0.5), "t-1", "checkout", {"status": "Succeeded"}) is done
    with pytest.raises(WaitTimedOut, match="to reach .*last seen: no KeptnAppVersion with spec.appName='checkout'"):
        lifecycle.app_version_must_reach(_Appearing(done, 5), "t-1", "checkout", {"status": "Succeeded"})


def test_the_newest_app_version_of_an_app_that_has_none_is_a_wait_that_names_the_app():
    with pytest.raises(WaitTimedOut, match="a KeptnAppVersion of KeptnApp t-1/checkout"):
        app_versions.latest_app_version(_Kube(None, versions=[]), "t-1", "checkout")
