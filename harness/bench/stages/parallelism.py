"""Parallelism: one version each with N promotion tasks of 5 s; phase duration ÷ 5 s.

The phase is timed from the moment it may start (the post-deployment task's endTime) to the
version's endTime, both stamped by the controller; promotion is the last phase, so that is when
it ended. 1.0 would be N tasks all running at once at no cost. The controller's own histogram
`keptn_lifecycle_phase_duration_seconds` (PromotionTasksStarted → end) is shown beside it.

Where the time went, in seconds after the phase could start: when this process saw the last of
the N KeptnTasks and the last of the N Jobs created (watch), when the watch saw the last Job
finish (its result condition, SPEC §5), and when the last task ended (its status endTime).

The cluster's floor beside it: N bare Jobs of the same container, created at once by this process
with no controller involved, from the first create to the moment the watch saw the last one
finished, divided by 5 s. No implementation can get below it on this cluster: kube-controller-
manager's Job controller, the scheduler and kwok take their share of every Job.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from harness.bench.context import Bench
from harness.bench.controller import PROMOTION_PHASE
from harness.bench.watcher import finished
from harness.bench.workload import Space, item_end, run_one_by_one, seconds
from harness.contract.kinds import JOB, TASK
from harness.controller.phase_checks import CREATE_CONCURRENCY
from harness.contract.timestamps import parse_time
from harness.eventually import NotYet, WaitTimedOut, eventually
from harness.library.simulation import task_container

POST = "post-0s"
_HISTOGRAM_SECONDS = 10


def run(bench: Bench) -> dict:
    plan = bench.plan
    task_seconds = plan.parallel_task_seconds
    space = bench.space("parallel", plan.stage_timeout + 60)
    definitions = [f"promote-{i:02d}" for i in range(max(plan.parallel_tasks))]
    space.task_definitions([POST])
    space.task_definitions(definitions, run_for=f"{task_seconds:g}s")
    for count in plan.parallel_tasks:
        space.contexts_for([_app(count)], {"postDeploymentTasks": [POST], "promotionTasks": definitions[:count]})
    deadline = time.monotonic() + plan.stage_timeout
    rows = []
    for count in plan.parallel_tasks:
        bench.say(f"  {count} promotion task(s) of {task_seconds:g}s")
        before = _histogram(bench)
        outcome = run_one_by_one(space, [_app(count)], plan.version_timeout, deadline)
        row = {"tasks": count, "versions": outcome.report(), "phaseSeconds": None, "ratio": None,
               "controllerPhaseSeconds": None, "breakdown": None}
        if outcome.succeeded:
            version = outcome.succeeded[0]
            start = item_end(version, "postDeploymentTaskStatus")
            phase = seconds(version, "endTime") - start
            row.update(phaseSeconds=round(phase, 4), ratio=round(phase / task_seconds, 3),
                       controllerPhaseSeconds=_observed(bench, before),
                       breakdown=_breakdown(space, version, start, count))
        row["floorRatio"] = _floor(bench, count, task_seconds)
        rows.append(row)
    space.watcher.stop()
    return {"taskSeconds": task_seconds, "runs": rows}


def _floor(bench: Bench, count: int, task_seconds: float) -> float | None:
    space = bench.space(f"floor-{count}", bench.plan.version_timeout + 60)
    container = task_container(run_for=f"{task_seconds:g}s")
    jobs = [{"apiVersion": JOB.api_version, "kind": JOB.kind, "metadata": {"name": f"bare-{n:02d}"},
             "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "OnFailure", "containers": [container]}}}}
            for n in range(count)]
    began = time.time()
    with ThreadPoolExecutor(CREATE_CONCURRENCY) as pool:  # as fast as the controller may create them
        list(pool.map(space.create, jobs))
    done = space.watcher.wait_until(lambda w: sum(map(finished, w.objects(JOB))) == count,
                                    f"{count} bare Jobs to complete", bench.plan.version_timeout)
    ended = time.time()
    space.watcher.stop()
    return round((ended - began) / task_seconds, 3) if done else None


def _histogram(bench: Bench) -> dict:
    return bench.controller.metrics()["phases"].get(PROMOTION_PHASE, {"count": 0, "sum": 0})


def _observed(bench: Bench, before: dict) -> float | None:
    """The one promotion phase the controller's histogram gained since `before`. It observes it just
    after writing the version's final status, so a moment after this process saw that status."""
    def gained() -> dict:
        after = _histogram(bench)
        if after["count"] < before["count"] + 1:
            raise NotYet(f"the histogram counts {after['count']:g} promotion phases, {before['count']:g} before")
        return after

    try:
        after = eventually(gained, "the controller's phase histogram to count the promotion phase", _HISTOGRAM_SECONDS)
    except WaitTimedOut as error:
        bench.say(f"  {error}")
        return None
    return round(after["sum"] - before["sum"], 4) if after["count"] == before["count"] + 1 else None


def _app(tasks: int) -> str:
    return f"par-{tasks:02d}"


def _breakdown(space: Space, version: dict, start: float, count: int) -> dict | None:
    tasks = space.tasks_of(version, "promotion")
    jobs = space.jobs_of(tasks)
    if len(tasks) < count or len(jobs) < count:  # the watch missed one: say nothing rather than half
        return None
    finished_at = [space.watcher.finished_seen(JOB, j["metadata"]["name"]) for j in jobs]
    return {
        "lastTaskSeen": round(max(space.watcher.first_seen(TASK, t["metadata"]["name"]) for t in tasks) - start, 3),
        "lastJobSeen": round(max(space.watcher.first_seen(JOB, j["metadata"]["name"]) for j in jobs) - start, 3),
        # a Job removed before the watch saw it finish leaves this out
        **({"lastJobFinished": round(max(finished_at) - start, 3)} if None not in finished_at else {}),
        "lastTaskEnded": round(max(parse_time(t["status"]["endTime"]).timestamp() for t in tasks) - start, 3),
    }
