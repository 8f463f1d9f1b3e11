"""Breaks contract §2 C2.3 "The KeptnAppVersion has a controller ownerReference to its KeptnApp": the ownerReference is not marked controller.

The KeptnAppVersion's ownerReference to its KeptnApp has `controller: false`; everything else
(garbage collection, the app's currentVersion, the lifecycle) stays as the reference does it.
"""
from harness.controller import reconcile_app
from mutants.compose import wrap


def not_controller(app_version_manifest):
    def manifest(app, app_context, trace):
        made = app_version_manifest(app, app_context, trace)
        for ref in made["metadata"].get("ownerReferences") or []:
            ref["controller"] = False
        return made
    return manifest


def install() -> None:
    wrap(reconcile_app, "app_version_manifest", not_controller)
