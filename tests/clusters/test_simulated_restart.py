"""The simulated cluster waits for what it stopped: a restarted component until its port can be bound
again, a deleted cluster until its killed processes have exited."""
from __future__ import annotations

import socket
import threading

import pytest

from harness.clusters.provider import ProviderError
from harness.clusters.simulated import _wait_until_free


def test_a_port_still_listened_on_is_named_when_it_never_frees():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(ProviderError, match=rf"port {port} of kube-apiserver of 'c1' was still in use"):
            _wait_until_free(port, "kube-apiserver of 'c1'", timeout=0.3)


def test_a_port_freed_while_waiting_is_taken_at_once():
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    threading.Timer(0.3, holder.close).start()
    _wait_until_free(port, "kube-apiserver of 'c1'", timeout=5)


def test_a_deleted_cluster_waits_until_its_killed_processes_have_exited(monkeypatch, tmp_path):
    from harness.clusters import simulated, toolchain

    monkeypatch.setattr(simulated, "workdir", lambda: tmp_path)
    monkeypatch.setattr(toolchain, "ensure", lambda binaries, progress=None: {})
    monkeypatch.setattr(simulated.SimulatedProvider, "_kwokctl", lambda self, *args, **kwargs: None)
    killed, polls = [], []
    monkeypatch.setattr(simulated, "_kill", killed.append)
    monkeypatch.setattr(simulated.processes, "alive", lambda pid: polls.append(pid) or len(polls) <= 3)  # exits on the 4th look
    cluster = simulated.SimulatedProvider("c1")
    (cluster.cluster_dir / "pids").mkdir(parents=True)
    (cluster.cluster_dir / "pids" / "host-runner.pid").write_text("4242")
    cluster.delete()
    assert killed == [4242] and polls == [4242] * 4
    assert not cluster.cluster_dir.exists()


def test_a_process_that_does_not_exit_is_named():
    from harness.clusters.simulated import _wait_gone

    with pytest.raises(ProviderError, match=r"simulated cluster 'c1': processes \[1\] still run"):
        _wait_gone([1], "simulated cluster 'c1'", timeout=0.2)  # init never exits
