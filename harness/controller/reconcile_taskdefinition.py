"""KeptnTaskDefinition: the ConfigMap `keptnfn-<definition>` of inline code, and `status.function.configMap`."""
from __future__ import annotations

import logging

from harness.controller.context import Context, Key
from harness.controller.definitions import DefinitionError, describe, runtime_of
from harness.controller.events import WARNING
from harness.controller.jobs import function_configmap
from harness.contract.kinds import CONFIG_MAP, TASK_DEFINITION
from harness.controller.api_calls import refusal

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
    try:
        configmap = ensure_function_configmap(ctx, definition) or (spec.get("configMapRef") or {}).get("name")
    except DefinitionError as error:
        # Its tasks say so too, when they are to run; retrying the same ConfigMap cannot help.
        ctx.events.emit(definition, TASK_DEFINITION, WARNING, "FunctionNotStored", str(error))
        return
    if configmap and ((definition.get("status") or {}).get("function") or {}).get("configMap") != configmap:
        ctx.store.upsert(TASK_DEFINITION, ctx.kube.patch_status(
            TASK_DEFINITION, key.namespace, key.name, {"status": {"function": {"configMap": configmap}}}))


def ensure_function_configmap(ctx: Context, definition: dict | None) -> str | None:
    """Create or update the inline-code ConfigMap of `definition`; its name, or None without inline code.
    DefinitionError when the API server refuses the ConfigMap."""
    wanted = function_configmap(definition) if definition else None
    if wanted is None:
        return None
    meta = wanted["metadata"]
    current = ctx.kube.get(CONFIG_MAP, meta["namespace"], meta["name"])
    try:
        if current is None:
            if ctx.kube.create_unless_exists(CONFIG_MAP, wanted) is not None:
                log.info("created ConfigMap %s/%s", meta["namespace"], meta["name"])
        elif current.get("data") != wanted["data"]:
            ctx.kube.patch(CONFIG_MAP, meta["namespace"], meta["name"], {"data": wanted["data"]})
    except Exception as error:
        why = refusal(error)
        if why is None:
            raise
        raise DefinitionError(f'{describe("KeptnTaskDefinition", definition)}: the API server refused its '
                              f'ConfigMap "{meta["name"]}": {why}') from None
    return meta["name"]
