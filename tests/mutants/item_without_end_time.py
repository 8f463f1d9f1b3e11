"""Breaks contract §3 C3.4 "an item that ended has its final state and an `endTime`": promotion items are written without endTime.

The items of `promotionTaskStatus` keep their definitionName, name, state and startTime; their
endTime is left out.
"""
from harness.controller import reconcile_appversion
from mutants.compose import wrap


def without_end_time(advance):
    def advanced(current, phases, observe, block_deployment, now, follow=None):
        result = advance(current, phases, observe, block_deployment, now, follow)
        for item in result.status.get("promotionTaskStatus") or []:
            item.pop("endTime", None)
        return result
    return advanced


def install() -> None:
    wrap(reconcile_appversion, "advance", without_end_time)
