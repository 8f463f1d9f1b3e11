"""Breaks contract §6 "Every reason a version waits or fails because of invalid input the API server accepted shows in its status or its events, naming the field or object" (C6.5): a version whose task waits on an unusable definition says nothing about it.

A KeptnTask that cannot get a Job (its definition is unusable, or the API server refused the Job
built from it) still says why on itself, but its version no longer repeats it: the phase waits with
no message and no event naming the definition or field. Definitions that do not exist are still
reported (that is C4.14).
"""
from harness.contract.states import KeptnState
from harness.controller import phase_checks
from mutants.compose import wrap


def quiet_while_waiting(why):
    def said(obj, tasks):
        status = obj.get("status") or {}
        if tasks and not KeptnState.of(status.get("status")).completed:
            return ""
        return why(obj, tasks)
    return said


def install() -> None:
    wrap(phase_checks, "_why", quiet_while_waiting)
