"""harness/processes.py on real processes: what counts as alive, signalling a group that is gone,
stopping a group that ignores SIGTERM, and the launcher that ends a process with its harness."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from harness import processes
from harness.eventually import NotYet, eventually


def spawn(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)


def test_a_running_process_is_alive_and_an_exited_child_is_not_even_before_it_is_reaped():
    running = spawn("import time; time.sleep(30)")
    exited = spawn("pass")
    try:
        time.sleep(0.5)  # `exited` is a zombie now: nobody waited for it
        assert processes.alive(running.pid)
        assert not processes.alive(exited.pid)
        assert not processes.alive(running.pid, "no-such-program")  # a pid of another program is not ours
    finally:
        processes.signal_group(running.pid, signal.SIGKILL)
        running.wait()


def test_a_group_that_is_gone_can_be_signalled_without_error():
    gone = spawn("pass")
    gone.wait()
    processes.signal_group(gone.pid, signal.SIGTERM)


def test_a_group_that_ignores_sigterm_is_killed_after_the_grace():
    stubborn = spawn("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); "
                     "time.sleep(60)")
    time.sleep(0.5)
    started = time.monotonic()
    processes.stop_group(stubborn.pid, "a process that ignores SIGTERM", grace=1.0)
    # gone (alive() reaped it, so Popen cannot see its exit status), after the grace and no later
    assert not processes.alive(stubborn.pid) and 1.0 <= time.monotonic() - started < 5


def test_a_process_that_outlives_its_grace_even_after_sigkill_is_named(monkeypatch):
    monkeypatch.setattr(processes, "alive", lambda pid, program=None: True)  # as a process stuck in the kernel
    monkeypatch.setattr(processes, "signal_group", lambda pid, sig: None)
    with pytest.raises(AssertionError, match=r"waiting for stuck \(pid 1\) to exit after SIGKILL"):
        processes.stop_group(1, "stuck", grace=0.3)


def test_a_guarded_process_ends_when_the_process_that_started_it_dies(tmp_path):
    pid_file = tmp_path / "pid"
    parent = spawn(f"import subprocess, sys, time\n"
                   f"from harness.processes import orphan_guarded\n"
                   f"child = subprocess.Popen(orphan_guarded([sys.executable, '-c', 'import time; time.sleep(60)']))\n"
                   f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
                   f"time.sleep(60)\n")
    def written() -> int:
        if not pid_file.is_file() or not pid_file.read_text():
            raise NotYet("no pid yet")
        return int(pid_file.read_text())

    child = eventually(written, "the guarded child's pid", timeout=20)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    eventually(lambda: processes.must_be_gone(child), "the guarded child to end with its parent", timeout=10)
