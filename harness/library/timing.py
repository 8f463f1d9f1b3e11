"""Order and parallel execution, judged from clocks the implementation does not write.

Every moment here is an arrival time of the scenario's watch (`Recorder`, the harness's clock,
sub-second): when the watch first saw a Job with a Complete or Failed condition (the Job
controller's write), when it first saw a promotion KeptnTask or its Job appear, or a moment the
harness itself caused (the step that set a metric). Timestamps the implementation writes
(a KeptnTask's `endTime`, a version's phase times) decide nothing here: an implementation that
notices late writes them late, and one that polls writes them when it next looks.

A Job's window is [created, finished]: from the arrival of its ADDED event to the first arrival of
a terminal condition. How soon an implementation notices that a phase may start is responsiveness,
measured by the benchmarks, not judged here.
"""
from __future__ import annotations

from dataclasses import dataclass

from harness.contract.jobs import job_result
from harness.library.recorder import Recorder


@dataclass(frozen=True)
class JobWindow:
    name: str
    task: str  # the KeptnTask that owns it
    created: float
    finished: float | None  # None while it runs


def _owned_by(obj: dict, uids: set[str]) -> bool:
    return any(ref.get("uid") in uids for ref in obj["metadata"].get("ownerReferences") or [])


def tasks_seen(recorder: Recorder, check_type: str, owner_uid: str | None = None) -> dict[str, tuple[float, dict]]:
    """uid → (first arrival, object) of every KeptnTask of `check_type` (of one version, if given)."""
    def matches(task: dict) -> bool:
        return task["spec"].get("checkType") == check_type and (owner_uid is None or _owned_by(task, {owner_uid}))

    return recorder.first_arrivals("KeptnTask", matches)


def job_windows(recorder: Recorder, tasks: dict[str, tuple[float, dict]]) -> list[JobWindow]:
    """The windows of every Job the watch saw for these KeptnTasks (by ownerReference)."""
    names = {uid: task["metadata"]["name"] for uid, (_, task) in tasks.items()}
    created = recorder.first_arrivals("Job", lambda job: _owned_by(job, set(names)))
    finished = recorder.first_arrivals("Job", lambda job: _owned_by(job, set(names)) and job_result(job) is not None)
    windows = []
    for uid, (arrival, job) in created.items():
        owner = next(ref["uid"] for ref in job["metadata"]["ownerReferences"] if ref.get("uid") in names)
        windows.append(JobWindow(job["metadata"]["name"], names[owner], arrival, finished.get(uid, (None,))[0]))
    return sorted(windows, key=lambda w: w.created)


def last_finished(windows: list[JobWindow], what: str) -> float:
    """When the last of these Jobs finished; fails if one has not (or none was seen)."""
    assert windows, f"no Job of the {what} was seen"
    running = [w.name for w in windows if w.finished is None]
    assert not running, f"the Jobs {running} of the {what} have not finished"
    return max(w.finished for w in windows)


def must_start_after(first_created: float, first_name: str, moments: dict[str, float]) -> None:
    """Promotion's first object appeared after every given moment (`what happened` → when)."""
    early = {what: at - first_created for what, at in moments.items() if first_created <= at}
    assert not early, (f"promotion started too early: {first_name} appeared "
                       + "; ".join(f"{seconds:.3f}s before {what}" for what, seconds in early.items()))


def first_promotion_task(recorder: Recorder, owner_uid: str | None = None) -> tuple[float, str]:
    """When the watch first saw a promotion KeptnTask, and its name; fails if none appeared."""
    tasks = tasks_seen(recorder, "promotion", owner_uid)
    assert tasks, "no promotion KeptnTask was observed at all"
    arrival, task = min(tasks.values(), key=lambda seen: seen[0])
    return arrival, f"promotion KeptnTask {task['metadata']['name']}"


def all_must_exist_before_the_first_finished(windows: list[JobWindow]) -> None:
    """Parallel: every Job was created before any of them finished (they were made in one pass,
    not one after another)."""
    first_end = min(w.finished for w in windows if w.finished is not None)
    late = [f"{w.name} ({w.created - first_end:.3f}s after)" for w in windows if w.created >= first_end]
    assert not late, f"promotion Jobs created after the first promotion Job finished: {', '.join(late)}"


def windows_must_overlap(windows: list[JobWindow]) -> None:
    """Parallel: there is a moment at which every Job runs."""
    last_created = max(windows, key=lambda w: w.created)
    first_finished = min((w for w in windows if w.finished is not None), key=lambda w: w.finished)
    assert last_created.created < first_finished.finished, (
        f"the promotion Jobs did not all run at once: {last_created.name} was created "
        f"{last_created.created - first_finished.finished:.3f}s after {first_finished.name} finished")


def must_span_less_than(windows: list[JobWindow], limit: float) -> float:
    """From the first Job's creation to the last Job's end took less than `limit` seconds; returns it."""
    took = max(w.finished for w in windows) - min(w.created for w in windows)
    assert took < limit, (f"the promotion Jobs took {took:.2f}s from the first one's creation to the last one's end, "
                          f"expected less than {limit:.1f}s for {len(windows)} Jobs run in parallel")
    return took
