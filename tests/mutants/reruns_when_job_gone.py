"""Breaks contract §6 "Exactly once: a finished task is never run again ... not when its Job has been garbage-collected": after a restart, a finished task whose Job is gone gets a new Job (Keptn's upstream issue 3921).

A KeptnTask this process never saw running and finds finished without a Job (a restart, after
ttlSecondsAfterFinished removed it) is started again.
"""
from harness.contract.kinds import JOB, TASK
from harness.contract.states import KeptnState
from harness.controller import manager, reconcile_task
from harness.controller.store import OWNER
from mutants.compose import wrap


def restart_finished_tasks_without_job(reconcile):
    seen_running: set[str] = set()  # tasks this process saw before they finished

    def reconciled(ctx, key):
        task = ctx.store.get(TASK, key.namespace, key.name)
        if task is not None:
            uid = task["metadata"]["uid"]
            finished = KeptnState.of((task.get("status") or {}).get("status")).completed
            if not finished:
                seen_running.add(uid)
            elif uid not in seen_running and not ctx.store.indexed(JOB, OWNER, key.namespace, uid):
                seen_running.add(uid)
                reconcile_task._start(ctx, task)
                return None
        return reconcile(ctx, key)
    return reconciled


def install() -> None:
    wrap(manager.RECONCILERS, TASK.kind, restart_finished_tasks_without_job)
