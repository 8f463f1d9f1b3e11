"""What the harness tells a person while it works: one line per message, `[topic] message`, on
stderr and at once, so a terminal and a CI log show the same and stdout stays for results."""
from __future__ import annotations

import sys
from collections.abc import Callable


def speaker(topic: str) -> Callable[[str], None]:
    """A `say(message)` that prints `[topic] message`."""
    def say(message: str) -> None:
        print(f"[{topic}] {message}", file=sys.stderr, flush=True)

    return say
