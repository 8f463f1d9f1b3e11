"""KeptnApp → KeptnAppVersion (contract §2)."""
from __future__ import annotations

from harness.controller.app_versions import app_version_manifest, deprecated_status, superseded, version_name


def _app(generation=1, version="1.0.0", current=None):
    return {"metadata": {"name": "shop", "namespace": "demo", "uid": "app-uid", "generation": generation},
            "spec": {"version": version, "revision": 1, "workloads": [{"name": "cart", "version": "0.2"}]},
            "status": {"currentVersion": current} if current else {}}


CONTEXT = {"metadata": {"name": "shop"},
           "spec": {"preDeploymentTasks": ["pre"], "promotionTasks": ["promote-a", "promote-b"],
                    "metadata": {"env": "prod"}}}


def test_the_version_copies_the_app_and_the_app_context_specs():
    kav = app_version_manifest(_app(current="0.9.0"), CONTEXT, {"traceparent": "t"})
    assert kav["metadata"]["name"] == "shop-1.0.0-6b86b273"
    assert kav["spec"] == {"preDeploymentTasks": ["pre"], "promotionTasks": ["promote-a", "promote-b"],
                           "metadata": {"env": "prod"}, "version": "1.0.0", "revision": 1,
                           "workloads": [{"name": "cart", "version": "0.2"}], "appName": "shop",
                           "previousVersion": "0.9.0", "traceId": {"traceparent": "t"}}
    assert kav["metadata"]["ownerReferences"] == [{"apiVersion": "lifecycle.keptn.sh/v1", "kind": "KeptnApp",
                                                   "name": "shop", "uid": "app-uid", "controller": True,
                                                   "blockOwnerDeletion": True}]


def test_without_app_context_there_are_no_lists():
    spec = app_version_manifest(_app(), None, {})["spec"]
    assert "promotionTasks" not in spec and spec["previousVersion"] == ""


def test_a_new_generation_of_the_same_version_has_no_previous_version():
    assert app_version_manifest(_app(2, current="1.0.0"), None, {})["spec"]["previousVersion"] == ""
    assert version_name(_app(2)) == "shop-1.0.0-d4735e3a"


def _kav(name, version="1.0.0", owner="app-uid", **status):
    return {"metadata": {"name": name, "ownerReferences": [{"uid": owner}]}, "spec": {"version": version},
            "status": status}


def test_older_versions_of_the_same_version_are_superseded():
    # contract §2: when the generation goes up for the same version, older KeptnAppVersions of that
    # version get every state set to Deprecated
    versions = [_kav("shop-1.0.0-6b86b273", status="Progressing"), _kav("shop-1.0.0-d4735e3a"),
                _kav("shop-0.9.0-6b86b273", version="0.9.0"), _kav("other-1.0.0-6b86b273", owner="other-uid")]
    assert [v["metadata"]["name"] for v in superseded(_app(2), versions)] == ["shop-1.0.0-6b86b273"]


def test_deprecated_means_every_state():
    status = deprecated_status(_kav("x", status="Succeeded", currentPhase="Completed", promotionStatus="Succeeded"))
    assert status == {"status": "Deprecated", "currentPhase": "Completed", "preDeploymentStatus": "Deprecated",
                      "preDeploymentEvaluationStatus": "Deprecated", "workloadOverallStatus": "Deprecated",
                      "postDeploymentStatus": "Deprecated", "postDeploymentEvaluationStatus": "Deprecated",
                      "promotionStatus": "Deprecated"}
    assert superseded(_app(2), [_kav("shop-1.0.0-6b86b273", **deprecated_status(_kav("y")))]) == []
