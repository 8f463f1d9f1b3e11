"""The workload deploy phase (contract §2): succeeds when the Deployment is Available at the version,
fails after the KeptnConfig observabilityTimeout, counted from when the phase began waiting."""
from __future__ import annotations

from harness.controller.context import ClusterOptions, Context
from harness.contract.kinds import DEPLOYMENT
from harness.controller.queue import WorkQueue
from harness.controller.reconcile_workloadversion import DEPLOYED_CONDITION, observe_deployment
from harness.controller.settings import parse_settings
from harness.contract.states import KeptnState as S
from harness.controller.store import Store

KWV = {"metadata": {"name": "shop-cart-0.2", "namespace": "demo"},
       "spec": {"version": "0.2", "resourceReference": {"uid": "dep-uid", "kind": "Deployment", "name": "cart"}}}
ROLLED_OUT = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1,
              "conditions": [{"type": "Available", "status": "True"}]}


def _context(deployment_status=None, uid="dep-uid") -> Context:
    store = Store()
    if deployment_status is not None:
        store.upsert(DEPLOYMENT, {
            "metadata": {"name": "cart", "namespace": "demo", "uid": uid, "generation": 1, "resourceVersion": "1"},
            "spec": {"replicas": 1, "template": {"metadata": {"labels": {
                "keptn.sh/workload": "cart", "keptn.sh/version": "0.2"}}}},
            "status": deployment_status})
    return Context(kube=None, store=store, queue=WorkQueue(), events=None, settings=parse_settings([], {}),
                   options=ClusterOptions(observability_timeout=300))


def _condition(seen):
    return next(c for c in seen.status_updates["conditions"] if c["type"] == DEPLOYED_CONDITION)


def test_available_at_the_version_succeeds():
    seen = observe_deployment(_context(ROLLED_OUT), KWV, {})
    assert seen.states == [S.SUCCEEDED] and _condition(seen)["status"] == "True"


def test_not_yet_rolled_out_waits_on_a_timer_not_on_polling():
    seen = observe_deployment(_context({"observedGeneration": 1}), KWV, {})
    assert seen.states == [S.PROGRESSING] and 0 < seen.requeue_after <= 300
    condition = _condition(seen)
    assert (condition["status"], condition["reason"]) == ("False", "WaitingForRollout")
    assert seen.notices[0].message == 'waiting for Deployment "cart" at version "0.2" to be Available'


def test_the_wait_keeps_its_start_and_fails_after_the_observability_timeout():
    waiting_since = {"type": DEPLOYED_CONDITION, "status": "False", "reason": "WaitingForRollout", "message": "",
                     "lastTransitionTime": "2000-01-01T00:00:00.000000Z"}
    seen = observe_deployment(_context({}), KWV, {"conditions": [waiting_since]})
    assert seen.states == [S.FAILED]
    assert seen.failures == ['Deployment "cart" at version "0.2" not Available within the observabilityTimeout of 300s']
    assert (_condition(seen)["reason"], _condition(seen)["lastTransitionTime"]) == (
        "ObservabilityTimeout", "2000-01-01T00:00:00.000000Z")


def test_a_recreated_deployment_of_the_same_name_is_not_this_workload_versions():
    seen = observe_deployment(_context(ROLLED_OUT, uid="other-uid"), KWV, {})
    assert seen.states == [S.PROGRESSING] and "no such Deployment yet" in seen.notices[0].message
