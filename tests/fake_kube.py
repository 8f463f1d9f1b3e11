"""The parts of harness.kube.Kube that judges read, over objects made up in a test."""
from __future__ import annotations


class FakeKube:
    """get (by name) and list over {kind: [objects]}; a kind not given has no objects."""

    def __init__(self, objects: dict[str, list[dict]]):
        self.objects = objects

    def get(self, kind, name, namespace=None):
        return next((o for o in self.objects.get(kind, []) if o["metadata"]["name"] == name), None)

    def list(self, kind, namespace=None, label_selector=None):
        return self.objects.get(kind, [])
