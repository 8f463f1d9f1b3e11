"""Breaks contract §5 "backoffLimit = retries": the Job gets no backoffLimit (Kubernetes' default of 6 applies).
"""
from harness.controller import reconcile_task
from mutants.compose import wrap
from mutants.jobs import change_job


def install() -> None:
    wrap(reconcile_task, "job_manifest", change_job(lambda job: job["spec"].pop("backoffLimit", None)))
