"""CPU time and memory of a local implementation, from /proc (psutil is not a dependency; these are
two files per process).

The harness starts a process-mode implementation in a session of its own (runner.py), so its
process group is everything it runs: the figures are summed over the group, which for a single
process (the reference) is that process. CPU seconds are user + system time of all threads; peak
RSS is the kernel's high-water mark (VmHWM) since each process started, so an implementation
restarted just before a stage measures that stage's peak exactly, without sampling.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PROC = Path("/proc")


@dataclass(frozen=True)
class Usage:
    cpu_seconds: float
    rss_bytes: int
    peak_rss_bytes: int
    processes: int


def usage(group: int, proc: Path = _PROC) -> Usage:
    """Summed over the live processes of process group `group`; ProcessLookupError names the group
    when none is left."""
    cpu, rss, peak, count = 0.0, 0, 0, 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if process_group(stat) != group:
                continue
            status = (entry / "status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended while we looked
        if "VmHWM" not in status:
            continue  # a zombie: its memory is gone
        cpu += cpu_seconds(stat)
        rss += status_bytes(status, "VmRSS")
        peak += status_bytes(status, "VmHWM")
        count += 1
    if not count:
        raise ProcessLookupError(f"no live process in process group {group} (/proc)")
    return Usage(cpu, rss, peak, count)


def _fields(stat: str) -> list[str]:
    """The fields of a /proc/<pid>/stat line after the command name (field 2), which may hold
    spaces and parentheses: counted after its closing parenthesis, so [0] is field 3 of proc(5)."""
    return stat.rsplit(")", 1)[1].split()


def process_group(stat: str) -> int:
    return int(_fields(stat)[2])  # field 5 of proc(5)


def cpu_seconds(stat: str) -> float:
    """utime + stime of a /proc/<pid>/stat line, in seconds."""
    fields = _fields(stat)
    return (int(fields[11]) + int(fields[12])) / _TICKS  # fields 14 and 15 of proc(5)


def status_bytes(status: str, field: str) -> int:
    """A `VmRSS:   1234 kB` line of /proc/<pid>/status, in bytes."""
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0]) * 1024
    raise ValueError(f"/proc status has no {field} line")
