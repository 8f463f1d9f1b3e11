"""Free loopback ports for the processes the harness starts (an observer kube-apiserver, Flux)."""
from __future__ import annotations

import socket


def free_ports(count: int = 1) -> list[int]:
    """Ports the kernel hands out as free on 127.0.0.1, from its ephemeral range (away from the
    ports kwokctl scans down from 32766); held together while chosen, so they differ."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()
