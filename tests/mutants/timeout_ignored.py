"""Breaks contract §5 "activeDeadlineSeconds = timeout in seconds": the Job gets no activeDeadlineSeconds, so it may run for ever.
"""
from harness.controller import reconcile_task
from mutants.compose import wrap
from mutants.jobs import change_job


def install() -> None:
    wrap(reconcile_task, "job_manifest", change_job(lambda job: job["spec"].pop("activeDeadlineSeconds", None)))
