"""Breaks contract §5 "the definition's container as written, with env KEPTN_CONTEXT (the JSON of spec.context) added": the Job's container has no KEPTN_CONTEXT.

The KEPTN_CONTEXT variable is taken out of every container of every Job it builds.
"""
from harness.controller import reconcile_task
from mutants.compose import wrap
from mutants.jobs import change_job, each_container


def without_keptn_context(container: dict) -> None:
    container["env"] = [e for e in container.get("env") or [] if e.get("name") != "KEPTN_CONTEXT"]


def install() -> None:
    wrap(reconcile_task, "job_manifest", change_job(each_container(without_keptn_context)))
