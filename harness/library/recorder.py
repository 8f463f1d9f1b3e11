"""What a scenario's namespace went through: every version of every watched object, as it arrived.

Polling can miss an object that lived briefly (a promotion KeptnTask created and deleted between
two reads); a watch started before the scenario acts sees every ADDED event. "No promotion task
was ever created" is checked against this record, not against a final listing.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from harness.library.kube import Kube

WATCHED = ("KeptnAppVersion", "KeptnTask", "KeptnEvaluation", "Job", "Pod")
_WATCH_SECONDS = 30  # each watch call is renewed after this long, from the last resourceVersion


@dataclass(frozen=True)
class Observation:
    kind: str
    type: str  # ADDED, MODIFIED, DELETED
    object: dict
    received: float  # time.time() when the event arrived


@dataclass
class Recorder:
    kube: Kube
    namespace: str
    observations: list[Observation] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _started: dict[str, threading.Event] = field(default_factory=dict)

    def start(self) -> "Recorder":
        for kind in WATCHED:
            self._started[kind] = threading.Event()
            thread = threading.Thread(target=self._watch, args=(kind,), name=f"recorder-{kind}", daemon=True)
            thread.start()
            self._threads.append(thread)
        for kind, started in self._started.items():
            if not started.wait(timeout=30):
                raise RuntimeError(f"the recorder could not start its watch of {kind} in {self.namespace}")
        return self

    def stop(self) -> None:
        self._stop.set()

    def seen(self, kind: str) -> list[Observation]:
        with self._lock:
            return [o for o in self.observations if o.kind == kind]

    def ever(self, kind: str, predicate) -> list[dict]:
        """Every distinct object (by uid) of `kind` that was ever observed matching `predicate`."""
        found: dict[str, dict] = {}
        for observation in self.seen(kind):
            if predicate(observation.object):
                found.setdefault(observation.object["metadata"]["uid"], observation.object)
        return list(found.values())

    def _watch(self, kind: str) -> None:
        resource_version = None
        while not self._stop.is_set():
            try:
                if resource_version is None:
                    listing = self.kube._resource(kind).get(namespace=self.namespace)
                    resource_version = listing.metadata.resourceVersion
                    for item in listing.items:
                        self._record(kind, "ADDED", item.to_dict())
                    self._started[kind].set()
                for event in self.kube._resource(kind).watch(
                    namespace=self.namespace, resource_version=resource_version, timeout=_WATCH_SECONDS
                ):
                    if self._stop.is_set():
                        return
                    obj = event["raw_object"]
                    if event["type"] == "ERROR":
                        resource_version = None  # 410 Gone: list again
                        break
                    resource_version = obj["metadata"]["resourceVersion"]
                    if event["type"] != "BOOKMARK":
                        self._record(kind, event["type"], obj)
            except Exception:  # the API server restarted or the namespace is being deleted: list again
                if self._stop.wait(0.5):
                    return
                resource_version = None

    def _record(self, kind: str, event_type: str, obj: dict) -> None:
        with self._lock:
            self.observations.append(Observation(kind, event_type, obj, time.time()))
