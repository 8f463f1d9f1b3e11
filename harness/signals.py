"""SIGTERM and SIGHUP stop a run the way Ctrl-C does.

`timeout`, systemd and a CI's cancel button send SIGTERM; a closed terminal sends SIGHUP. Python
ends at once on either, skipping every cleanup; here both raise KeyboardInterrupt in the main
thread instead, as SIGINT does, so pytest ends the session as interrupted, the plugin stops the
implementation and deletes the cluster, and the report is written saying `interrupted: true`.
The signal is remembered, so that the run exits 128 + its number.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

HANDLED = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


@dataclass
class Stopped:
    signal: int | None = None

    @property
    def name(self) -> str:
        return signal.Signals(self.signal).name if self.signal is not None else ""


_received = Stopped()


def _interrupt(signum, _frame) -> None:
    if _received.signal is None:
        _received.signal = signum
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextmanager
def stop_on_signals() -> Iterator[Stopped]:
    """While the block runs (in the main thread), SIGTERM, SIGHUP and SIGINT raise KeyboardInterrupt;
    yields what was received. A signal the process inherited as ignored stays ignored (a job started
    in the background by a non-interactive shell ignores SIGINT, and must keep doing so)."""
    if threading.current_thread() is not threading.main_thread():
        yield _received
        return
    previous = {}
    for number in HANDLED:
        current = signal.getsignal(number)
        if current is signal.SIG_IGN:
            continue
        previous[number] = current
        signal.signal(number, _interrupt)
    try:
        yield _received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
