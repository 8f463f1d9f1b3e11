"""Each function breaks one part of contract §5 C5.9 "The Job's pod template carries the task's labels
and annotations, and `restartPolicy: OnFailure`"; the Job's own metadata stays right."""
from harness.controller import reconcile_task
from mutants.compose import wrap
from mutants.jobs import change_job


def _template(change) -> None:
    wrap(reconcile_task, "job_manifest", change_job(lambda job: change(job["spec"]["template"])))


def pod_template_without_labels() -> None:
    """Breaks contract §5 C5.9 "The Job's pod template carries the task's labels": it has none."""
    _template(lambda template: template["metadata"].update(labels={}))


def pod_template_without_annotations() -> None:
    """Breaks contract §5 C5.9 "The Job's pod template carries the task's ... annotations": it has none."""
    _template(lambda template: template["metadata"].update(annotations={}))


def pod_template_restart_never() -> None:
    """Breaks contract §5 C5.9 "`restartPolicy: OnFailure`": the pod template says Never (a failed
    container is retried in a new pod instead of in place)."""
    _template(lambda template: template["spec"].update(restartPolicy="Never"))
