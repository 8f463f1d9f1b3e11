"""The machine a run measured on: CPUs, memory, CPU model and how busy it was."""
from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> dict:
    return {
        "cpus": len(os.sched_getaffinity(0)),  # what `nproc` prints
        "memoryBytes": _meminfo_bytes("MemTotal"),
        "cpuModel": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def load_average() -> float:
    """The 1-minute load average: above the CPU count, other work competed with the run."""
    return round(os.getloadavg()[0], 2)


def _meminfo_bytes(field: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0]) * 1024  # the file says kB
    raise RuntimeError(f"/proc/meminfo has no {field} line")


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "model name":
            return value.strip()
    return platform.processor() or "unknown"
