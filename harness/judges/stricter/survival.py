"""Judges of §6 (C6.1, C6.3, C6.6, C9.2): the implementation survives what the scenarios do to it —
the kills landed, it runs again, and it never crashed on its own."""
from __future__ import annotations

from harness.implementations.runner import Implementation
from harness.library.faults import KillLog, KillPlan, LogMark

# How a crash shows in an implementation's log: an exception that ended a Python thread or the
# interpreter, a Go panic. (An error a reconcile logs with its traceback and retries is no crash;
# whether such retries go on for ever is what the request counts check.)
_CRASH_MARKERS = ("Exception in thread", "Fatal Python error", "panic: ", "goroutine 1 [running]")


def kills_must_have_worked(log: KillLog, plan: KillPlan) -> None:
    """As many kills as planned, each of a running implementation, each followed by another
    instance of it (judged from the process table or the pods, not from the harness's intent)."""
    assert len(log.kills) == plan.kills, f"planned {plan.kills} kills, made {len(log.kills)}"
    for number, kill in enumerate(log.kills, 1):
        assert kill.before, f"kill {number}: nothing of the implementation ran when it was to be killed"
        assert kill.after, f"kill {number}: nothing of the implementation ran after it was started again"
        same = set(kill.before) & set(kill.after)
        assert not same, f"kill {number}: {sorted(same)} still ran after the kill: the kill did not kill it"



def implementation_must_run(implementation: Implementation, kube, during: str) -> dict[str, int]:
    """Something of the implementation runs (a process, or its pods); returns what."""
    running = implementation.instances(kube)
    assert running, (f"{implementation.adapter.name} does not run {during} (it exited or its pods are gone); "
                     f"log tail:\n{implementation.log_tail(40)}")
    return running



def must_not_have_crashed(implementation: Implementation, kube, before: dict[str, int], mark: LogMark) -> None:
    """The same instances still run, none restarted (a process keeps its pid; pods keep their uid
    and restart count), and its log since `mark` shows no crash of a thread or of the process."""
    now = implementation.instances(kube)
    assert now == before, (f"{implementation.adapter.name} crashed or was restarted: before {before}, now {now} "
                           "(instance → restarts)")
    written = mark.since()
    crashes = [marker for marker in _CRASH_MARKERS if marker in written]
    if crashes:
        first = min(written.index(marker) for marker in crashes)
        excerpt = written[max(0, first - 600):first + 1500]
        raise AssertionError(f"{implementation.adapter.name} logged a crash ({crashes[0]!r}):\n{excerpt}")
