"""Phase latency: post-deployment evaluation end → promotion Jobs created.

Versions run one by one, each with one passing post-deployment evaluation and two 0-second
promotion tasks. The start is the evaluation item's `endTime` in the version's status (stamped
by the controller when it decided, microseconds). The end is measured two ways:
- watch: when this process received the ADDED event of the version's last promotion Job
  (microseconds; includes the watch's delivery, a few milliseconds on loopback) — the figure reported;
- creationTimestamp of that Job, which the API server keeps in whole seconds: that figure is only
  good to ±1 s and is shown for comparison.
The KeptnTasks (created one step earlier by the same reconcile) are reported by watch too.
"""
from __future__ import annotations

import time

from harness.bench.context import Bench
from harness.bench.stats import summarize
from harness.bench.workload import item_end, run_one_by_one
from harness.contract.kinds import JOB, TASK
from harness.contract.timestamps import parse_time

EVALUATION = "post-eval"
PROMOTION = ["promote-a", "promote-b"]
LISTS = {"postDeploymentEvaluations": [EVALUATION], "promotionTasks": PROMOTION}


def run(bench: Bench) -> dict:
    plan = bench.plan
    space = bench.space("latency", plan.stage_timeout + 60)
    space.task_definitions(PROMOTION)
    space.passing_evaluation(EVALUATION)
    apps = [f"lat-{i:03d}" for i in range(plan.latency_versions)]
    space.contexts_for(apps, LISTS)
    outcome = run_one_by_one(space, apps, plan.version_timeout, time.monotonic() + plan.stage_timeout)
    space.watcher.stop()

    tasks_seen, jobs_seen, jobs_created, unmeasured = [], [], [], []
    for version in outcome.succeeded:
        start = item_end(version, "postDeploymentEvaluationTaskStatus")
        tasks = space.tasks_of(version, "promotion")
        jobs = space.jobs_of(tasks)
        if len(jobs) < len(PROMOTION):  # the watch missed one (a dropped connection): never time half a phase
            unmeasured.append(version["spec"]["appName"])
            continue
        tasks_seen.append(min(space.watcher.first_seen(TASK, t["metadata"]["name"]) for t in tasks) - start)
        jobs_seen.append(max(space.watcher.first_seen(JOB, j["metadata"]["name"]) for j in jobs) - start)
        jobs_created.append(max(parse_time(j["metadata"]["creationTimestamp"]).timestamp() for j in jobs) - start)
    return {
        "versions": outcome.report(),
        "promotionTasksPerVersion": len(PROMOTION),
        "unmeasured": unmeasured,
        "reported": "evaluationEndToLastJobWatchSeconds",
        "evaluationEndToLastJobWatchSeconds": summarize(jobs_seen),
        "evaluationEndToFirstTaskWatchSeconds": summarize(tasks_seen),
        "evaluationEndToLastJobCreationTimestampSeconds": summarize(jobs_created),
    }
