"""KeptnTaskDefinition: the ConfigMap `keptnfn-<definition>` of inline code, and `status.function.configMap`."""
from __future__ import annotations

import logging

from harness.controller.context import Context, Key
from harness.controller.definitions import DefinitionError, runtime_of
from harness.controller.jobs import function_configmap
from harness.controller.kinds import CONFIG_MAP, TASK_DEFINITION

log = logging.getLogger(__name__)


def reconcile_task_definition(ctx: Context, key: Key) -> None:
    definition = ctx.store.get(TASK_DEFINITION, key.namespace, key.name)
    if definition is None:
        return  # its ConfigMap is garbage-collected through the ownerReference
    try:
        runtime = runtime_of(definition)
    except DefinitionError as error:
        # The CRD rejects such definitions; one that got in anyway is reported where it is used.
        log.warning("%s", error)
        return
    if runtime == "container":
        return
    spec = definition["spec"][runtime]
    configmap = ensure_function_configmap(ctx, definition) or (spec.get("configMapRef") or {}).get("name")
    if configmap and ((definition.get("status") or {}).get("function") or {}).get("configMap") != configmap:
        ctx.store.upsert(TASK_DEFINITION, ctx.kube.patch_status(
            TASK_DEFINITION, key.namespace, key.name, {"status": {"function": {"configMap": configmap}}}))


def ensure_function_configmap(ctx: Context, definition: dict | None) -> str | None:
    """Create or update the inline-code ConfigMap of `definition`; its name, or None without inline code."""
    wanted = function_configmap(definition) if definition else None
    if wanted is None:
        return None
    meta = wanted["metadata"]
    current = ctx.kube.get(CONFIG_MAP, meta["namespace"], meta["name"])
    if current is None:
        if ctx.kube.create_unless_exists(CONFIG_MAP, wanted) is not None:
            log.info("created ConfigMap %s/%s", meta["namespace"], meta["name"])
    elif current.get("data") != wanted["data"]:
        ctx.kube.patch(CONFIG_MAP, meta["namespace"], meta["name"], {"data": wanted["data"]})
    return meta["name"]
