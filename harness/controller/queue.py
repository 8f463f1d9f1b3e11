"""The work queue between the watches and the reconcilers (contract §6: event-driven).

Hand-written after client-go's workqueue, which has no maintained Python counterpart:
- a key queued several times before a worker takes it is processed once (de-duplication);
- a key is never handed to two workers at once; added again while processed, it runs once more after;
- `add_after` schedules a delayed reconcile (evaluation retries, the deploy timeout): the only
  timers, no fixed-interval polling;
- `add_rate_limited` backs off exponentially per key after reconcile errors, `forget` resets it.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable


class WorkQueue:
    def __init__(self, clock: Callable[[], float] = time.monotonic, base_delay: float = 0.05,
                 max_delay: float = 60.0):
        self._clock = clock
        self._base_delay, self._max_delay = base_delay, max_delay
        self._lock = threading.Condition()
        self._ready: deque[Hashable] = deque()
        self._dirty: set[Hashable] = set()  # queued and not yet handed out
        self._processing: set[Hashable] = set()
        self._waiting: dict[Hashable, float] = {}  # key → earliest due time of its delayed adds
        self._failures: dict[Hashable, int] = {}
        self._shutting_down = False

    def add(self, key: Hashable) -> None:
        with self._lock:
            self._add(key)

    def add_after(self, key: Hashable, delay: float) -> None:
        if delay <= 0:
            self.add(key)
            return
        with self._lock:
            due = self._clock() + delay
            if due < self._waiting.get(key, float("inf")):
                self._waiting[key] = due
                self._lock.notify()

    def add_rate_limited(self, key: Hashable) -> float:
        """Requeue after 2^n × base (capped), n = failures of this key so far; return the delay."""
        with self._lock:
            failures = self._failures.get(key, 0)
            self._failures[key] = failures + 1
        delay = min(self._base_delay * 2 ** failures, self._max_delay)
        self.add_after(key, delay)
        return delay

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def get(self, timeout: float | None = None) -> Hashable | None:
        """The next key to process, or None on shutdown or after `timeout` seconds."""
        with self._lock:
            deadline = None if timeout is None else self._clock() + timeout
            while True:
                now = self._clock()
                self._promote_due(now)
                if self._ready:
                    key = self._ready.popleft()
                    self._dirty.discard(key)
                    self._processing.add(key)
                    return key
                if self._shutting_down or (deadline is not None and now >= deadline):
                    return None
                waits = [t - now for t in (min(self._waiting.values(), default=None), deadline) if t is not None]
                self._lock.wait(min(waits) if waits else None)

    def done(self, key: Hashable) -> None:
        """The worker finished `key`; if it was added meanwhile, it is queued again now."""
        with self._lock:
            self._processing.discard(key)
            if key in self._dirty:
                self._ready.append(key)
                self._lock.notify()

    def shutdown(self) -> None:
        with self._lock:
            self._shutting_down = True
            self._lock.notify_all()

    def __len__(self) -> int:
        with self._lock:
            return len(self._ready)

    def _add(self, key: Hashable) -> None:
        if self._shutting_down or key in self._dirty:
            return
        self._dirty.add(key)
        if key not in self._processing:
            self._ready.append(key)
            self._lock.notify()

    def _promote_due(self, now: float) -> None:
        for key, due in list(self._waiting.items()):
            if due <= now:
                del self._waiting[key]
                self._add(key)
