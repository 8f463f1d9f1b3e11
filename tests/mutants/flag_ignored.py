"""Breaks contract §3 "With the flag off, phase 6 is skipped, promotionStatus stays Pending": promotion runs whatever PROMOTION_TASKS_ENABLED says.

The app's phases always include PromotionTasks.
"""
from harness.contract.phases import app_phases
from harness.controller import reconcile_appversion
from mutants.compose import replace


def install() -> None:
    replace(reconcile_appversion, "app_phases", lambda _promotion_enabled: app_phases(True))
