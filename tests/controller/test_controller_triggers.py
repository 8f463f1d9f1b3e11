"""Which reconciles a change wakes (contract §6: event-driven)."""
from __future__ import annotations

from harness.controller.context import Key
from harness.contract.kinds import (APP_VERSION, DEPLOYMENT, EVALUATION, EVALUATION_DEFINITION, JOB, METRIC,
                                      NAMESPACE, TASK, TASK_DEFINITION, WORKLOAD_VERSION)
from harness.controller.store import Store
from harness.controller.triggers import keys_for


def _obj(name, namespace="demo", spec=None, status=None, owner=None, uid=None):
    meta = {"name": name, "namespace": namespace, "resourceVersion": "1", "uid": uid or f"{name}-uid"}
    if owner:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    return {"metadata": meta, "spec": spec or {}, "status": status or {}}


def test_a_job_wakes_its_task():
    job = _obj("t-1-2", owner=("KeptnTask", "t-1"))
    assert keys_for(JOB, job, Store()) == [Key("KeptnTask", "demo", "t-1")]


def test_a_task_wakes_itself_and_its_version():
    task = _obj("t-1", owner=("KeptnAppVersion", "shop-1-x"))
    assert keys_for(TASK, task, Store()) == [Key("KeptnTask", "demo", "t-1"), Key("KeptnAppVersion", "demo", "shop-1-x")]


def test_a_definition_wakes_the_running_versions_listing_it_and_the_tasks_waiting_for_it():
    store = Store()
    store.upsert(APP_VERSION, _obj("waiting", spec={"appName": "shop", "promotionTasks": ["promote"]},
                                   status={"status": "Progressing"}))
    store.upsert(APP_VERSION, _obj("done", spec={"promotionTasks": ["promote"]}, status={"status": "Succeeded"}))
    store.upsert(APP_VERSION, _obj("unrelated", spec={"promotionTasks": ["other"]}))
    store.upsert(WORKLOAD_VERSION, _obj("kwv", spec={"preDeploymentTasks": ["promote"]}))
    store.upsert(TASK, _obj("pending-task", spec={"taskDefinition": "promote"}, status={"status": "Pending"}))
    store.upsert(TASK, _obj("finished-task", spec={"taskDefinition": "promote"}, status={"status": "Succeeded"}))
    keys = keys_for(TASK_DEFINITION, _obj("promote"), store)
    assert keys == [Key("KeptnTaskDefinition", "demo", "promote"), Key("KeptnAppVersion", "demo", "waiting"),
                    Key("KeptnWorkloadVersion", "demo", "kwv"), Key("KeptnTask", "demo", "pending-task")]


def test_a_metric_wakes_the_unfinished_evaluations_using_it():
    store = Store()
    store.upsert(EVALUATION_DEFINITION, _obj("quality", spec={"objectives": [
        {"keptnMetricRef": {"name": "latency"}, "evaluationTarget": "<1"},
        {"keptnMetricRef": {"name": "errors", "namespace": "metrics"}, "evaluationTarget": "<1"}]}))
    store.upsert(EVALUATION, _obj("running", spec={"evaluationDefinition": "quality"}))
    store.upsert(EVALUATION, _obj("done", spec={"evaluationDefinition": "quality"},
                                  status={"overallStatus": "Succeeded"}))
    assert keys_for(METRIC, _obj("latency"), store) == [Key("KeptnEvaluation", "demo", "running")]
    assert keys_for(METRIC, _obj("errors", namespace="metrics"), store) == [Key("KeptnEvaluation", "demo", "running")]
    assert keys_for(METRIC, _obj("latency", namespace="metrics"), store) == []


def test_a_workload_version_wakes_the_running_versions_of_its_app():
    store = Store()
    store.upsert(APP_VERSION, _obj("shop-1", spec={"appName": "shop"}, status={"status": "Progressing"}))
    store.upsert(APP_VERSION, _obj("blog-1", spec={"appName": "blog"}))
    kwv = _obj("shop-cart-0.2", spec={"app": "shop"})
    assert keys_for(WORKLOAD_VERSION, kwv, store) == [Key("KeptnWorkloadVersion", "demo", "shop-cart-0.2"),
                                                      Key("KeptnAppVersion", "demo", "shop-1")]


def test_a_deployment_wakes_its_workload_and_the_versions_waiting_for_its_rollout():
    store = Store()
    store.upsert(WORKLOAD_VERSION, _obj("shop-cart-0.2", spec={"resourceReference": {"uid": "dep-uid"}}))
    store.upsert(WORKLOAD_VERSION, _obj("shop-cart-0.1", spec={"resourceReference": {"uid": "dep-uid"}},
                                        status={"status": "Succeeded"}))
    assert keys_for(DEPLOYMENT, _obj("cart", uid="dep-uid"), store) == [
        Key("Deployment", "demo", "cart"), Key("KeptnWorkloadVersion", "demo", "shop-cart-0.2")]


def test_a_namespace_wakes_its_deployments():
    store = Store()
    store.upsert(DEPLOYMENT, _obj("cart"))
    store.upsert(DEPLOYMENT, _obj("blog", namespace="other"))
    assert keys_for(NAMESPACE, {"metadata": {"name": "demo"}}, store) == [Key("Deployment", "demo", "cart")]
