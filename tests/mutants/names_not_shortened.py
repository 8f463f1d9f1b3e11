"""Breaks contract §6 C6.10 "A task's name is shortened where needed so that its Job's name stays a
valid label value": a task is named `<checkType>-<definition>-<5 digits>` however long that is (as
Keptn does up to 253 characters); its Job's name is then cut to fit, so it no longer is
`<task>-<5 digits>`."""
from harness.controller import naming, phase_checks
from mutants.compose import replace


def install() -> None:
    def unshortened(check_type: str, definition: str, seed: str) -> str:
        return naming._fit(f"{check_type}-{definition}", naming.MAX_NAME) + naming._digits(seed)

    replace(phase_checks, "task_name", unshortened)
