"""Breaks contract §5 "A task is Failed when its Job has the condition Failed or FailureTarget, with the condition's reason and message copied to the task" (C5.17): a failed Job's reason or message does not reach its task.

Two changes of one family (matrix.yaml names each with `change:`): the task gets the Job's reason
but not its message, or a reason of its own instead of the Job's. The task is still Failed.
"""
from dataclasses import replace as with_changes

from harness.contract.states import KeptnState
from harness.controller import reconcile_task
from mutants.compose import wrap


def _failed_result_changed(**changes):
    def wrapper(job_result):
        def result(job):
            found = job_result(job)
            if found is not None and found.state == KeptnState.FAILED:
                return with_changes(found, **changes)
            return found
        return result
    return wrapper


def message_dropped() -> None:
    """The task of a failed Job gets the condition's reason, and no message."""
    wrap(reconcile_task, "job_result", _failed_result_changed(message=""))


def reason_of_its_own() -> None:
    """The task of a failed Job gets the reason `JobFailed`, whatever the condition says."""
    wrap(reconcile_task, "job_result", _failed_result_changed(reason="JobFailed"))
