"""Breaks contract §2 C2.5 "every older KeptnAppVersion of that version gets every one of its states (`status` and each phase state) set to `Deprecated`": only `status` is.

A revision bump deprecates the older version's `status`; its phase states stay as they were (a
completed version keeps Succeeded, a running one Pending and Progressing). The older version still
stops, since its status is Deprecated.
"""
from harness.contract.states import KeptnState
from harness.controller import app_versions, reconcile_app
from mutants.compose import replace


def status_only(kav: dict) -> dict:
    return {**(kav.get("status") or {}), "status": KeptnState.DEPRECATED.value}


def install() -> None:
    replace(app_versions, "deprecated_status", status_only)  # what `superseded` compares with
    replace(reconcile_app, "deprecated_status", status_only)  # what the app's reconcile writes
