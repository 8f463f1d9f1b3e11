"""Progress for anything slow: a line at least every 30 s while it runs, so that neither a person
nor a CI log watches a silent build (the project's rule: progress at least every 30 s).

    with heartbeat(say, "compiling kube-apiserver"):
        subprocess.run(...)

prints `still compiling kube-apiserver (30s so far)`, `... (60s so far)`, ... until the block ends.
Written by hand: a background thread with an Event is all it takes; rich and tqdm draw bars for a
terminal, and CI logs must stay plain lines.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

EVERY_SECONDS = 30.0


@contextmanager
def heartbeat(say: Callable[[str], None], doing: str, every: float = EVERY_SECONDS,
              detail: Callable[[], str] | None = None) -> Iterator[None]:
    """Say `still <doing> (Ns so far)` every `every` seconds until the block ends; `detail`, if
    given, is asked each time for a few words on where it stands (e.g. the last line of a log)."""
    done = threading.Event()
    started = time.monotonic()

    def beat() -> None:
        while not done.wait(every):
            where = detail() if detail else ""
            say(f"still {doing} ({time.monotonic() - started:.0f}s so far){f': {where}' if where else ''}")

    thread = threading.Thread(target=beat, name=f"heartbeat: {doing}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def last_line(path) -> Callable[[], str]:
    """A `detail` for heartbeat(): the last non-empty line of a log file, cut to 120 characters."""
    def read() -> str:
        try:
            with open(path, "rb") as log:
                log.seek(0, 2)
                log.seek(max(0, log.tell() - 4096))
                lines = [line.strip() for line in log.read().decode(errors="replace").splitlines() if line.strip()]
        except OSError:
            return ""
        return lines[-1][:120] if lines else ""

    return read
