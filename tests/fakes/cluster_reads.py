"""The parts of harness.kube.Kube that judges and scenario helpers read, over objects made up in a test."""
from __future__ import annotations

from harness.library import random_specs


class FakeKube:
    """get (by name) and list over {kind: [objects]}; a kind not given has no objects."""

    def __init__(self, objects: dict[str, list[dict]]):
        self.objects = objects

    @classmethod
    def of(cls, *objects: dict) -> FakeKube:
        """Over objects that carry their own `kind`."""
        by_kind: dict[str, list[dict]] = {}
        for obj in objects:
            by_kind.setdefault(obj["kind"], []).append(obj)
        return cls(by_kind)

    def get(self, kind, name, namespace=None):
        return next((o for o in self.objects.get(kind, []) if o["metadata"]["name"] == name), None)

    def list(self, kind, namespace=None, label_selector=None):
        return self.objects.get(kind, [])


class _Crds:
    def __init__(self, items):
        self.items = items

    def to_dict(self):
        return {"items": self.items}


class _Dynamic:
    def __init__(self, crds):
        self.crds = crds

    def request(self, method, path):
        assert (method, path) == ("GET", random_specs.CRD_PATH)
        return _Crds(self.crds)


class KubeWithCrds:
    """The API server's CRD list (the only part of Kube that installed_schemas reads)."""

    def __init__(self, crds):
        self.dynamic = _Dynamic(crds)
