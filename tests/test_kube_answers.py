"""harness.kube reads the API server's answers as plain dicts, the same dicts the
DynamicClient's ResourceInstance.to_dict gave, without converting every object twice."""
from __future__ import annotations

import copy
import json

from kubernetes.dynamic.resource import ResourceInstance

from harness.kube import Kube, _plain

POD = {"metadata": {"name": "p", "namespace": "t-1", "uid": "u1", "resourceVersion": "7", "labels": {"a": "b"}},
       "spec": {"containers": [{"name": "c", "image": "busybox", "env": [{"name": "E", "value": "v"}], "args": None}]},
       "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}
POD_LIST = {"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "9"},
            "items": [POD, {**POD, "metadata": {**POD["metadata"], "name": "q", "uid": "u2"}}]}


def test_a_list_reads_as_the_dynamic_clients_to_dict_did():
    expected = ResourceInstance(None, copy.deepcopy(POD_LIST)).to_dict()
    assert _plain(None, copy.deepcopy(POD_LIST)) == expected
    assert [(item["apiVersion"], item["kind"]) for item in _plain(None, copy.deepcopy(POD_LIST))["items"]] == [("v1", "Pod")] * 2


def test_an_object_reads_as_it_came_and_an_empty_list_has_no_items():
    pod = {"apiVersion": "v1", "kind": "Pod", **copy.deepcopy(POD)}
    assert _plain(None, copy.deepcopy(pod)) == ResourceInstance(None, copy.deepcopy(pod)).to_dict() == pod
    assert _plain(None, {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": None})["items"] == []


class _Answer:
    def __init__(self, body: dict):
        self.data = json.dumps(body).encode()


def test_list_and_listing_answer_dicts_with_the_version_to_watch_from(monkeypatch):
    from harness import kube as module

    class _Resource:
        def get(self, **kwargs):
            return kwargs["serializer"](None, json.loads(_Answer(POD_LIST).data))

    monkeypatch.setattr(module, "_resource", lambda dynamic, api_version, kind: _Resource())
    kube = Kube.__new__(Kube)
    kube.dynamic = None
    assert kube.listing("Pod", "t-1")["metadata"]["resourceVersion"] == "9"
    assert [pod["metadata"]["name"] for pod in kube.list("Pod", "t-1")] == ["p", "q"]
    assert all(type(pod) is dict for pod in kube.list("Pod", "t-1"))
