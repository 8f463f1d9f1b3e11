"""The reference controller's API (harness.controller.api_calls.Kube) and event recorder, over objects kept
in a test: conditional writes answered as the API server answers them, every write recorded."""
from __future__ import annotations

import itertools
import random
import threading

from kubernetes.client.rest import ApiException

from harness.controller.context import Context
from harness.controller.queue import WorkQueue
from harness.controller.settings import parse_settings
from harness.controller.store import Store


class FakeApi:
    """The API: objects by kind, resourceVersions, conditional writes; records every write."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str], dict] = {}
        self.writes: list[tuple[str, str, str]] = []
        self._versions = itertools.count(100)

    def put(self, kind, obj) -> dict:
        meta = obj["metadata"]
        meta.setdefault("uid", f"{meta['name']}-uid")
        meta.setdefault("creationTimestamp", "2030-01-01T00:00:00Z")
        meta["resourceVersion"] = str(next(self._versions))
        self.objects[(kind.kind, meta["namespace"], meta["name"])] = obj
        return obj

    def list(self, kind, namespace=None, label_selector=None):
        wanted = dict(part.split("=") for part in label_selector.split(",")) if label_selector else {}
        items = [o for (k, ns, _), o in self.objects.items() if k == kind.kind and ns == namespace
                 and all((o["metadata"].get("labels") or {}).get(l) == v for l, v in wanted.items())]
        return items, "1"

    def get(self, kind, namespace, name):
        return self.objects.get((kind.kind, namespace, name))

    def create(self, kind, obj):
        if self.get(kind, obj["metadata"]["namespace"], obj["metadata"]["name"]) is not None:
            raise ApiException(status=409)  # AlreadyExists; nothing written
        self.writes.append(("create", kind.kind, obj["metadata"]["name"]))
        return self.put(kind, obj)

    def create_unless_exists(self, kind, obj):
        if self.get(kind, obj["metadata"]["namespace"], obj["metadata"]["name"]) is not None:
            return None  # the API server's 409, as harness.controller.api_calls turns it into None
        return self.create(kind, obj)

    def patch(self, kind, namespace, name, patch):
        return self._merge(kind, namespace, name, patch, "patch")

    def json_patch(self, kind, namespace, name, operations):
        """The controller's one JSON patch: test, then remove, an entry of metadata.finalizers."""
        current = self.objects.get((kind.kind, namespace, name))
        if current is None:
            raise ApiException(status=404)
        finalizers = current["metadata"].get("finalizers") or []
        for operation in operations:
            index = int(operation["path"].removeprefix("/metadata/finalizers/"))
            if operation["op"] == "test" and (index >= len(finalizers) or finalizers[index] != operation["value"]):
                raise ApiException(status=422)  # nothing applied
            if operation["op"] == "remove":
                del finalizers[index]
        self.writes.append(("patch", kind.kind, name))
        return self.put(kind, current)

    def patch_status(self, kind, namespace, name, patch):
        return self._merge(kind, namespace, name, patch, "status")

    def _merge(self, kind, namespace, name, patch, what):
        current = self.objects.get((kind.kind, namespace, name))
        if current is None:
            raise ApiException(status=404)
        if patch.get("metadata", {}).get("resourceVersion") not in (None, current["metadata"]["resourceVersion"]):
            raise ApiException(status=409)
        self.writes.append((what, kind.kind, name))
        for section, values in patch.items():
            if section == "metadata":
                current["metadata"].update({k: v for k, v in values.items() if k != "resourceVersion"})
            else:
                current[section] = {**(current.get(section) or {}), **values}
        return self.put(kind, current)


class Events:
    def __init__(self) -> None:
        self.sent = []

    def emit(self, obj, kind, event_type, reason, message):
        self.sent.append((kind.kind, obj["metadata"]["name"], event_type, reason))


def context_over(kube: FakeApi) -> Context:
    """What the reconcilers share, over `kube`, with promotion tasks enabled."""
    return Context(kube=kube, store=Store(), queue=WorkQueue(), events=Events(),
                   settings=parse_settings([], {"PROMOTION_TASKS_ENABLED": "true"}), rng=random.Random(1))


class ScriptedLists:
    """Each list call answers the next (items, resourceVersion); a watch is whatever the test streams."""

    def __init__(self, lists):
        self.lists = list(lists)  # one (items, resourceVersion) per list call

    def list(self, kind, namespace=None, label_selector=None):
        return self.lists.pop(0)

    def watch_call(self, kind, namespace):
        return (lambda **_: None), (), {}


class EventSink:
    """The API's event writes: kept in order, or refused (`fail`), or held until `gate` is set."""

    def __init__(self, fail: bool = False, gate: threading.Event | None = None):
        self.written: list[tuple[str, dict]] = []
        self._fail, self._gate = fail, gate
        self.entered = threading.Event()  # a write has begun

    def create_event(self, namespace, event):
        self.entered.set()
        if self._gate is not None:
            self._gate.wait(5)
        if self._fail:
            raise OSError("connection refused")
        self.written.append((namespace, event))
