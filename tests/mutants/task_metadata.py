"""Each function breaks contract §5 C5.3 "A task carries the definition's labels and annotations"
for one of the two: the KeptnTask leaves them out (the reference's own labels stay). Its Job is made
from the task as the contract says, so it lacks them too."""
from harness.controller import phase_checks
from harness.controller.checks import CHECK_TYPE_LABEL, OWNER_UID_LABEL
from mutants.compose import wrap


def _without(field: str):
    def manifest(task_manifest):
        def made(*args, **kwargs) -> dict:
            task = task_manifest(*args, **kwargs)
            own = (OWNER_UID_LABEL, CHECK_TYPE_LABEL)
            task["metadata"][field] = {k: v for k, v in (task["metadata"].get(field) or {}).items() if k in own}
            return task
        return made
    return manifest


def task_without_definition_labels() -> None:
    """Breaks contract §5 C5.3 "A task carries the definition's labels": the task has none of them."""
    wrap(phase_checks, "task_manifest", _without("labels"))


def task_without_definition_annotations() -> None:
    """Breaks contract §5 C5.3 "A task carries the definition's ... annotations": the task has none of them."""
    wrap(phase_checks, "task_manifest", _without("annotations"))
