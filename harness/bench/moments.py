"""When things happened to one version, read from the record of its namespace (harness/library/
recorder.py): arrival times of the harness's own watch, sub-second, on this machine's clock, and
the moments the harness itself acted. Never a time the implementation writes (a task's `endTime`,
a version's phase times): an implementation that notices late writes them late, and one that
polls writes them when it next looks, so only clocks it does not write can compare two of them.

The judges of the suite read the same record with the same functions (harness/library/windows.py, harness/judges/lifecycle.py).
"""
from __future__ import annotations

from harness.contract.kinds import APP_VERSION
from harness.judges import lifecycle
from harness.library import windows
from harness.library.recorder import Recorder

FINAL = ("Succeeded", "Failed")  # the last values of a KeptnAppVersion's status.status


class Unmeasured(AssertionError):
    """The record does not hold a moment a figure needs; the message says which."""


def is_final(version: dict) -> bool:
    return (version.get("status") or {}).get("status") in FINAL


def versions_ended(record: Recorder) -> dict[str, float]:
    """version uid → when the watch first saw it in a final state (Succeeded or Failed)."""
    return {uid: arrival for uid, (arrival, _) in record.first_arrivals(APP_VERSION.kind, is_final).items()}


def version_ended(record: Recorder, version_uid: str) -> float:
    """When the watch first saw the version in a final state."""
    ended = versions_ended(record).get(version_uid)
    if ended is None:
        raise Unmeasured(f"the watch never saw KeptnAppVersion {version_uid} end")
    return ended


def post_jobs_finished(record: Recorder, version_uid: str) -> float:
    """When the watch saw the last post-deployment Job of the version finish (its contract §5 result
    condition, written by the Job controller): the moment the promotion phase may start."""
    return _judged(lambda: lifecycle.last_finished(
        windows.job_windows(record, windows.tasks_seen(record, "post", version_uid)), "post-deployment tasks"))


def promotion(record: Recorder, version_uid: str, expected: int) -> dict[str, float]:
    """firstTask, lastTask (KeptnTasks seen), lastJob (Job seen created) and lastJobFinished of the
    version's promotion phase; Unmeasured when the watch saw fewer than `expected` tasks or Jobs."""
    tasks = windows.tasks_seen(record, "promotion", version_uid)
    jobs = windows.job_windows(record, tasks)
    if len(tasks) < expected or len(jobs) < expected:
        raise Unmeasured(f"the watch saw {len(tasks)} promotion KeptnTasks and {len(jobs)} Jobs of version "
                         f"{version_uid}, expected {expected} of each")
    arrivals = [arrival for arrival, _ in tasks.values()]
    return {"firstTask": min(arrivals), "lastTask": max(arrivals), "lastJob": max(w.created for w in jobs),
            "lastJobFinished": _judged(lambda: lifecycle.last_finished(jobs, "promotion tasks"))}


def _judged(read):
    try:
        return read()
    except AssertionError as error:
        raise Unmeasured(str(error)) from None
