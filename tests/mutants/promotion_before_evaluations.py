"""Breaks contract §3 "Promotion starts only after post-deployment tasks and evaluations succeeded": it starts once the post-deployment tasks passed.

The app's phases are walked with PromotionTasks moved before AppPostDeployEvaluations, so the
evaluations run only after promotion (and a failing evaluation comes too late to stop it).
"""
from harness.contract.phases import PROMOTION, app_phases
from harness.controller import reconcile_appversion
from mutants.compose import replace


def promotion_before_evaluations(promotion_enabled: bool):
    phases = app_phases(promotion_enabled)
    if PROMOTION not in phases:
        return phases
    rest = [phase for phase in phases if phase != PROMOTION]
    evaluations = next(i for i, phase in enumerate(rest) if phase.name == "AppPostDeployEvaluations")
    return (*rest[:evaluations], PROMOTION, *rest[evaluations:])


def install() -> None:
    replace(reconcile_appversion, "app_phases", promotion_before_evaluations)
