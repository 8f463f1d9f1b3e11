"""Breaks contract §5 "KEPTN_CONTEXT (the JSON of spec.context) ... taskType: promotion": a promotion Job's KEPTN_CONTEXT says taskType post.

The KeptnTask's spec.context is right; the KEPTN_CONTEXT of its Job's container carries the
post-deployment task type.
"""
import json

from harness.controller import reconcile_task
from mutants.compose import wrap
from mutants.jobs import change_job, each_container


def post_task_type(container: dict) -> None:
    for variable in container.get("env") or []:
        if variable.get("name") == "KEPTN_CONTEXT":
            context = json.loads(variable["value"])
            if context.get("taskType") == "promotion":
                variable["value"] = json.dumps({**context, "taskType": "post"}, separators=(",", ":"))


def install() -> None:
    wrap(reconcile_task, "job_manifest", change_job(each_container(post_task_type)))
