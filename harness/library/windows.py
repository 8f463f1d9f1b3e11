"""The windows that order and parallel execution are judged by (harness/judges/lifecycle.py), measured
on clocks the implementation does not write.

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

from harness.contract.job_result import job_result
from harness.library.lookups import owned_by
from harness.library.recorder import Recorder


@dataclass(frozen=True)
class JobWindow:
    name: str
    task: str  # the KeptnTask that owns it
    created: float
    finished: float | None  # None while it runs


def tasks_seen(recorder: Recorder, check_type: str, owner_uid: str | None = None) -> dict[str, tuple[float, dict]]:
    """uid → (first arrival, object) of every KeptnTask of `check_type` (of one version, if given)."""
    def matches(task: dict) -> bool:
        return task["spec"].get("checkType") == check_type and (owner_uid is None or owned_by(task, {owner_uid}))

    return recorder.first_arrivals("KeptnTask", matches)


def job_windows(recorder: Recorder, tasks: dict[str, tuple[float, dict]]) -> list[JobWindow]:
    """The windows of every Job the watch saw for these KeptnTasks (by ownerReference)."""
    names = {uid: task["metadata"]["name"] for uid, (_, task) in tasks.items()}
    created = recorder.first_arrivals("Job", lambda job: owned_by(job, names))
    finished = recorder.first_arrivals("Job", lambda job: owned_by(job, names) and job_result(job) is not None)
    windows = []
    for uid, (arrival, job) in created.items():
        owner = next(ref["uid"] for ref in job["metadata"]["ownerReferences"] if ref.get("uid") in names)
        windows.append(JobWindow(job["metadata"]["name"], names[owner], arrival, finished.get(uid, (None,))[0]))
    return sorted(windows, key=lambda w: w.created)


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
        return lambda pod: owned_by(pod, job_uids) and (pod.get("status") or {}).get("phase") in phases

    seen = recorder.first_arrivals("Pod", lambda pod: owned_by(pod, job_uids))
    running, ended = recorder.first_arrivals("Pod", in_phase("Running")), recorder.first_arrivals("Pod", in_phase("Succeeded", "Failed"))
    windows = []
    for uid, (_, pod) in seen.items():
        job = next(job_uids[ref["uid"]] for ref in pod["metadata"]["ownerReferences"] if ref.get("uid") in job_uids)
        windows.append(PodWindow(pod["metadata"]["name"], job, running.get(uid, (None,))[0], ended.get(uid, (None,))[0]))
    return sorted(windows, key=lambda w: (w.running is None, w.running or 0.0))
