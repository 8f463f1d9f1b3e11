"""Each function breaks one part of contract §5 C5.13 "The Job's pod runs with the definition's service
account, token automount and image pull secrets": the Job's pod template leaves that one out."""
from harness.controller import reconcile_task
from mutants.compose import wrap
from mutants.jobs import change_job


def _without(*fields: str) -> None:
    def change(job: dict) -> None:
        for field in fields:
            job["spec"]["template"]["spec"].pop(field, None)
    wrap(reconcile_task, "job_manifest", change_job(change))


def service_account_ignored() -> None:
    """Breaks contract §5 C5.13 "the definition's service account": the pod runs with the namespace's default account."""
    _without("serviceAccountName", "serviceAccount")


def token_automount_ignored() -> None:
    """Breaks contract §5 C5.13 "the definition's ... token automount": the pod template leaves automountServiceAccountToken out."""
    _without("automountServiceAccountToken")


def image_pull_secrets_ignored() -> None:
    """Breaks contract §5 C5.13 "the definition's ... image pull secrets": the pod template has none."""
    _without("imagePullSecrets")
