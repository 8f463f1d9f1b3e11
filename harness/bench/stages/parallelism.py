"""Parallelism: one version each with N promotion tasks of 5 s; phase duration ÷ 5 s.

The phase is timed from the moment it may start (the post-deployment task's endTime) to the
version's endTime, both stamped by the controller; promotion is the last phase, so that is when
it ended. 1.0 would be N tasks all running at once at no cost. The controller's own histogram
`keptn_lifecycle_phase_duration_seconds` (PromotionTasksStarted → end) is shown beside it.
"""
from __future__ import annotations

import time

from harness.bench.context import Bench
from harness.bench.controller import PROMOTION_PHASE
from harness.bench.workload import item_end, run_one_by_one, seconds

POST = "post-0s"


def run(bench: Bench) -> dict:
    plan = bench.plan
    task_seconds = plan.parallel_task_seconds
    space = bench.space("parallel", plan.stage_timeout + 60)
    definitions = [f"promote-{i:02d}" for i in range(max(plan.parallel_tasks))]
    space.task_definitions([POST])
    space.task_definitions(definitions, run_for=f"{task_seconds:g}s")
    deadline = time.monotonic() + plan.stage_timeout
    rows = []
    for count in plan.parallel_tasks:
        bench.say(f"  {count} promotion task(s) of {task_seconds:g}s")
        before = bench.controller.metrics()["phases"].get(PROMOTION_PHASE, {"count": 0, "sum": 0})
        app = f"par-{count:02d}"
        outcome = run_one_by_one(space, [app], {"postDeploymentTasks": [POST], "promotionTasks": definitions[:count]},
                                 plan.version_timeout, deadline)
        after = bench.controller.metrics()["phases"].get(PROMOTION_PHASE, {"count": 0, "sum": 0})
        row = {"tasks": count, "versions": outcome.report(), "phaseSeconds": None, "ratio": None,
               "controllerPhaseSeconds": None}
        if outcome.succeeded:
            version = outcome.succeeded[0]
            phase = seconds(version, "endTime") - item_end(version, "postDeploymentTaskStatus")
            row.update(phaseSeconds=round(phase, 4), ratio=round(phase / task_seconds, 3))
            if after["count"] == before["count"] + 1:
                row["controllerPhaseSeconds"] = round(after["sum"] - before["sum"], 4)
        rows.append(row)
    space.watcher.stop()
    return {"taskSeconds": task_seconds, "runs": rows}
