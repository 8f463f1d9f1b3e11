"""Each function breaks one part of contract §5 C5.8 "The Job's labels are the task's labels, and its
annotations the task's annotations plus `keptn.sh/app`, `keptn.sh/version` and `keptn.sh/task-name`":
the Job's own metadata lacks that part (its pod template still carries the task's)."""
from harness.controller import reconcile_task
from mutants.compose import wrap
from mutants.jobs import change_job

_KEPTN = "keptn.sh/"


def _drop(field: str, keep) -> None:
    def change(job: dict) -> None:
        job["metadata"][field] = {k: v for k, v in (job["metadata"].get(field) or {}).items() if keep(k)}
    wrap(reconcile_task, "job_manifest", change_job(change))


def job_without_task_labels() -> None:
    """Breaks contract §5 C5.8 "The Job's labels are the task's labels": the Job keeps only the task's
    keptn.sh/ labels (left with none, the API server would copy the pod template's)."""
    _drop("labels", lambda key: key.startswith(_KEPTN))


def job_without_task_annotations() -> None:
    """Breaks contract §5 C5.8 "its annotations the task's annotations plus ...": the Job has only the
    keptn.sh/ annotations, none of the task's."""
    _drop("annotations", lambda key: key.startswith(_KEPTN))


def job_without_app_annotation() -> None:
    """Breaks contract §5 C5.8 "... plus `keptn.sh/app`": the Job has no keptn.sh/app annotation."""
    _drop("annotations", lambda key: key != "keptn.sh/app")


def job_without_version_annotation() -> None:
    """Breaks contract §5 C5.8 "... plus `keptn.sh/version`": the Job has no keptn.sh/version annotation."""
    _drop("annotations", lambda key: key != "keptn.sh/version")


def job_without_task_name_annotation() -> None:
    """Breaks contract §5 C5.8 "... plus `keptn.sh/task-name`": the Job has no keptn.sh/task-name annotation."""
    _drop("annotations", lambda key: key != "keptn.sh/task-name")
