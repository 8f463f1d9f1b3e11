"""Breaks contract §2 C2.4 "The KeptnAppContext's spec is copied into the version when it is created, and never again": a running version follows its context's changes.

Each task or evaluation phase of a KeptnAppVersion runs what the KeptnAppContext of its app lists
now, not what was copied into the version's spec when it was created (the spec itself is left as
it was).
"""
from harness.contract.kinds import APP_CONTEXT
from harness.controller import reconcile_appversion
from mutants.compose import wrap


def following_the_context(observe_checks):
    def observe(ctx, version, version_kind, phase, status, context_of):
        meta = version["metadata"]
        context = ctx.kube.get(APP_CONTEXT, meta["namespace"], version["spec"]["appName"])
        if context is not None and phase.list_field:
            spec = {**version["spec"], phase.list_field: (context.get("spec") or {}).get(phase.list_field) or []}
            version = {**version, "spec": spec}
        return observe_checks(ctx, version, version_kind, phase, status, context_of)
    return observe


def install() -> None:
    wrap(reconcile_appversion, "observe_checks", following_the_context)
