"""Breaks contract §4 "A listed definition that does not exist ... must also show why (an event ...NotFound or a status message naming it)": it waits silently.

The notices about definitions that do not exist are dropped: the phase still waits, with no
message and no event.
"""
from harness.controller import phase_checks
from mutants.compose import wrap


def without_not_found(usable_definitions):
    def usable(view, missing):
        definitions, notices = usable_definitions(view, missing)
        return definitions, [notice for notice in notices if notice.reason != "NotFound"]
    return usable


def install() -> None:
    wrap(phase_checks, "_usable_definitions", without_not_found)
