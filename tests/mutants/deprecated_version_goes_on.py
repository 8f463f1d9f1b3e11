"""Breaks contract §2 C2.6 "An app version that was deprecated starts nothing more": a version deprecated while it ran goes on creating its KeptnTasks.

Its states stay Deprecated as the revision bump wrote them; but each pass of the version's lifecycle
looks at its phases as if they had not been deprecated, and creates what the next phase lists once
the phase before it passed: a superseded build promotes itself.
"""
import copy

from harness.contract.phases import APP_PHASES
from harness.contract.states import KeptnState
from harness.controller import reconcile_appversion
from harness.controller.lifecycle import Pass
from mutants.compose import wrap

DEPRECATED, PENDING = KeptnState.DEPRECATED.value, KeptnState.PENDING.value


def going_on(advance):
    def advanced(current, phases, observe, block_deployment, now, follow=None):
        if current.get("status") != DEPRECATED or current.get("endTime"):
            return advance(current, phases, observe, block_deployment, now, follow)
        undeprecated = {**current, "status": KeptnState.PROGRESSING.value,
                        **{p.status_field: PENDING for p in APP_PHASES if current.get(p.status_field) == DEPRECATED}}
        ran = advance(undeprecated, phases, observe, block_deployment, now, follow)  # creates the next phase's tasks
        return Pass(copy.deepcopy(current), requeue_after=ran.requeue_after)  # and writes nothing
    return advanced


def install() -> None:
    wrap(reconcile_appversion, "advance", going_on)
