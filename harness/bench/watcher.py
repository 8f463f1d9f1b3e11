"""What happened in a benchmark namespace, and when this process heard of it.

The step library's Recorder keeps every event of five kinds (Pods included); a benchmark needs
less and must load the machine less, since it competes with the controller for the same CPUs:
per object only the time its ADDED event arrived (`first_seen`, wall clock, comparable with the
microsecond status times the controller stamps on the same machine), the time an event first showed
it finished (`finished_seen`: a Job's result condition) and its latest state.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

from kubernetes import client, watch

from harness.contract.jobs import job_result
from harness.contract.kinds import Kind

_WATCH_SECONDS = 60  # each watch request is renewed after this, from the last resourceVersion
_AFTER_ERROR = 0.5


class WaitTimedOut(AssertionError):
    """A wait gave up; the message names what it waited for."""


def finished(job: dict) -> bool:
    """A Job with a result by SPEC §5 (Complete/SuccessCriteriaMet, Failed/FailureTarget): the
    first moment any implementation can know it ended (other kinds never count as finished here)."""
    return job_result(job) is not None


class Watcher:
    """Watches kinds in one namespace from before anything is created there, until `stop()` or
    `lifetime` seconds (every loop here is bounded by that)."""

    def __init__(self, api_client: client.ApiClient, namespace: str, kinds: tuple[Kind, ...], lifetime: float,
                 say: Callable[[str], None]):
        self.namespace = namespace
        self.lists: Counter[str] = Counter()  # LIST requests sent, by `LIST plural` (the scale stage subtracts them)
        self._say = say
        self._api = client.CustomObjectsApi(api_client)
        self._kinds = kinds
        self._deadline = time.monotonic() + lifetime
        self._changed = threading.Condition()
        self._stopped = threading.Event()
        self._synced = {kind: threading.Event() for kind in kinds}
        self._first_seen: dict[tuple[Kind, str], float] = {}
        self._finished_seen: dict[tuple[Kind, str], float] = {}
        self._latest: dict[Kind, dict[str, dict]] = {kind: {} for kind in kinds}

    def start(self, timeout: float = 30) -> "Watcher":
        for kind in self._kinds:
            threading.Thread(target=self._run, args=(kind,), name=f"bench-watch-{kind.plural}", daemon=True).start()
        for kind, synced in self._synced.items():
            if not synced.wait(timeout):
                raise WaitTimedOut(f"timed out after {timeout:.0f}s waiting for the first list of {kind.plural} "
                                   f"in namespace {self.namespace}")
        return self

    def stop(self) -> None:
        self._stopped.set()
        with self._changed:
            self._changed.notify_all()

    # -- reading --------------------------------------------------------------------------

    def first_seen(self, kind: Kind, name: str) -> float | None:
        with self._changed:
            return self._first_seen.get((kind, name))

    def finished_seen(self, kind: Kind, name: str) -> float | None:
        with self._changed:
            return self._finished_seen.get((kind, name))

    def objects(self, kind: Kind) -> list[dict]:
        with self._changed:
            return list(self._latest[kind].values())

    def wait_until(self, holds: Callable[["Watcher"], bool], waiting_for: str, timeout: float) -> bool:
        """Block until `holds(self)` is true (re-checked on every event); after `timeout` say what
        was awaited and return False. Benchmarks report what did not happen instead of failing."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not holds(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopped.is_set():
                    self._say(f"  gave up after {timeout:.0f}s waiting for {waiting_for}")
                    return False
                self._changed.wait(min(remaining, 1.0))
        return True

    # -- watching -------------------------------------------------------------------------

    def _run(self, kind: Kind) -> None:
        resource_version = None
        while not self._stopped.is_set() and time.monotonic() < self._deadline:
            try:
                if resource_version is None:
                    listing = self._api.list_namespaced_custom_object(kind.group, kind.version, self.namespace, kind.plural)
                    self.lists[f"LIST {kind.plural}"] += 1
                    for obj in listing["items"]:
                        self._record(kind, obj)
                    resource_version = listing["metadata"]["resourceVersion"]
                    self._synced[kind].set()
                stream = watch.Watch()
                for event in stream.stream(self._api.list_namespaced_custom_object, kind.group, kind.version,
                                           self.namespace, kind.plural, resource_version=resource_version,
                                           allow_watch_bookmarks=True, timeout_seconds=_WATCH_SECONDS):
                    if self._stopped.is_set():
                        stream.stop()
                        return
                    obj = event["raw_object"]
                    resource_version = obj["metadata"]["resourceVersion"]
                    if event["type"] in ("ADDED", "MODIFIED"):
                        self._record(kind, obj)
            except Exception:  # noqa: BLE001 - a dropped connection or 410 Gone: list again, within the lifetime
                resource_version = None
                self._stopped.wait(_AFTER_ERROR)

    def _record(self, kind: Kind, obj: dict) -> None:
        received = time.time()
        key = (kind, obj["metadata"]["name"])
        with self._changed:
            self._first_seen.setdefault(key, received)
            if finished(obj):
                self._finished_seen.setdefault(key, received)
            self._latest[kind][key[1]] = obj
            self._changed.notify_all()
