"""Breaks the rule of features/reliability/bad_input.feature (contract §6 event-driven: it acts when something changes): a version waiting on a bad object makes it write in a loop.

While a version waits and says why, its status message carries the time of the last look
("as of 09:12:03"), and it looks again every second: every look is a new status to write.
"""
import time

from harness.contract.states import KeptnState
from harness.controller import reconcile_appversion
from mutants.compose import wrap

LOOK_AGAIN_SECONDS = 1.0


def stamped_while_waiting(advance):
    def advanced(current, phases, observe, block_deployment, now, follow=None):
        result = advance(current, phases, observe, block_deployment, now, follow=follow)
        status = result.status
        if status.get("message") and KeptnState.of(status.get("status")) == KeptnState.PROGRESSING:
            status["message"] += time.strftime(" (as of %H:%M:%S)")
            result.requeue_after = LOOK_AGAIN_SECONDS
        return result
    return advanced


def install() -> None:
    wrap(reconcile_appversion, "advance", stamped_while_waiting)
