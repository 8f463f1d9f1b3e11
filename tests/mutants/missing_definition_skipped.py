"""Breaks contract §4 C4.13 "For a listed definition that does not exist ... the phase stays `Pending` and the version `Progressing` until the definition appears": the definition is skipped.

A task phase runs the listed definitions that exist and passes over the others, so the version
goes on without them.
"""
from harness.contract.kinds import TASK_DEFINITION
from harness.contract.phases import Runs
from harness.controller import reconcile_appversion
from mutants.compose import wrap


def skipping_missing(observe_checks):
    def observe(ctx, version, version_kind, phase, status, context_of):
        if phase.runs == Runs.TASKS:
            namespace = version["metadata"]["namespace"]
            listed = version["spec"].get(phase.list_field) or []
            existing = [n for n in listed if ctx.store.get(TASK_DEFINITION, namespace, n) is not None]
            version = {**version, "spec": {**version["spec"], phase.list_field: existing}}
        return observe_checks(ctx, version, version_kind, phase, status, context_of)
    return observe


def install() -> None:
    wrap(reconcile_appversion, "observe_checks", skipping_missing)
