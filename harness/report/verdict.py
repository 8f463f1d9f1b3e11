"""A profile's result from its statistics: the one rule, used to build a report and to check one."""
from __future__ import annotations


def profile_result(passed: int, failed: int, skipped: int = 0, unsupported: int = 0, notApplicable: int = 0,
                   notRun: int = 0, interrupted: bool = False) -> str:
    """failure if a scenario failed; skipped if none passed and none was kept from running; partial
    if any did not run (left out, not claimed, not applicable, could not run: an implementation that
    could not be installed leaves every claimed scenario notRun) or the run was interrupted; else
    success."""
    if failed:
        return "failure"
    if not passed and not notRun:
        return "skipped"
    if skipped or unsupported or notApplicable or notRun or interrupted:
        return "partial"
    return "success"
