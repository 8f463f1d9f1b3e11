"""Restarting a component of the simulated cluster waits until its port can be bound again."""
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
