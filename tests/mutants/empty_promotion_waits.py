"""Breaks contract §3 C3.8 "A phase with an empty list succeeds at once, and so does the promotion phase of an app without `promotionTasks`": it waits for ever.

A promotion phase that lists nothing is taken for one whose single definition has no task yet: it
stays Pending.
"""
from harness.contract.phases import PROMOTION
from harness.controller import reconcile_appversion
from harness.controller.lifecycle import Observation
from mutants.compose import wrap


def waiting_for_nothing(observe_checks):
    def observe(ctx, version, version_kind, phase, status, context_of):
        if phase == PROMOTION and not version["spec"].get(PROMOTION.list_field):
            return Observation(states=[], listed=1, items=[])
        return observe_checks(ctx, version, version_kind, phase, status, context_of)
    return observe


def install() -> None:
    wrap(reconcile_appversion, "observe_checks", waiting_for_nothing)
