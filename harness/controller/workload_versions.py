"""The KeptnWorkload a Deployment stands for and the KeptnWorkloadVersion of its version (contract §2),
as pure functions."""
from __future__ import annotations

from harness.controller.checks import owner_reference
from harness.controller.deployments import WorkloadIdentity
from harness.contract.kinds import DEPLOYMENT, WORKLOAD, WORKLOAD_VERSION
from harness.controller.naming import workload_name, workload_version_name


def workload_manifest(deployment: dict, identity: WorkloadIdentity) -> dict:
    """KeptnWorkload `<app>-<workload>`, owned (not controlled) by the Deployment so that it goes
    when the Deployment goes."""
    meta = deployment["metadata"]
    return {
        "apiVersion": WORKLOAD.api_version,
        "kind": WORKLOAD.kind,
        "metadata": {"name": workload_name(identity.app, identity.workload), "namespace": meta["namespace"],
                     "ownerReferences": [{**owner_reference(deployment, DEPLOYMENT), "controller": False}]},
        "spec": {"app": identity.app, "version": identity.version, **identity.lists,
                 "resourceReference": {"uid": meta["uid"], "kind": DEPLOYMENT.kind, "name": meta["name"]},
                 "metadata": identity.metadata},
    }


def workload_version_manifest(workload: dict, trace: dict[str, str]) -> dict:
    """KeptnWorkloadVersion `<app>-<workload>-<version>`: the workload's spec plus workloadName
    and previousVersion."""
    meta, spec = workload["metadata"], workload["spec"]
    current = (workload.get("status") or {}).get("currentVersion") or ""
    return {
        "apiVersion": WORKLOAD_VERSION.api_version,
        "kind": WORKLOAD_VERSION.kind,
        "metadata": {"name": workload_version_name(meta["name"], spec["version"]), "namespace": meta["namespace"],
                     "ownerReferences": [owner_reference(workload, WORKLOAD)]},
        "spec": {**spec, "workloadName": meta["name"],
                 "previousVersion": current if current != spec["version"] else "", "traceId": trace},
    }
