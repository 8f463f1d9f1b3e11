"""Deployments as Keptn workloads (contract §2)."""
from __future__ import annotations

from harness.controller.deployments import namespace_enabled, rolled_out_at, workload_of
from harness.controller.workload_versions import workload_manifest, workload_version_manifest


def _deployment(labels=None, annotations=None, replicas=2, status=None, generation=3, containers=None):
    return {
        "metadata": {"name": "cart", "namespace": "shop", "uid": "dep-uid", "generation": generation},
        "spec": {"replicas": replicas, "template": {
            "metadata": {"labels": labels or {}, "annotations": annotations or {}},
            "spec": {"containers": containers or [{"name": "c", "image": "cart:1"}]}}},
        "status": status or {},
    }


def test_keptn_labels_name_app_workload_and_version():
    identity = workload_of(_deployment(labels={"keptn.sh/app": "shop", "keptn.sh/workload": "cart",
                                               "keptn.sh/version": "0.2"}))
    assert (identity.app, identity.workload, identity.version) == ("shop", "cart", "0.2")


def test_recommended_labels_work_too_and_annotations_win_over_labels():
    identity = workload_of(_deployment(
        labels={"app.kubernetes.io/part-of": "shop", "app.kubernetes.io/name": "cart",
                "app.kubernetes.io/version": "0.1"},
        annotations={"keptn.sh/version": "0.3"}))
    assert (identity.app, identity.workload, identity.version) == ("shop", "cart", "0.3")


def test_without_workload_label_it_is_not_a_keptn_workload():
    assert workload_of(_deployment(labels={"keptn.sh/app": "shop"})) is None


def test_a_workload_without_app_is_its_own_app_and_without_version_gets_keptns_hash():
    identity = workload_of(_deployment(labels={"keptn.sh/workload": "cart"}))
    assert identity.app == "cart" and identity.version.isdigit()
    other = workload_of(_deployment(labels={"keptn.sh/workload": "cart"}, containers=[{"name": "c", "image": "cart:2"}]))
    assert other.version != identity.version


def test_task_lists_and_metadata_from_annotations():
    identity = workload_of(_deployment(labels={"keptn.sh/workload": "cart"}, annotations={
        "keptn.sh/pre-deployment-tasks": "a, b", "keptn.sh/post-deployment-evaluations": "q",
        "keptn.sh/metadata": "team=blue,tier=web"}))
    assert identity.lists == {"preDeploymentTasks": ["a", "b"], "postDeploymentTasks": [],
                              "preDeploymentEvaluations": [], "postDeploymentEvaluations": ["q"]}
    assert identity.metadata == {"team": "blue", "tier": "web"}


def test_namespace_annotation():
    assert namespace_enabled({"metadata": {"annotations": {"keptn.sh/lifecycle-toolkit": "enabled"}}})
    assert not namespace_enabled({"metadata": {"labels": {"keptn.sh/lifecycle-toolkit": "enabled"}}})
    assert not namespace_enabled(None)


ROLLED_OUT = {"observedGeneration": 3, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2,
              "conditions": [{"type": "Available", "status": "True"}]}


def test_rolled_out_at_the_version_when_available_and_fully_updated():
    labels = {"keptn.sh/workload": "cart", "keptn.sh/version": "0.2"}
    assert rolled_out_at(_deployment(labels, status=ROLLED_OUT), "0.2")
    assert not rolled_out_at(_deployment(labels, status=ROLLED_OUT), "0.1")  # another version
    for missing in ({"conditions": [{"type": "Available", "status": "False"}]}, {"observedGeneration": 2},
                    {"updatedReplicas": 1}, {"replicas": 3}, {"availableReplicas": 1}):
        assert not rolled_out_at(_deployment(labels, status={**ROLLED_OUT, **missing}), "0.2"), missing


def test_the_keptn_workload_and_its_version():
    deployment = _deployment(labels={"keptn.sh/app": "shop", "keptn.sh/workload": "cart", "keptn.sh/version": "0.2"})
    workload = workload_manifest(deployment, workload_of(deployment))
    assert workload["metadata"]["name"] == "shop-cart"
    assert workload["spec"]["resourceReference"] == {"uid": "dep-uid", "kind": "Deployment", "name": "cart"}
    assert workload["metadata"]["ownerReferences"][0]["controller"] is False
    workload["metadata"]["uid"] = "kw-uid"
    workload["status"] = {"currentVersion": "0.1"}
    version = workload_version_manifest(workload, {"traceparent": "t"})
    assert version["metadata"]["name"] == "shop-cart-0.2"
    assert {k: version["spec"][k] for k in ("app", "version", "workloadName", "previousVersion", "traceId")} == {
        "app": "shop", "version": "0.2", "workloadName": "shop-cart", "previousVersion": "0.1",
        "traceId": {"traceparent": "t"}}
