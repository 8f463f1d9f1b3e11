"""Breaks contract §6 "A task that finished never runs again after its Job was removed by ttlSecondsAfterFinished" (C6.2): when ttlSecondsAfterFinished removes a finished task's Job, the task is started again (once), without any restart.

The deletion of the Job wakes its KeptnTask; the task is finished and has a Job name but no Job
any more, so it gets a new Job (what Keptn does at its next poll, upstream issue 3921).
"""
from harness.contract.kinds import JOB, TASK
from harness.contract.states import KeptnState
from harness.controller import manager, reconcile_task
from harness.controller.store import OWNER
from mutants.compose import wrap


def start_again_when_job_removed(reconcile):
    started_again: set[str] = set()  # once per task: a second run is enough to break the rule

    def reconciled(ctx, key):
        task = ctx.store.get(TASK, key.namespace, key.name)
        if task is not None:
            uid, status = task["metadata"]["uid"], task.get("status") or {}
            finished = KeptnState.of(status.get("status")).completed
            if (finished and status.get("jobName") and uid not in started_again
                    and not ctx.store.indexed(JOB, OWNER, key.namespace, uid)
                    and ctx.kube.get(JOB, key.namespace, status["jobName"]) is None):
                started_again.add(uid)
                reconcile_task._start(ctx, task)
                return None
        return reconcile(ctx, key)
    return reconciled


def install() -> None:
    wrap(manager.RECONCILERS, TASK.kind, start_again_when_job_removed)
