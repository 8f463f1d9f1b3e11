"""Phase 3, AppDeploy (contract §3): one workloadStatus item per listed workload, from its
KeptnWorkloadVersion `<app>-<workload>-<version>`."""
from __future__ import annotations

from harness.controller.context import Context
from harness.contract.kinds import WORKLOAD_VERSION
from harness.controller.queue import WorkQueue
from harness.controller.reconcile_appversion import observe_workloads
from harness.controller.settings import parse_settings
from harness.contract.states import KeptnState as S
from harness.controller.store import Store

KAV = {"metadata": {"name": "shop-1-6b86b273", "namespace": "demo", "uid": "kav-uid"},
       "spec": {"appName": "shop", "version": "1", "workloads": [
           {"name": "cart", "version": "0.2"}, {"name": "api", "version": "1.0"}, {"name": "web", "version": "3"}]}}


def _context(*workload_versions) -> Context:
    store = Store()
    for name, status in workload_versions:
        store.upsert(WORKLOAD_VERSION, {"metadata": {"name": name, "namespace": "demo", "resourceVersion": "1"},
                                        "spec": {"app": "shop"}, "status": status})
    return Context(kube=None, store=store, queue=WorkQueue(), events=None, settings=parse_settings([], {}))


def test_items_follow_the_workload_versions_and_say_why_they_wait():
    seen = observe_workloads(_context(
        ("shop-cart-0.2", {"status": "Succeeded"}),
        ("shop-api-1.0", {"status": "Progressing", "message": 'KeptnTaskDefinition "x" not found'})), KAV)
    assert seen.items == [{"workload": {"name": "cart", "version": "0.2"}, "status": "Succeeded"},
                          {"workload": {"name": "api", "version": "1.0"}, "status": "Progressing"},
                          {"workload": {"name": "web", "version": "3"}, "status": "Pending"}]
    assert (seen.states, seen.listed) == ([S.SUCCEEDED, S.PROGRESSING, S.PENDING], 3)
    assert [n.message for n in seen.notices] == [
        'KeptnWorkloadVersion "shop-api-1.0": KeptnTaskDefinition "x" not found',
        'waiting for KeptnWorkloadVersion "shop-web-3" (spec.workloads[2]); it is created from a Deployment '
        "carrying that app, workload and version"]


def test_a_failed_workload_version_is_a_failure_with_its_message():
    seen = observe_workloads(_context(("shop-cart-0.2", {"status": "Failed", "message": "WorkloadDeploy failed"})),
                             {**KAV, "spec": {**KAV["spec"], "workloads": KAV["spec"]["workloads"][:1]}})
    assert seen.states == [S.FAILED] and seen.failures == ['KeptnWorkloadVersion "shop-cart-0.2" Failed: WorkloadDeploy failed']


def test_an_app_without_workloads_has_nothing_to_wait_for():
    seen = observe_workloads(_context(), {**KAV, "spec": {"appName": "shop", "version": "1"}})
    assert (seen.items, seen.states, seen.listed) == ([], [], 0)
