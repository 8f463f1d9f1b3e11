"""Breaks contract §9 "a push the repository refuses fails the promotion task" (C9.4): a promotion task whose Job failed is recorded Succeeded.

Only the promotion tasks (checkType promotion): the Job's Failed condition is read as Complete, so a
promotion script that could not push reports success, and the version completes as if it promoted.
"""
from harness.contract.job_result import JobResult
from harness.contract.states import KeptnState
from harness.controller import reconcile_task
from mutants.compose import wrap


def promotion_failure_read_as_success(job_result):
    def result(job):
        found = job_result(job)
        promotion = (job["metadata"].get("annotations") or {}).get("keptn.sh/task-name", "").startswith("promotion-")
        if found is not None and found.state == KeptnState.FAILED and promotion:
            return JobResult(KeptnState.SUCCEEDED)
        return found
    return result


def install() -> None:
    wrap(reconcile_task, "job_result", promotion_failure_read_as_success)
