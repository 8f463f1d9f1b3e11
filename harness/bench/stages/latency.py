"""Phase latency: how soon the promotion phase starts once it may.

Versions run one by one, each with one 0-second post-deployment task and two 0-second promotion
tasks. The start is the moment the harness's watch saw the post-deployment Job finish (its result
condition, written by kube-controller-manager's Job controller); the end is the moment the watch
saw the version's first promotion KeptnTask appear (the figure reported) and its last promotion
Job appear. All three are arrival times of the same watch, a clock the implementation does not
write (harness/bench/moments.py): an implementation that polls shows its poll interval here.
"""
from __future__ import annotations

import time

from harness.bench import moments
from harness.bench.stage_inputs import Bench
from harness.bench.stats import summarize
from harness.bench.workload import run_one_by_one, uid

POST = "post-0s"
PROMOTION = ["promote-a", "promote-b"]
LISTS = {"postDeploymentTasks": [POST], "promotionTasks": PROMOTION}


def run(bench: Bench) -> dict:
    plan = bench.plan
    apps = [f"lat-{i:03d}" for i in range(plan.latency_versions)]
    with bench.space("latency") as space:
        space.task_definitions([POST, *PROMOTION])
        space.contexts_for(apps, LISTS)
        outcome = run_one_by_one(space, apps, plan.version_timeout, time.monotonic() + plan.stage_timeout)
        first_task, last_job, unmeasured = [], [], []
        for version in outcome.succeeded:
            try:
                start = moments.post_jobs_finished(space.record, uid(version))
                promotion = moments.promotion(space.record, uid(version), len(PROMOTION))
            except moments.Unmeasured as error:  # the watch missed a moment: never time half a phase
                unmeasured.append({"app": version["spec"]["appName"], "why": str(error)})
                continue
            first_task.append(promotion["firstTask"] - start)
            last_job.append(promotion["lastJob"] - start)
    return {
        "versions": outcome.report(),
        "promotionTasksPerVersion": len(PROMOTION),
        "unmeasured": unmeasured,
        "reported": "postJobFinishedToFirstTaskSeconds",
        "postJobFinishedToFirstTaskSeconds": summarize(first_task),
        "postJobFinishedToLastJobSeconds": summarize(last_job),
    }
