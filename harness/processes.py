"""Processes the harness starts and ends: one launcher that ends a process with the harness that
started it, one rule for "is it alive", one way to signal a process group, one way to stop a
group with escalation. The cluster providers, the implementation runner, Flux and the host runner
use these instead of each keeping its own.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from harness.eventually import NotYet, eventually

# A process the harness starts for the length of a run (an implementation, Flux, a host task) goes
# through this launcher: it asks Linux to send SIGTERM to it when the harness process that started
# it dies (PR_SET_PDEATHSIG, kept across exec), so that a harness killed with SIGKILL leaves nothing
# running against a cluster that the next run deletes as stale; then it execs the command (same
# pid). Elsewhere it only execs.
_ORPHAN_GUARD = (
    "import ctypes, os, signal, sys\n"
    "if sys.platform.startswith('linux'):\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG\n"
    "    if os.getppid() != int(sys.argv[1]):\n"
    "        sys.exit('the harness that started this process is gone')\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def orphan_guarded(command: list[str]) -> list[str]:
    """`command` started through the launcher above: it gets SIGTERM when this process dies."""
    return [sys.executable, "-c", _ORPHAN_GUARD, str(os.getpid()), *command]


def alive(pid: int, program: str | None = None) -> bool:
    """Whether `pid` runs (and runs `program`, when given: a reused pid of another program is not
    ours to signal). A zombie counts as gone: only its parent can reap it, and under pytest-xdist
    that may be another process; our own exited child is reaped here."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if program is not None and Path(os.readlink(f"/proc/{pid}/exe")).name != program:
            return False
    except (OSError, IndexError):
        return False
    return state != "Z"


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Send `sig` to the process group `pid` leads; a group that is gone already is no error."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def must_be_gone(pid: int) -> None:
    if alive(pid):
        raise NotYet(f"process {pid} still runs")


def stop_group(pid: int, what: str, grace: float = 10.0) -> None:
    """SIGTERM to the group, then SIGKILL if its leader still runs after `grace` seconds; returns
    once the leader is gone (each wait names `what`)."""
    signal_group(pid, signal.SIGTERM)
    try:
        eventually(lambda: must_be_gone(pid), f"{what} (pid {pid}) to exit after SIGTERM", timeout=grace)
    except AssertionError:
        signal_group(pid, signal.SIGKILL)
        eventually(lambda: must_be_gone(pid), f"{what} (pid {pid}) to exit after SIGKILL", timeout=grace)
