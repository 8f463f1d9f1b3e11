"""Benchmarks of any implementation through its adapter, each on a fresh cluster, side by side:
promotion overhead, phase latency, parallelism against the cluster's floor, scale, and the API
server's ceiling (`promotion-conformance bench --impl ADAPTER [--impl ADAPTER2]`)."""
from __future__ import annotations


def main(argv: list[str]) -> int:
    from harness.bench.command import main as run

    return run(argv)
