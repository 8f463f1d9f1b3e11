"""Sampling the controller with py-spy while a stage runs, and the hot spots of the samples.

py-spy (PyPI `py-spy`) attaches to the running process without changing it. It is not a
dependency of the harness: `--profile` says how to install it when it is missing.
"""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

_RATE = 100  # samples per second
_STOP_SECONDS = 30
_LINE = re.compile(r":\d+\)$")  # "func (file.py:123)" → aggregate by function, not by line
PROJECT = "harness/"


class ProfilerMissing(RuntimeError):
    pass


def py_spy() -> str:
    found = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if not found:
        raise ProfilerMissing("--profile needs py-spy: install it into the venv with `.venv/bin/pip install py-spy`")
    return found


class Sampler:
    """`py-spy record` of one pid into a file of collapsed stacks, from start() to stop()."""

    def __init__(self, pid: int, output: Path):
        self.output = output
        self._command = [py_spy(), "record", "--pid", str(pid), "--rate", str(_RATE), "--format", "raw",
                         "--nonblocking", "--output", str(output)]
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        with open(self.output.with_suffix(".log"), "w") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(self._command, stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> str:
        """Stop sampling (py-spy writes its file on SIGINT) and return the collapsed stacks."""
        if self._process is None:
            return ""
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        return self.output.read_text() if self.output.exists() else ""


def hot_spots(collapsed: str, top: int = 12) -> dict:
    """The functions the samples were in, from py-spy's collapsed stacks (`f1;f2;f3 <count>`).

    `self`: the innermost function of each sample (where the CPU was). `project`: every function
    of the harness on a sampled stack, counted once per stack (the controller code responsible
    for the time, whichever library did the work).
    """
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_LINE.sub(")", frame) for frame in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            if PROJECT in frame:
                inclusive[frame] += int(count)

    def ranked(counter: Counter[str]) -> list[dict]:
        return [{"function": frame, "samples": n, "share": round(n / total, 4)} for frame, n in counter.most_common(top)]

    return {"samples": total, "rateHz": _RATE, "self": ranked(own) if total else [],
            "project": ranked(inclusive) if total else []}
