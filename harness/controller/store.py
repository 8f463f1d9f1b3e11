"""The in-memory cache the watches keep (an informer's store): reconcilers read here, not the API.

Objects go in from the watches and, right after the controller writes one, from the API's answer
(write-through), so that the next reconcile never sees an object older than what it wrote.
Readers get copies; the cache itself is only changed here. Objects are kept without what the
controller never reads (like controller-runtime's cache transforms): `metadata.managedFields` of
every object, and a Job's `spec` (its pod template is most of its size; the controller reads a
Job's owner, finalizers and result conditions). With 1,000 versions at once they were most of the
controller's memory.

Two indexes, like client-go's Indexers, spare the reconcilers a scan of every object of a
namespace (and a copy of each, which the benchmark's profile showed at a fifth of the controller's
time with 1,000 Jobs): OWNER (the UIDs an object names as its owner, by ownerReference or the
reference's `keptn.sh/owner-uid` label) and APP_NAME (a version's `spec.appName`). An index only
narrows the candidates; readers still pass the exact predicate.
"""
from __future__ import annotations

import copy
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable

from harness.controller.checks import OWNER_UID_LABEL
from harness.contract.kinds import JOB, Kind


def _owner_uids(obj: dict) -> Iterable[str]:
    meta = obj["metadata"]
    yield from (ref.get("uid", "") for ref in meta.get("ownerReferences") or [])
    label = (meta.get("labels") or {}).get(OWNER_UID_LABEL)
    if label:
        yield label


def _app_name(obj: dict) -> Iterable[str]:
    spec = obj.get("spec")
    if isinstance(spec, dict) and isinstance(spec.get("appName"), str):
        yield spec["appName"]


OWNER, APP_NAME = "owner", "appName"
INDEXES: dict[str, Callable[[dict], Iterable[str]]] = {OWNER: _owner_uids, APP_NAME: _app_name}

_Key = tuple[str, str]  # (namespace, name)


class Store:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[str, dict[_Key, dict]] = {}
        # kind → index → (namespace, value) → keys
        self._indexed: dict[str, dict[str, dict[_Key, set[_Key]]]] = defaultdict(
            lambda: {index: defaultdict(set) for index in INDEXES})

    def get(self, kind: Kind, namespace: str, name: str) -> dict | None:
        with self._lock:
            found = self._objects.get(kind.kind, {}).get((namespace, name))
            return copy.deepcopy(found) if found is not None else None

    def list(self, kind: Kind, namespace: str | None = None,
             where: Callable[[dict], bool] = lambda _: True) -> list[dict]:
        with self._lock:
            candidates = [obj for (ns, _), obj in self._objects.get(kind.kind, {}).items()
                          if namespace is None or ns == namespace]
        # outside the lock: `where` may read the cache itself; stored objects are never changed in place
        return [copy.deepcopy(obj) for obj in candidates if where(obj)]

    def indexed(self, kind: Kind, index: str, namespace: str, value: str,
                where: Callable[[dict], bool] = lambda _: True) -> list[dict]:
        """Like `list`, among the objects of `namespace` whose `index` (OWNER, APP_NAME) holds `value`."""
        with self._lock:
            objects = self._objects.get(kind.kind, {})
            keys = self._indexed[kind.kind][index].get((namespace, value), ())
            candidates = [objects[key] for key in keys]
        return [copy.deepcopy(obj) for obj in candidates if where(obj)]

    def upsert(self, kind: Kind, obj: dict) -> None:
        """Keep `obj` unless the cache already holds a newer resourceVersion of it."""
        key = _key(obj)
        with self._lock:
            objects = self._objects.setdefault(kind.kind, {})
            current = objects.get(key)
            if current is None or not _older(obj, current):
                self._put(kind.kind, key, obj)

    def remove(self, kind: Kind, obj: dict) -> None:
        with self._lock:
            self._drop(kind.kind, _key(obj))

    def replace(self, kind: Kind, namespace: str | None, items: list[dict]) -> list[dict]:
        """Make the cache hold exactly `items` for this kind (in `namespace`, or all); return the
        objects that were dropped because the API no longer has them."""
        fresh = {_key(obj): obj for obj in items}
        with self._lock:
            objects = self._objects.setdefault(kind.kind, {})
            gone = [obj for key, obj in objects.items()
                    if (namespace is None or key[0] == namespace) and key not in fresh]
            for obj in gone:
                self._drop(kind.kind, _key(obj))
            for key, obj in fresh.items():
                self._put(kind.kind, key, obj)
            return gone

    # the two writers of the cache; both hold the lock

    def _put(self, kind: str, key: _Key, obj: dict) -> None:
        self._drop(kind, key)
        obj = _kept(kind, obj)
        self._objects.setdefault(kind, {})[key] = obj
        for index, values in INDEXES.items():
            for value in values(obj):
                self._indexed[kind][index][(key[0], value)].add(key)

    def _drop(self, kind: str, key: _Key) -> None:
        obj = self._objects.get(kind, {}).pop(key, None)
        if obj is None:
            return
        for index, values in INDEXES.items():
            buckets = self._indexed[kind][index]
            for value in values(obj):
                bucket = buckets.get((key[0], value))
                if bucket is not None:
                    bucket.discard(key)
                    if not bucket:
                        del buckets[(key[0], value)]


def _kept(kind: str, obj: dict) -> dict:
    """What the cache keeps of an object (see the module docstring); the writer's dict is left alone."""
    if kind == JOB.kind and "spec" in obj:
        obj = {key: value for key, value in obj.items() if key != "spec"}
    if "managedFields" in obj["metadata"]:
        obj = {**obj, "metadata": {key: value for key, value in obj["metadata"].items() if key != "managedFields"}}
    return obj


def _key(obj: dict) -> _Key:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


def _older(candidate: dict, current: dict) -> bool:
    """resourceVersions are opaque, but the API server's etcd storage makes them increasing
    integers; when they are not integers the candidate wins."""
    try:
        return int(candidate["metadata"]["resourceVersion"]) < int(current["metadata"]["resourceVersion"])
    except (KeyError, ValueError):
        return False
