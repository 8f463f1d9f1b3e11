"""Breaks contract §3 "Phase aggregation ... any Progressing → Progressing": the promotion phase ends before its last task ends.

Once one promotion task has succeeded, the promotion tasks still running count as succeeded, so
the phase passes (and the version completes) when its first task ends. Missing tasks still keep
it waiting, and a failed one still fails it.
"""
from harness.contract.phases import PROMOTION
from harness.contract.states import KeptnState
from harness.controller import reconcile_appversion
from mutants.compose import wrap


def ended_with_the_first_success(observe_checks):
    def observe(ctx, version, version_kind, phase, status, context_of):
        seen = observe_checks(ctx, version, version_kind, phase, status, context_of)
        if phase == PROMOTION and KeptnState.SUCCEEDED in seen.states:
            seen.states = [KeptnState.SUCCEEDED if s == KeptnState.PROGRESSING else s for s in seen.states]
        return seen
    return observe


def install() -> None:
    wrap(reconcile_appversion, "observe_checks", ended_with_the_first_success)
