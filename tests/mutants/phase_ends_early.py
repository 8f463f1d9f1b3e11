"""Breaks SPEC §3 "Phase aggregation ... any Progressing → Progressing": the promotion phase ends before its last task ends.

Once one promotion task has ended, the phase is judged on the tasks that ended so far, so it
passes while its siblings still run.
"""
from harness.contract.phases import PROMOTION
from harness.controller import reconcile_appversion
from mutants.compose import wrap


def judged_on_ended_tasks(observe_checks):
    def observe(ctx, version, version_kind, phase, status, context_of):
        seen = observe_checks(ctx, version, version_kind, phase, status, context_of)
        ended = [state for state in seen.states if state.completed]
        if phase == PROMOTION and ended:
            seen.states, seen.listed = ended, len(ended)
        return seen
    return observe


def install() -> None:
    wrap(reconcile_appversion, "observe_checks", judged_on_ended_tasks)
