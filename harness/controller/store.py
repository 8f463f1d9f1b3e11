"""The in-memory cache the watches keep (an informer's store): reconcilers read here, not the API.

Objects go in from the watches and, right after the controller writes one, from the API's answer
(write-through), so that the next reconcile never sees an object older than what it wrote.
Readers get copies; the cache itself is only changed here.
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Callable

from harness.controller.kinds import Kind


class Store:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._objects: dict[str, dict[tuple[str, str], dict]] = {}

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

    def upsert(self, kind: Kind, obj: dict) -> None:
        """Keep `obj` unless the cache already holds a newer resourceVersion of it."""
        key = _key(obj)
        with self._lock:
            objects = self._objects.setdefault(kind.kind, {})
            current = objects.get(key)
            if current is None or not _older(obj, current):
                objects[key] = obj

    def remove(self, kind: Kind, obj: dict) -> None:
        with self._lock:
            self._objects.get(kind.kind, {}).pop(_key(obj), None)

    def replace(self, kind: Kind, namespace: str | None, items: list[dict]) -> list[dict]:
        """Make the cache hold exactly `items` for this kind (in `namespace`, or all); return the
        objects that were dropped because the API no longer has them."""
        fresh = {_key(obj): obj for obj in items}
        with self._lock:
            objects = self._objects.setdefault(kind.kind, {})
            gone = [obj for key, obj in objects.items()
                    if (namespace is None or key[0] == namespace) and key not in fresh]
            for obj in gone:
                objects.pop(_key(obj))
            objects.update(fresh)
            return gone


def _key(obj: dict) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


def _older(candidate: dict, current: dict) -> bool:
    """resourceVersions are opaque, but the API server's etcd storage makes them increasing
    integers; when they are not integers the candidate wins."""
    try:
        return int(candidate["metadata"]["resourceVersion"]) < int(current["metadata"]["resourceVersion"])
    except (KeyError, ValueError):
        return False
