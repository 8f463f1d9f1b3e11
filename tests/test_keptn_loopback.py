"""The Keptn adapter's loopback relay (examples/adapters/keptn-lifecycle-operator/loopback.py) must not
outlive the harness: a SIGTERM that reaches the relay alone (the harness died, its parent-death
signal) is passed on to the relay's child, which it otherwise waits for (issue 22: an operator ran
on after its run was stopped)."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

LOOPBACK = Path(__file__).parent.parent / "examples" / "adapters" / "keptn-lifecycle-operator" / "loopback.py"

RELAY = f"""
import importlib.util, subprocess, sys
spec = importlib.util.spec_from_file_location("loopback", {str(LOOPBACK)!r})
loopback = importlib.util.module_from_spec(spec); spec.loader.exec_module(loopback)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
loopback.forward_term_later(child, after=0.3)
print(child.pid, flush=True)
print(child.wait(), flush=True)
"""


def test_a_sigterm_to_the_relay_alone_ends_its_child_after_the_grace():
    relay = subprocess.Popen([sys.executable, "-c", RELAY], stdout=subprocess.PIPE, text=True)
    try:
        int(relay.stdout.readline())
        relay.send_signal(signal.SIGTERM)  # the relay only, not its process group
        time.sleep(0.1)
        assert relay.poll() is None, "the relay must not die of SIGTERM before its child has ended"
        assert relay.wait(timeout=10) == 0
        assert int(relay.stdout.readline()) == -signal.SIGTERM  # its child ended of the forwarded SIGTERM
    finally:
        if relay.poll() is None:
            relay.kill()
