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

import pytest

LOOPBACK = Path(__file__).parents[2] / "examples" / "adapters" / "keptn-lifecycle-operator" / "loopback.py"

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


INSIDE = f"""
import importlib.util, socket, subprocess, sys
from pathlib import Path

import pytest
spec = importlib.util.spec_from_file_location("loopback", {str(LOOPBACK)!r})
loopback = importlib.util.module_from_spec(spec); spec.loader.exec_module(loopback)
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
relay = loopback._redirect_outbound(api_port=1)
assert relay is not None
loopback._relay_outbound_in(relay, Path(sys.argv[1]))
with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10) as sock:
    sock.sendall(b"ping")
    print(sock.recv(16).decode(), flush=True)
"""


def _loopback_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location("loopback", LOOPBACK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_operator_reaches_a_port_of_this_machines_loopback_chosen_after_it_started(tmp_path):
    """An OTLP receiver a scenario starts on 127.0.0.1 at a free port is reached from the operator's
    network namespace at the same address (the nftables redirect and the outbound relay)."""
    import shutil
    import socket
    import threading
    if not shutil.which("unshare") or not shutil.which("nft"):
        pytest.skip("needs unshare and nft, as the adapter does")
    loopback = _loopback_module()
    loopback._relay_outbound_out(loopback._unix_listener(tmp_path / "out.sock"))
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def echo():
        client, _ = server.accept()
        with client:
            client.sendall(b"pong:" + client.recv(16))
    threading.Thread(target=echo, daemon=True).start()
    inside = subprocess.run(["unshare", "--user", "--map-root-user", "--net", sys.executable, "-c", INSIDE,
                             str(tmp_path), str(port)], capture_output=True, text=True, timeout=30)
    server.close()
    assert inside.returncode == 0, inside.stderr
    assert inside.stdout.strip() == "pong:ping"
