"""Breaks contract §9 "A version reaches the next stage exactly when its promotion phase ran in the stage before" (C9.1): a promotion task is handed the version the app had before, so the version whose promotion phase ran does not reach the next stage.

Only the promotion tasks' context changes: its appVersion is the version's spec.previousVersion
(when there is one); every other task, and the version itself, are as the reference makes them.
"""
from harness.controller import reconcile_appversion
from mutants.compose import wrap

PROMOTION = "promotion"


def previous_version_promoted(app_context):
    def context(app_version, check_type, traceparent):
        made = app_context(app_version, check_type, traceparent)
        if check_type == PROMOTION and app_version["spec"].get("previousVersion"):
            made["appVersion"] = app_version["spec"]["previousVersion"]
        return made
    return context


def install() -> None:
    wrap(reconcile_appversion, "app_context", previous_version_promoted)
