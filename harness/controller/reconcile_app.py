"""KeptnApp → KeptnAppVersion (contract §2)."""
from __future__ import annotations

import logging

from kubernetes.client.rest import ApiException

from harness.controller.app_versions import app_version_manifest, deprecated_status, superseded, version_name
from harness.controller.context import Context, Key
from harness.controller.events import WARNING
from harness.contract.kinds import APP, APP_CONTEXT, APP_VERSION
from harness.controller.api_calls import refusal
from harness.controller.store import OWNER
from harness.controller.tracing import new_trace

log = logging.getLogger(__name__)


def reconcile_app(ctx: Context, key: Key) -> None:
    app = ctx.store.get(APP, key.namespace, key.name)
    if app is None or app["metadata"].get("deletionTimestamp"):
        return
    name = version_name(app)
    if ctx.store.get(APP_VERSION, key.namespace, name) is None:
        # The AppContext is copied once, now (contract §2), so read it from the API, not the cache: a
        # context created just before its KeptnApp may not have reached the watch yet, and the
        # version would run without its task lists, promotion silently skipped.
        app_context = ctx.kube.get(APP_CONTEXT, key.namespace, key.name)
        manifest = app_version_manifest(app, app_context, new_trace(ctx.rng))
        try:
            created = ctx.kube.create_unless_exists(APP_VERSION, manifest)
        except ApiException as error:
            why = refusal(error)
            if why is None:
                raise
            # The same KeptnAppVersion would be refused again: say why once; an edit of the
            # KeptnApp (or a restart) tries again.
            ctx.events.emit(app, APP, WARNING, "AppVersionRefused",
                            f'the API server refused KeptnAppVersion "{name}": {why}')
            return
        if created is not None:
            ctx.store.upsert(APP_VERSION, created)
            log.info("created KeptnAppVersion %s/%s", key.namespace, name)
    version = app["spec"]["version"]
    if (app.get("status") or {}).get("currentVersion") != version:
        ctx.store.upsert(APP, ctx.kube.patch_status(APP, key.namespace, key.name, {"status": {"currentVersion": version}}))
    for old in superseded(app, ctx.store.indexed(APP_VERSION, OWNER, key.namespace, app["metadata"]["uid"])):
        meta = old["metadata"]
        ctx.store.upsert(APP_VERSION, ctx.kube.patch_status(
            APP_VERSION, key.namespace, meta["name"],
            {"metadata": {"resourceVersion": meta["resourceVersion"]}, "status": deprecated_status(old)}))
        log.info("deprecated KeptnAppVersion %s/%s (superseded by %s)", key.namespace, meta["name"], name)
