"""Benchmarks of the reference controller on the simulated cluster: promotion overhead, phase
latency, parallelism, scale, and the API server's ceiling (`promotion-conformance bench`)."""
from __future__ import annotations


def main(argv: list[str]) -> int:
    from harness.bench.run import main as run

    return run(argv)
