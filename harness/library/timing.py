"""Order and parallel execution, judged from clocks the implementation does not write.

Every moment here is an arrival time of the scenario's watch (`Recorder`, the harness's clock,
sub-second): when the watch first saw a Job with a Complete or Failed condition (the Job
controller's write), when it first saw a promotion KeptnTask or its Job appear, or a moment the
harness itself caused (the step that set a metric). Timestamps the implementation writes
(a KeptnTask's `endTime`, a version's phase times) decide nothing here: an implementation that
notices late writes them late, and one that polls writes them when it next looks.

A Job's window is [created, finished]: from the arrival of its ADDED event to the first arrival of
a terminal condition. A pod's window is [running, ended]: from the first arrival of phase Running
to the first arrival of Succeeded or Failed. Parallel means the implementation made every Job
before any finished and their pods ran side by side; how long a node takes to start pods is the
cluster's business, and how soon an implementation notices that a phase may start is
responsiveness, measured by the benchmarks, not judged here.
"""
from __future__ import annotations

from dataclasses import dataclass

from harness.contract.jobs import job_result
from harness.contract.states import COMPLETED
from harness.eventually import NotYet, eventually
from harness.library.recorder import Recorder
from harness.settings import TIMEOUTS


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


def finished_job_windows(recorder: Recorder, tasks: dict[str, tuple[float, dict]], what: str) -> list[JobWindow]:
    """Wait until the watch saw a Job for each of these KeptnTasks, and each of them finish; their windows."""
    def all_finished() -> list[JobWindow]:
        windows = job_windows(recorder, tasks)
        if len(windows) < len(tasks) or any(w.finished is None for w in windows):
            raise NotYet(f"{len(tasks)} KeptnTasks of the {what}; Jobs seen: {windows}")
        return windows

    return eventually(all_finished, f"every Job of the {what} to finish", TIMEOUTS.lifecycle)


def first_task_arrival(recorder: Recorder, check_type: str, definition: str) -> float:
    """Wait until the watch saw a KeptnTask of `check_type` for `definition`; when it first saw one."""
    def seen() -> float:
        arrivals = [at for at, task in tasks_seen(recorder, check_type).values() if task["spec"].get("taskDefinition") == definition]
        if not arrivals:
            raise NotYet(f"no {check_type} KeptnTask of {definition} yet")
        return min(arrivals)

    return eventually(seen, f"a {check_type} KeptnTask of {definition} to be created", TIMEOUTS.lifecycle)


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


def promotion_ended(recorder: Recorder, version_uid: str) -> float:
    """When the watch first saw the version's promotion phase completed (`promotionStatus`)."""
    ended = recorder.first_arrivals("KeptnAppVersion", lambda version: version["metadata"].get("uid") == version_uid
                                    and (version.get("status") or {}).get("promotionStatus") in COMPLETED)
    assert ended, "the watch never saw the version's promotionStatus completed"
    return ended[version_uid][0]


def phase_must_end_after_its_jobs(ended: float, windows: list[JobWindow]) -> None:
    """The promotion phase ended only after its last Job finished (contract §3: any Progressing
    item keeps the phase Progressing)."""
    finished = last_finished(windows, "promotion tasks")
    last = next(w for w in windows if w.finished == finished)
    assert ended >= finished, (f"the promotion phase ended while {last.name} still ran: promotionStatus completed "
                               f"{finished - ended:.3f}s before that Job finished")


@dataclass(frozen=True)
class PodWindow:
    name: str
    job: str
    running: float | None  # first arrival with phase Running; None if never seen running
    ended: float | None  # first arrival with phase Succeeded or Failed


def pod_windows(recorder: Recorder, jobs: list[JobWindow]) -> list[PodWindow]:
    """The windows of every pod the watch saw for these Jobs (by ownerReference)."""
    names = {w.name for w in jobs}
    job_uids = {uid: job["metadata"]["name"]
                for uid, (_, job) in recorder.first_arrivals("Job", lambda job: job["metadata"]["name"] in names).items()}

    def in_phase(*phases: str):
        return lambda pod: _owned_by(pod, set(job_uids)) and (pod.get("status") or {}).get("phase") in phases

    seen = recorder.first_arrivals("Pod", lambda pod: _owned_by(pod, set(job_uids)))
    running, ended = recorder.first_arrivals("Pod", in_phase("Running")), recorder.first_arrivals("Pod", in_phase("Succeeded", "Failed"))
    windows = []
    for uid, (_, pod) in seen.items():
        job = next(job_uids[ref["uid"]] for ref in pod["metadata"]["ownerReferences"] if ref.get("uid") in job_uids)
        windows.append(PodWindow(pod["metadata"]["name"], job, running.get(uid, (None,))[0], ended.get(uid, (None,))[0]))
    return sorted(windows, key=lambda w: (w.running is None, w.running or 0.0))


def pods_must_have_run_side_by_side(windows: list[PodWindow], jobs: int) -> None:
    """Parallel: one pod of every Job ran at the same moment (the last to start started before the
    first to end ended)."""
    by_job: dict[str, PodWindow] = {}
    for window in windows:  # the first pod of each Job that ran
        if window.running is not None:
            by_job.setdefault(window.job, window)
    assert len(by_job) == jobs, f"pods of {len(by_job)} of the {jobs} promotion Jobs were seen running: {sorted(by_job)}"
    unfinished = [w.name for w in by_job.values() if w.ended is None]
    assert not unfinished, f"the pods {unfinished} were never seen ending"
    last = max(by_job.values(), key=lambda w: w.running)
    first_end = min(by_job.values(), key=lambda w: w.ended)
    assert last.running < first_end.ended, (
        f"the promotion Jobs' pods did not run side by side: {last.name} started running "
        f"{last.running - first_end.ended:.3f}s after {first_end.name} ended")


def version_failed(recorder: Recorder, version_uid: str, phase_field: str = "promotionStatus") -> float:
    """Wait until the watch saw the version with `status: Failed` and its phase (its state `phase_field`)
    Failed; when it first saw both."""
    def seen() -> float:
        failed = recorder.first_arrivals("KeptnAppVersion", lambda version: version["metadata"].get("uid") == version_uid
                                         and (version.get("status") or {}).get("status") == "Failed"
                                         and (version.get("status") or {}).get(phase_field) == "Failed")
        if version_uid not in failed:
            raise NotYet(f"the watch has not seen the version Failed with {phase_field} Failed")
        return failed[version_uid][0]

    return eventually(seen, f"the version to be seen Failed, and its {phase_field}", TIMEOUTS.lifecycle)


def must_fail_while_siblings_run(failed: float, siblings: list[JobWindow]) -> None:
    """contract §3 C3.5 and §4 C4.7 ("as soon as"): the version and its phase were seen Failed before any
    of the failed item's siblings' Jobs was seen finished, i.e. while they still ran (the moments are
    the watch's arrivals)."""
    assert siblings, "no Job of the sibling tasks was seen"
    ended = [w for w in siblings if w.finished is not None and w.finished <= failed]
    assert not ended, ("the version failed only after its other items ended, not as soon as one failed: it was seen "
                       "Failed " + "; ".join(f"{failed - w.finished:.3f}s after {w.name} finished" for w in ended))


def version_must_fail_while_siblings_run(recorder: Recorder, version_uid: str, siblings: list[str]) -> None:
    """contract §3 C3.5, §4 C4.7: wait until the Jobs of the version's promotion tasks of `siblings`
    (definitions) finished; the version and its promotionStatus were seen Failed before the first of
    them finished."""
    tasks = {uid: seen for uid, seen in tasks_seen(recorder, "promotion", version_uid).items()
             if seen[1]["spec"].get("taskDefinition") in siblings}
    assert len(tasks) == len(siblings), (f"expected a promotion KeptnTask of each of {siblings}, the watch saw "
                                         f"{sorted(task['spec'].get('taskDefinition') for _, task in tasks.values())}")
    windows = finished_job_windows(recorder, tasks, f"promotion tasks {', '.join(siblings)}")
    must_fail_while_siblings_run(version_failed(recorder, version_uid), windows)
