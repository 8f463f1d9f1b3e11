"""How many scenarios a run puts side by side (pytest-xdist workers), from what the machine has free.

A worker costs CPU and memory beyond the cluster every run brings up anyway: its pytest process,
its share of the shared cluster's work (API server, etcd, the implementation answering its
scenario), and the cluster of its own that an isolated scenario (CRD compatibility, @exclusive)
brings up while it runs. `choose` divides what is free by that cost:

- CPU: cores minus what others already use, divided by the cores one worker keeps busy on average.
  What others use is the 1-minute load average, unless the cores were less busy than that in each of
  the last three seconds: the load average still counts, for about a minute, a run that just ended
  (the unit tests before the features in `make test`, the run before), which uses nothing now. The
  busiest of the three seconds counts, as others' work comes in bursts (a mutant run beside this
  one: 0.4 to 1.2 cores busy from one second to the next at a load of 3.7);
- memory: the kernel's MemAvailable minus the shared cluster and implementation, divided by one
  worker's memory.

The smaller quotient wins, at least 1 and at most `MAX_WORKERS`. The costs are measured, not
guessed; see the constants. `-n` (or `workers:` in an options file) overrides the choice.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

GIB = 1024 ** 3

# What one worker costs, measured on this project's 2-vCPU machine from runs of
# `promotion-conformance run --provider simulated --profile core` against the reference, sampling every
# 2 s the proportional set size (PSS) and CPU time of the run's processes and of every process of the
# clusters it made (docs/performance.md, "Workers", December 7, 2026):
# - memory: an xdist worker peaked at 104 MiB, and a cluster of a scenario's own (CRD compatibility,
#   @exclusive) with its implementation instance at 493-601 MiB while that worker ran it: 0.6-0.7 GiB,
#   rounded up to 1 GiB for the API server's cache growing over a longer run;
WORKER_BYTES = 1 * GIB
# - the shared cluster, the implementation, its host runner and the controlling pytest process
#   peaked at 0.62 GiB together (a whole 2-worker run at 1.32 GiB), rounded up to 1 GiB;
SHARED_BYTES = 1 * GIB
# - CPU: a 2-worker suite left a 2-core machine 46 % idle (issue 24, sampled every 10 s on a quiet
#   fresh machine), so each worker with its share of the cluster and implementation kept 0.54 core
#   busy. (Runs on a machine at load 15-19 measured 0.15-0.23 core a worker: starved, not cheaper.)
CORES_PER_WORKER = 0.54
# Measured only up to 2 workers; the schedule's longest scenarios (about 2 min) bound a run anyway.
# An options file allows up to 16 by hand.
MAX_WORKERS = 4


@dataclass(frozen=True)
class Machine:
    cpus: int
    load: float  # 1-minute load average
    available_bytes: int  # MemAvailable
    busy: float | None = None  # cores busy in the busiest of the last seconds (None: not measured)

    @property
    def used_cores(self) -> float:
        return self.load if self.busy is None else min(self.load, self.busy)


def measure(sample_seconds: float = 1.0, samples: int = 3) -> Machine:
    """This machine now: usable CPUs, load, cores busy in the busiest of `samples` windows of
    `sample_seconds`, available memory (Linux's /proc/stat and /proc/meminfo)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    windows = [_busy_cores(sample_seconds) for _ in range(samples)]
    busy = None if None in windows else max(windows)
    return Machine(cpus=cpus, load=os.getloadavg()[0], available_bytes=_mem_available(), busy=busy)


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot: the first line of /proc/stat, where idle and
    iowait are the 4th and 5th numbers."""
    numbers = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(numbers) - numbers[3] - numbers[4], sum(numbers)


def _busy_cores(seconds: float) -> float | None:
    try:
        busy_before, total_before = _cpu_times()
        time.sleep(seconds)
        busy_after, total_after = _cpu_times()
    except (OSError, ValueError, IndexError):
        return None
    total = total_after - total_before
    cores = os.cpu_count() or 1  # /proc/stat's first line adds up every CPU of the machine
    return cores * (busy_after - busy_before) / total if total > 0 else None


def _mem_available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    raise OSError("/proc/meminfo has no MemAvailable line")


def choose(machine: Machine) -> tuple[int, str]:
    """(workers, one line saying why) for `machine`."""
    free_cores = max(0.0, machine.cpus - machine.used_cores)
    by_cpu = int(free_cores / CORES_PER_WORKER)
    by_memory = int(max(0, machine.available_bytes - SHARED_BYTES) // WORKER_BYTES)
    workers = max(1, min(by_cpu, by_memory, MAX_WORKERS))
    if min(by_cpu, by_memory) >= MAX_WORKERS:
        limit = f"at most {MAX_WORKERS}"
    elif by_cpu <= by_memory:
        limit = f"{free_cores:.1f} free cores at {CORES_PER_WORKER} a worker"
    else:
        limit = f"{WORKER_BYTES / GIB:g} GiB a worker"
    busy = f", {machine.busy:.1f} busy now" if machine.busy is not None else ""
    return workers, (f"workers: {workers} ({machine.cpus} cores, load {machine.load:.1f}{busy}, "
                     f"{machine.available_bytes / GIB:.0f} GiB free; {limit}; -n overrides)")
