"""Deployment → KeptnWorkload → KeptnWorkloadVersion (contract §2), in namespaces annotated
`keptn.sh/lifecycle-toolkit: enabled`."""
from __future__ import annotations

import logging

from harness.controller.context import Context, Key
from harness.controller.deployments import namespace_enabled, workload_of
from harness.contract.kinds import DEPLOYMENT, NAMESPACE, WORKLOAD, WORKLOAD_VERSION
from harness.controller.naming import workload_version_name
from harness.controller.tracing import new_trace
from harness.controller.workload_versions import workload_manifest, workload_version_manifest

log = logging.getLogger(__name__)


def reconcile_deployment(ctx: Context, key: Key) -> None:
    deployment = ctx.store.get(DEPLOYMENT, key.namespace, key.name)
    if deployment is None or deployment["metadata"].get("deletionTimestamp"):
        return
    if not namespace_enabled(ctx.store.get(NAMESPACE, "", key.namespace)):
        return
    identity = workload_of(deployment)
    if identity is None:
        return
    desired = workload_manifest(deployment, identity)
    name = desired["metadata"]["name"]
    current = ctx.store.get(WORKLOAD, key.namespace, name)
    if current is None:
        created = ctx.kube.create_unless_exists(WORKLOAD, desired)
        if created is not None:
            ctx.store.upsert(WORKLOAD, created)
            log.info("created KeptnWorkload %s/%s for Deployment %s", key.namespace, name, key.name)
    elif current["spec"] != desired["spec"]:
        updated = {**current, "apiVersion": WORKLOAD.api_version, "kind": WORKLOAD.kind, "spec": desired["spec"]}
        ctx.store.upsert(WORKLOAD, ctx.kube.replace(WORKLOAD, updated))
        log.info("updated KeptnWorkload %s/%s to version %s", key.namespace, name, identity.version)


def reconcile_workload(ctx: Context, key: Key) -> None:
    workload = ctx.store.get(WORKLOAD, key.namespace, key.name)
    if workload is None or workload["metadata"].get("deletionTimestamp"):
        return
    version = workload["spec"]["version"]
    name = workload_version_name(key.name, version)
    if ctx.store.get(WORKLOAD_VERSION, key.namespace, name) is None:
        created = ctx.kube.create_unless_exists(WORKLOAD_VERSION, workload_version_manifest(workload, new_trace(ctx.rng)))
        if created is not None:
            ctx.store.upsert(WORKLOAD_VERSION, created)
            log.info("created KeptnWorkloadVersion %s/%s", key.namespace, name)
    if (workload.get("status") or {}).get("currentVersion") != version:
        ctx.store.upsert(WORKLOAD, ctx.kube.patch_status(WORKLOAD, key.namespace, key.name,
                                                         {"status": {"currentVersion": version}}))
