"""Breaks contract §2 C2.1 "a KeptnAppContext of another name is not used": an app without a KeptnAppContext of its name takes another one of its namespace.

When the KeptnApp's version is created and no KeptnAppContext has the app's name, the first
KeptnAppContext of the namespace is copied into the version instead of nothing.
"""
import threading

from harness.contract.kinds import APP, APP_CONTEXT
from harness.controller import manager, reconcile_app
from mutants.compose import wrap

_reconciling = threading.local()  # the Context of the KeptnApp reconcile this thread runs


def remembering(reconcile):
    def reconciled(ctx, key):
        _reconciling.ctx = ctx
        return reconcile(ctx, key)
    return reconciled


def any_context(app_version_manifest):
    def manifest(app, app_context, trace):
        if app_context is None:
            contexts, _ = _reconciling.ctx.kube.list(APP_CONTEXT, app["metadata"]["namespace"])
            app_context = contexts[0] if contexts else None
        return app_version_manifest(app, app_context, trace)
    return manifest


def install() -> None:
    wrap(manager.RECONCILERS, APP.kind, remembering)
    wrap(reconcile_app, "app_version_manifest", any_context)
