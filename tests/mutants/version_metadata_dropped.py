"""Breaks contract §9 "Each stage's app version carries in spec.metadata what the stage before's promotion wrote (its commitID), and its promotion task's KEPTN_CONTEXT carries that metadata" (C9.5): an app version is created without the KeptnAppContext's `metadata`.

Everything else of the context (its task and evaluation lists, spanLinks) is copied as before, so
the lifecycle runs and promotes; what the stage before wrote stays in the KeptnAppContext only.
"""
from harness.controller import reconcile_app
from mutants.compose import wrap


def without_metadata(manifest):
    def made(app, app_context, trace):
        version = manifest(app, app_context, trace)
        version["spec"].pop("metadata", None)
        return version
    return made


def install() -> None:
    wrap(reconcile_app, "app_version_manifest", without_metadata)
