"""Breaks contract §2 C2.7 "the app's deploy phase waits until it is deployed": it does not wait for the app's workloads.

The AppDeploy phase reports every workload the KeptnApp lists Succeeded at once, whether its
KeptnWorkloadVersion exists or not; the workloads still get their KeptnWorkloadVersions.
"""
from harness.contract.states import KeptnState
from harness.controller import reconcile_appversion
from harness.controller.lifecycle import Observation
from mutants.compose import replace


def every_workload_deployed(ctx, version: dict) -> Observation:
    workloads = version["spec"].get("workloads") or []
    items = [{"workload": {"name": w["name"], "version": w["version"]}, "status": KeptnState.SUCCEEDED.value} for w in workloads]
    return Observation(states=[KeptnState.SUCCEEDED] * len(items), listed=len(workloads), items=items)


def install() -> None:
    replace(reconcile_appversion, "observe_workloads", every_workload_deployed)
