"""CPU time and memory of one process, from /proc (psutil is not a dependency; these are two files).

CPU seconds are user + system time of all its threads; peak RSS is the kernel's high-water mark
(VmHWM) since the process started, so a controller restarted just before a stage measures that
stage's peak exactly, without sampling.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    cpu_seconds: float
    rss_bytes: int
    peak_rss_bytes: int


def usage(pid: int) -> Usage:
    """Raises ProcessLookupError naming the pid when the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        raise ProcessLookupError(f"process {pid} is gone: no /proc/{pid}") from None
    return Usage(cpu_seconds(stat), status_bytes(status, "VmRSS"), status_bytes(status, "VmHWM"))


def cpu_seconds(stat: str) -> float:
    """utime + stime of a /proc/<pid>/stat line, in seconds. The command name (field 2) may hold
    spaces and parentheses, so fields are counted after its closing parenthesis."""
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / _TICKS


def status_bytes(status: str, field: str) -> int:
    """A `VmRSS:   1234 kB` line of /proc/<pid>/status, in bytes."""
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0]) * 1024
    raise ValueError(f"/proc status has no {field} line")
