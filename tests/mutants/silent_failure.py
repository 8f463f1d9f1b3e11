"""Breaks contract §6 "Every reason a version waits or fails because of invalid input the API server accepted shows in its status or its events, naming the field or object" (C6.5, "or fails"): a version whose task or evaluation failed says which one failed, but not why.

The reason a failed KeptnTask or KeptnEvaluation gives (its reason and message, a failed
objective's message) is no longer repeated in its version's status message or events; what waits
is still reported (silent_unusable_definition.py breaks that half).
"""
from harness.contract.states import KeptnState
from harness.controller import phase_checks
from mutants.compose import wrap


def quiet_when_failed(why):
    def said(obj, tasks):
        status = obj.get("status") or {}
        if KeptnState.of(status.get("status") if tasks else status.get("overallStatus")) == KeptnState.FAILED:
            return ""
        return why(obj, tasks)
    return said


def install() -> None:
    wrap(phase_checks, "_why", quiet_when_failed)
