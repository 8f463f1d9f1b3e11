"""Breaks contract §3 C3.2 "A version whose phases all passed ends with `currentPhase: Completed`, `status: Succeeded` and `endTime` set": no endTime.

The version completes with currentPhase Completed and status Succeeded, and without an endTime.
"""
from harness.contract.states import KeptnState
from harness.controller import reconcile_appversion
from mutants.compose import wrap


def without_end_time(advance):
    def advanced(current, phases, observe, block_deployment, now, follow=None):
        result = advance(current, phases, observe, block_deployment, now, follow)
        if result.status.get("status") == KeptnState.SUCCEEDED.value and current.get("status") != KeptnState.SUCCEEDED.value:
            result.status.pop("endTime", None)
        return result
    return advanced


def install() -> None:
    wrap(reconcile_appversion, "advance", without_end_time)
