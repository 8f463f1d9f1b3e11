"""Breaks contract §5 C5.16 "A task is `Succeeded` when its Job has the condition `Complete` or `SuccessCriteriaMet`": a task is Succeeded as soon as its Job has started.

The Job still runs to its end; the version goes on as soon as its tasks say Succeeded.
"""
from harness.contract.job_result import JobResult
from harness.contract.states import KeptnState
from harness.controller import reconcile_task
from mutants.compose import wrap


def task_succeeds_when_job_starts() -> None:
    """Breaks contract §5 C5.16 "A task is `Succeeded` when its Job has the condition `Complete`": it is
    Succeeded as soon as its Job has started (status.startTime)."""
    def early(job_result):
        def result(job: dict) -> JobResult | None:
            found = job_result(job)
            if found is None and (job.get("status") or {}).get("startTime"):
                return JobResult(KeptnState.SUCCEEDED)
            return found
        return result
    wrap(reconcile_task, "job_result", early)
