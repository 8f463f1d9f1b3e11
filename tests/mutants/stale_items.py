"""Breaks contract §6 C6.7 "After a phase failed, its items that were still running are followed to their end": they stay as they were when the phase failed.

Keptn's behaviour: once the version failed, nothing of it is written any more, so a sibling still
running at that moment stays Progressing in the version's item list for ever.
"""
from harness.controller import lifecycle
from mutants.compose import replace


def not_followed(status, phases, follow) -> None:
    return None


def install() -> None:
    replace(lifecycle, "_follow_ended_phases", not_followed)
