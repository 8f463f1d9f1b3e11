"""Each function breaks the controller ownerReference of contract §5: C5.4 (a task has a controller
ownerReference to its KeptnAppVersion) or C5.7 (a Job has one to its KeptnTask). The reference then
finds owners by any ownerReference (its wake-ups follow `controller_of`), so that it still runs: the
only change is the flag on the object it writes."""
from harness.controller import phase_checks, reconcile_evaluation, reconcile_task, triggers
from mutants.compose import replace, wrap
from mutants.jobs import change_job


def _any_owner(obj: dict) -> list:
    namespace = obj["metadata"].get("namespace", "")
    return [triggers.Key(ref["kind"], namespace, ref["name"]) for ref in obj["metadata"].get("ownerReferences") or []]


def _follow_any_owner() -> None:
    for module in (triggers, reconcile_task, reconcile_evaluation):
        replace(module, "controller_of", _any_owner)


def _not_controller(obj: dict) -> None:
    for reference in obj["metadata"].get("ownerReferences") or []:
        reference["controller"] = False


def task_owner_not_controller() -> None:
    """Breaks contract §5 C5.4 "A task has a controller ownerReference to its KeptnAppVersion": the
    ownerReference to the version has `controller: false`."""
    _follow_any_owner()

    def manifest(task_manifest):
        def made(*args, **kwargs) -> dict:
            task = task_manifest(*args, **kwargs)
            _not_controller(task)
            return task
        return made
    wrap(phase_checks, "task_manifest", manifest)


def job_owner_not_controller() -> None:
    """Breaks contract §5 C5.7 "A task's Job ... has a controller ownerReference to its KeptnTask": the
    ownerReference to the task has `controller: false`."""
    _follow_any_owner()
    wrap(reconcile_task, "job_manifest", change_job(_not_controller))
