"""Breaks contract §5 C5.12 "The Job's `ttlSecondsAfterFinished` is the definition's": the Job gets none, so Kubernetes never removes it.
"""
from harness.controller import reconcile_task
from mutants.compose import wrap
from mutants.jobs import change_job


def install() -> None:
    wrap(reconcile_task, "job_manifest", change_job(lambda job: job["spec"].pop("ttlSecondsAfterFinished", None)))
