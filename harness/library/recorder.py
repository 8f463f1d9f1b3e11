"""What a scenario's namespace went through: every version of every watched object, as it arrived.

Polling can miss an object that lived briefly (a promotion KeptnTask created and deleted between
two reads); a watch started before the scenario acts sees every ADDED event. "No promotion task
was ever created" and "each task ran once" are judged from this record, not from a final listing.

The arrival time of each event (`received`, the harness's own clock, sub-second) is a clock the
implementation does not write: judges of order and parallelism compare arrivals, e.g. when the
watch saw a Job's Complete condition and when it saw a promotion KeptnTask appear.

A watch that breaks (a dropped connection, the server ending it) resumes from the last resource
version it saw, losing nothing. Only when the API server can no longer serve that version (410
Gone, e.g. after kube-apiserver restarted and its watch cache started afresh) does the recorder
list again: objects created and deleted meanwhile were never seen. That is a gap in the record;
it is kept (`gaps`), and judges that count what ever existed refuse to judge across one
(`must_be_complete`) instead of passing silently.

The benchmarks time phases from the same record (harness/bench), watching fewer kinds (`kinds`).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.kube import Kube

WATCHED = ("KeptnAppVersion", "KeptnTask", "KeptnEvaluation", "Job", "Pod")
_WATCH_SECONDS = 30  # each watch call is renewed after this long, from the last resourceVersion
_RETRY_SECONDS = 0.5  # after a failed watch or list, before trying again
GONE = 410


@dataclass(frozen=True)
class Observation:
    kind: str
    type: str  # ADDED, MODIFIED, DELETED
    object: dict
    received: float  # time.time() when the event arrived


@dataclass(frozen=True)
class Gap:
    """The watch of `kind` could not resume: what was created and deleted between `since` (the last
    moment the watch was known to be complete) and `until` (the new list) was never seen."""

    kind: str
    since: float
    until: float
    reason: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.until - self.since:.1f}s without a watch ({self.reason})"


@dataclass
class Recorder:
    kube: Kube
    namespace: str
    kinds: tuple[str, ...] = WATCHED
    observations: list[Observation] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # every watch or list error, for diagnostics
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _started: dict[str, threading.Event] = field(default_factory=dict)

    def start(self) -> "Recorder":
        for kind in self.kinds:
            self._started[kind] = threading.Event()
            thread = threading.Thread(target=self._watch, args=(kind,), name=f"recorder-{kind}", daemon=True)
            thread.start()
            self._threads.append(thread)
        for kind, started in self._started.items():
            if not started.wait(timeout=30):
                raise RuntimeError(f"the recorder could not start its watch of {kind} in {self.namespace}: "
                                   f"{self.errors[-1] if self.errors else 'no answer'}")
        return self

    def stop(self) -> None:
        self._stop.set()

    # -- what was seen ----------------------------------------------------------------------

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

    def latest(self, kind: str) -> list[dict]:
        """The last observed version of every object of `kind` the watch has not seen deleted."""
        found: dict[str, dict] = {}
        for observation in self.seen(kind):
            uid = observation.object["metadata"]["uid"]
            if observation.type == "DELETED":
                found.pop(uid, None)
            else:
                found[uid] = observation.object
        return list(found.values())

    def first_arrivals(self, kind: str, state: Callable[[dict], bool]) -> dict[str, tuple[float, dict]]:
        """uid → (arrival, object) of the first observation of each object of `kind` in which
        `state` held: e.g. when the watch first saw each Job with a Complete condition."""
        found: dict[str, tuple[float, dict]] = {}
        for observation in self.seen(kind):
            if observation.type != "DELETED" and state(observation.object):
                found.setdefault(observation.object["metadata"]["uid"], (observation.received, observation.object))
        return found

    def must_be_complete(self, kinds: tuple[str, ...] = WATCHED) -> None:
        """A judge that counts what ever existed needs a record without gaps."""
        gaps = [gap for gap in self.gaps if gap.kind in kinds]
        assert not gaps, ("the scenario's record of namespace " + self.namespace + " has gaps, so objects created and "
                          "deleted meanwhile could not be seen: " + "; ".join(map(str, gaps)))

    # -- the watches ------------------------------------------------------------------------

    def _watch(self, kind: str) -> None:
        resource_version, last_contact = None, time.time()
        known: dict[str, dict] = {}  # uid → the last version seen, to tell what vanished during a gap
        while not self._stop.is_set():
            try:
                if resource_version is None:
                    resource_version = self._list(kind, known, last_contact)
                    self._started[kind].set()
                for event in self.kube.watch(kind, self.namespace, resource_version, _WATCH_SECONDS):
                    if self._stop.is_set():
                        return
                    obj = event["raw_object"]
                    if event["type"] == "ERROR":
                        if obj.get("code") == GONE:
                            resource_version = None  # the version is gone: list again, which is a gap
                            break
                        raise RuntimeError(f"watch error: {obj.get('message', obj)}")
                    last_contact = time.time()
                    resource_version = obj["metadata"]["resourceVersion"]
                    if event["type"] != "BOOKMARK":
                        self._record(kind, event["type"], obj)
                        uid = obj["metadata"]["uid"]
                        if event["type"] == "DELETED":
                            known.pop(uid, None)
                        else:
                            known[uid] = obj
                else:
                    last_contact = time.time()  # the server ended the watch after its timeout: resume
            except Exception as error:  # noqa: BLE001 - the API server went away, or the namespace is going
                if getattr(error, "status", None) == GONE:
                    resource_version = None
                self.errors.append(f"{time.strftime('%H:%M:%S')} {kind}: {type(error).__name__}: {str(error)[:200]}")
                if self._stop.wait(_RETRY_SECONDS):
                    return

    def _list(self, kind: str, known: dict[str, dict], last_contact: float) -> str:
        """List `kind`; record what is new, and after the first list, what vanished and the gap."""
        listing = self.kube.listing(kind, self.namespace)
        now = time.time()
        items = listing["items"]
        if self._started[kind].is_set():
            self.gaps.append(Gap(kind, last_contact, now, "the watch could not resume: 410 Gone"))
            present = {item["metadata"]["uid"] for item in items}
            for uid in [uid for uid in known if uid not in present]:
                self._record(kind, "DELETED", known.pop(uid))
        for item in items:
            previous = known.get(item["metadata"]["uid"])
            if previous is None or previous["metadata"]["resourceVersion"] != item["metadata"]["resourceVersion"]:
                self._record(kind, "ADDED" if previous is None else "MODIFIED", item)
            known[item["metadata"]["uid"]] = item
        return listing["metadata"]["resourceVersion"]

    def _record(self, kind: str, event_type: str, obj: dict) -> None:
        with self._lock:
            self.observations.append(Observation(kind, event_type, obj, time.time()))
