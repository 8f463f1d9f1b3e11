"""Each function breaks one name pattern of contract §5: C5.2 (a task is named
`<checkType>-<definition>-<5 digits>`) or C5.7 (its Job is named `<task>-<5 digits>`). The names stay
unique and drawn from the same seeds, so the reference still runs every task exactly once."""
from harness.controller import phase_checks, reconcile_task
from mutants.compose import wrap

_LETTERS = str.maketrans("0123456789", "abcdefghij")


def task_name_definition_first() -> None:
    """Breaks contract §5 C5.2 "A task is named `<checkType>-<definition>-<5 digits>`": it is named
    `<definition>-<checkType>-<5 digits>`."""
    def swapped(task_name):
        return lambda check_type, definition, seed: task_name(definition, check_type, seed)
    wrap(phase_checks, "task_name", swapped)


def job_name_with_letters() -> None:
    """Breaks contract §5 C5.7 "A task's Job is named `<task>-<5 digits>`": the five digits are
    written as letters (`-12345` becomes `-bcdef`)."""
    def lettered(job_name):
        def named(task: str, seed: str) -> str:
            name = job_name(task, seed)
            head, _, digits = name.rpartition("-")
            return f"{head}-{digits.translate(_LETTERS)}"
        return named
    wrap(reconcile_task, "job_name", lettered)
