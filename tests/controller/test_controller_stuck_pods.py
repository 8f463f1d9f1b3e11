"""Never silent (contract §6): what keeps a long-running task's pods from running, in words."""
from __future__ import annotations

from harness.controller.stuck_pods import why_pods_wait


def _pod(name: str, waiting: dict | None = None, scheduled: dict | None = None) -> dict:
    status: dict = {"containerStatuses": [{"name": "task", "state": {"waiting": waiting} if waiting else {"running": {}}}]}
    if scheduled:
        status["conditions"] = [{"type": "PodScheduled", "status": "False", **scheduled}]
    return {"metadata": {"name": name}, "status": status}


def test_a_container_that_cannot_be_run_is_named_with_its_reason():
    pod = _pod("promote-1-abc", {"reason": "RunContainerError", "message": 'exec: "": executable file not found'})
    assert why_pods_wait([pod]) == ('pod "promote-1-abc" container "task" is waiting: RunContainerError: exec: "": '
                                    'executable file not found')


def test_an_unschedulable_pod_is_named():
    pod = _pod("promote-1-abc", scheduled={"reason": "Unschedulable", "message": "0/1 nodes are available"})
    pod["status"]["containerStatuses"] = []
    assert why_pods_wait([pod]) == 'pod "promote-1-abc" is not scheduled: Unschedulable: 0/1 nodes are available'


def test_running_pods_and_pods_on_their_way_say_nothing():
    assert why_pods_wait([_pod("a"), _pod("b", {"reason": "ContainerCreating"})]) is None
    assert why_pods_wait([]) is None
