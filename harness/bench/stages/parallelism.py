"""Parallelism against the cluster's floor: one version each with N promotion tasks of 5 s.

The phase runs from the moment it may start (the harness's watch saw the post-deployment Job
finish) to the moment the watch saw the version end (promotion is the last phase), both arrival
times of the harness's watch (harness/bench/moments.py), never times the implementation writes.

The floor beside it: N bare Jobs of the same container, created at once by this process with no
implementation involved, from the first create to the moment the watch saw the last one finished.
No implementation can get below it on this cluster: kube-controller-manager's Job controller, the
scheduler and kwok take their share of every Job. The figure is phase ÷ floor (1.0: the
implementation added nothing to what the cluster needs), beside phase ÷ 5 s.

Where the time went, in seconds after the phase could start: when the watch saw the first and the
last KeptnTask, the last Job created, the last Job finished, and the version end.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from harness.bench import moments
from harness.bench.stage_inputs import Bench
from harness.bench.workload import Space, run_one_by_one, uid
from harness.contract.job_result import job_result
from harness.contract.kinds import JOB
from harness.contract.simulation import task_container

POST = "post-0s"
# The floor's Jobs are created by this many threads at once: "at once" as an implementation would
# create a phase's items (the reference creates 8 at a time), without one client's round trips in
# series being charged to the cluster.
FLOOR_CONCURRENCY = 8


def run(bench: Bench) -> dict:
    plan = bench.plan
    task_seconds = plan.parallel_task_seconds
    definitions = [f"promote-{i:03d}" for i in range(max(plan.parallel_tasks))]
    deadline = time.monotonic() + plan.stage_timeout
    rows = []
    with bench.space("parallel") as space:
        space.task_definitions([POST])
        space.task_definitions(definitions, run_for=f"{task_seconds:g}s")
        for count in plan.parallel_tasks:
            space.contexts_for([_app(count)], {"postDeploymentTasks": [POST], "promotionTasks": definitions[:count]})
        for count in plan.parallel_tasks:
            bench.say(f"  {count} promotion task(s) of {task_seconds:g}s")
            try:
                rows.append(_row(bench, space, count, deadline))
            except Exception as error:  # noqa: BLE001 - a broken N costs its row, not the rows measured before it
                bench.say(f"  N = {count} stopped: {type(error).__name__}: {error}")
                rows.append({"tasks": count, "error": f"{type(error).__name__}: {error}"})
    return {"taskSeconds": task_seconds, "runs": rows}


def _row(bench: Bench, space: Space, count: int, deadline: float) -> dict:
    task_seconds = bench.plan.parallel_task_seconds
    outcome = run_one_by_one(space, [_app(count)], bench.plan.parallel_timeout(count), deadline)
    row = {"tasks": count, "versions": outcome.report(), "phaseSeconds": None, "ratio": None,
           "floorSeconds": None, "floorRatio": None, "overFloor": None, "breakdown": None}
    if outcome.succeeded:
        row.update(_phase(space, outcome.succeeded[0], count, task_seconds))
    floor, created = _floor(bench, count)
    if floor is not None:
        row.update(floorSeconds=round(floor, 3), floorRatio=round(floor / task_seconds, 3),
                   floorLastCreated=round(created, 3))
        if row["phaseSeconds"] is not None:
            row["overFloor"] = round(row["phaseSeconds"] / floor, 3)
    return row


def _phase(space: Space, version: dict, count: int, task_seconds: float) -> dict:
    try:
        start = moments.post_jobs_finished(space.record, uid(version))
        promotion = moments.promotion(space.record, uid(version), count)
        ended = moments.version_ended(space.record, uid(version))
    except moments.Unmeasured as error:  # the watch missed a moment: say so rather than time half
        return {"unmeasured": str(error)}
    phase = ended - start
    return {"phaseSeconds": round(phase, 4), "ratio": round(phase / task_seconds, 3),
            "breakdown": {**{key: round(at - start, 3) for key, at in promotion.items()},
                          "versionEnded": round(phase, 3)}}


def _floor(bench: Bench, count: int) -> tuple[float | None, float]:
    """Seconds from the first create to the last Job seen finished (None if they did not all
    finish), and to the last create answered."""
    container = task_container(run_for=f"{bench.plan.parallel_task_seconds:g}s")
    jobs = [{"apiVersion": JOB.api_version, "kind": JOB.kind, "metadata": {"name": f"bare-{n:03d}"},
             "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "OnFailure", "containers": [container]}}}}
            for n in range(count)]
    with bench.space(f"floor-{count}") as space:
        began = time.time()
        with ThreadPoolExecutor(FLOOR_CONCURRENCY) as pool:
            list(pool.map(space.create, jobs))
        created = time.time() - began

        def finished() -> dict:
            return space.record.first_arrivals(JOB.kind, lambda job: job_result(job) is not None)

        if not space.wait(lambda: len(finished()) == count, f"{count} bare Jobs to finish",
                          bench.plan.parallel_timeout(count)):
            return None, created
        return max(arrival for arrival, _ in finished().values()) - began, created


def _app(tasks: int) -> str:
    return f"par-{tasks:03d}"
