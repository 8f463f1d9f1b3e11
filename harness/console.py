"""What the harness tells a person while it works: one line per message, `[topic] message`, on
stderr and at once, so a terminal and a CI log show the same and stdout stays for results. A process
whose output is its log file (the host runner) stamps each line with the time instead of a topic."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def speaker(topic: str) -> Callable[[str], None]:
    """A `say(message)` that prints `[topic] message`."""
    def say(message: str) -> None:
        print(f"[{topic}] {message}", file=sys.stderr, flush=True)

    return say


def log_writer(stream: TextIO | None = None) -> Callable[[str], None]:
    """A `say(message)` for a process's log: `HH:MM:SS message` on stdout (or `stream`)."""
    def say(message: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {message}", file=stream or sys.stdout, flush=True)

    return say
