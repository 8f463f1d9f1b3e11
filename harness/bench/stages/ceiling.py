"""The ceiling: how fast this API server accepts writes from one Python client, with the
controller stopped.

One thread, one connection, the official Python client (CustomObjectsApi): KeptnTasks shaped
like the contract's are created one after the other, then each gets one status merge-patch as an
implementation writes a task's result. The implementation is stopped, so nothing reacts to them.
Its write rate in the scale stage (measured on the same cluster) is then given as a share of this
rate: the share of what one client can get from this API server that the implementation used.
"""
from __future__ import annotations

import time

from harness.bench.stage_inputs import Bench
from harness.contract.kinds import TASK
from harness.contract.timestamps import now_text

_WARM_UP = 5  # requests before timing: connection set-up and the client's first-call costs


def run(bench: Bench) -> dict:
    count = bench.plan.ceiling_objects
    bench.implementation.stop()
    with bench.space("ceiling", recorded=False) as space:  # nobody waits for these objects
        return _measure(space, count)


def _measure(space, count: int) -> dict:
    for index in range(_WARM_UP):
        space.create(_task(f"warm-up-{index}", space.name))
    names = [f"ceiling-{index:04d}" for index in range(count)]

    started = time.monotonic()
    for name in names:
        space.create(_task(name, space.name))
    create_seconds = time.monotonic() - started

    started = time.monotonic()
    for name in names:
        space.patch_status(TASK, name, {"status": "Succeeded", "startTime": now_text(), "endTime": now_text(),
                                        "jobName": f"{name}-00000", "message": "", "reason": ""})
    update_seconds = time.monotonic() - started
    return {
        "objects": count,
        "createsPerSecond": round(count / create_seconds, 1),
        "statusUpdatesPerSecond": round(count / update_seconds, 1),
        "writesPerSecond": round(2 * count / (create_seconds + update_seconds), 1),
    }


def _task(name: str, namespace: str) -> dict:
    """A promotion KeptnTask as contract §5 shapes one, without an owner: an owner that does not
    exist would have the garbage collector deleting them while they are timed."""
    return {
        "apiVersion": TASK.api_version, "kind": TASK.kind,
        "metadata": {"name": name, "namespace": namespace,
                     "labels": {"keptn.sh/check-type": "promotion"}},
        "spec": {"taskDefinition": "promote", "checkType": "promotion", "retries": 10, "timeout": "5m",
                 "context": {"appName": "ceiling", "appVersion": "v1", "workloadName": "", "workloadVersion": "",
                             "taskType": "promotion", "objectType": "App", "metadata": {}}},
    }
