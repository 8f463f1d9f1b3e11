"""Judges of the app lifecycle on fake API answers: each fails on what it exists to refuse."""
from __future__ import annotations

import pytest

from harness import settings
from harness.eventually import WaitTimedOut
from harness.library import lifecycle
from harness.settings import timeouts_of


@pytest.fixture(autouse=True)
def _short_waits():
    settings.configure(timeouts_of({"objectState": 0.4, "lifecycle": 0.6, "absence": 0.2, "pollInterval": 0.05}))
    yield
    settings.configure(timeouts_of({}))


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
    assert "promote-missing" in lifecycle.reason_must_be_visible(_Kube(version), "t-1", version, ["promote-missing"])


def test_an_event_on_the_version_naming_it_shows_why():
    version = _version(WAITING)
    kube = _Kube(version, [_event("PromotionTasksNotFound", "definition promote-missing does not exist")])
    lifecycle.reason_must_be_visible(kube, "t-1", version, ["promote-missing"])


def test_a_silent_pending_status_fails_even_when_an_item_carries_the_definitions_name():
    version = _version(WAITING)  # "promote-missing" appears only as an item's definitionName
    with pytest.raises(WaitTimedOut, match="neither the status message nor an event .* names \\['promote-missing'\\]"):
        lifecycle.reason_must_be_visible(_Kube(version), "t-1", version, ["promote-missing"])


@pytest.mark.parametrize("said", [
    {"message": "Progressing"},  # a message that says nothing
    {"message": 'KeptnTaskDefinition "promote-other" not found'},  # names another definition
])
def test_a_message_that_does_not_name_the_definition_fails(said):
    version = _version({**WAITING, **said})
    with pytest.raises(WaitTimedOut):
        lifecycle.reason_must_be_visible(_Kube(version), "t-1", version, ["promote-missing"])


def test_an_event_about_another_object_does_not_count():
    version = _version(WAITING)
    kube = _Kube(version, [_event("NotFound", "promote-missing not found", kind="KeptnApp", name="checkout")])
    with pytest.raises(WaitTimedOut):
        lifecycle.reason_must_be_visible(kube, "t-1", version, ["promote-missing"])


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
        lifecycle.retries_must_be_honoured(job, retries=2, at_least=3, runs=7)


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
    lifecycle.items_must_follow_their_tasks(_KubeWithTasks(version, {"t1": "Failed", "t2": "Succeeded"}), "t-1",
                                            "checkout", "promotionTaskStatus")
    stale = _version({"status": "Failed", "promotionTaskStatus": [items[0], {**items[1], "status": "Progressing",
                                                                              "endTime": None}]})
    with pytest.raises(AssertionError, match=r"stale items \(contract §6\).*promote-a: item Progressing \(endTime None\), "
                                             r"its KeptnTask t2 Succeeded"):
        lifecycle.items_must_follow_their_tasks(_KubeWithTasks(stale, {"t1": "Failed", "t2": "Succeeded"}), "t-1",
                                                "checkout", "promotionTaskStatus")
