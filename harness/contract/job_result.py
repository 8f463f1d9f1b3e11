"""A Job's result as the contract reads it (contract §5): the Job's own conditions decide, nothing else."""
from __future__ import annotations

from dataclasses import dataclass

from harness.contract.states import KeptnState

SUCCEEDED_CONDITIONS = ("Complete", "SuccessCriteriaMet")
FAILED_CONDITIONS = ("Failed", "FailureTarget")


@dataclass(frozen=True)
class JobResult:
    state: KeptnState
    reason: str = ""
    message: str = ""


def job_result(job: dict) -> JobResult | None:
    """Complete/SuccessCriteriaMet → Succeeded; Failed/FailureTarget → Failed with the condition's
    reason and message; None while the Job runs."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("status") != "True":
            continue
        if condition.get("type") in SUCCEEDED_CONDITIONS:
            return JobResult(KeptnState.SUCCEEDED)
        if condition.get("type") in FAILED_CONDITIONS:
            return JobResult(KeptnState.FAILED, condition.get("reason", ""), condition.get("message", ""))
    return None
