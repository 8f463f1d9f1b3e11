"""Breaks contract §6 "A definition deleted while its task runs does not disturb the task: it ends with its Job's result" (C6.8): a running task whose definition is gone is failed, whatever its Job does.

The next time a running KeptnTask is reconciled (its Job changed, its definition's deletion woke
it) and its KeptnTaskDefinition is no longer there, the task is recorded Failed with the reason
DefinitionDeleted; its Job is left to run.
"""
from harness.contract.job_result import JobResult
from harness.contract.kinds import TASK, TASK_DEFINITION
from harness.contract.states import KeptnState
from harness.controller import manager, reconcile_task
from mutants.compose import wrap


def fail_when_definition_gone(reconcile):
    def reconciled(ctx, key):
        task = ctx.store.get(TASK, key.namespace, key.name)
        if task is not None:
            status, definition = task.get("status") or {}, (task.get("spec") or {}).get("taskDefinition")
            running = status.get("jobName") and not KeptnState.of(status.get("status")).completed
            if running and ctx.store.get(TASK_DEFINITION, key.namespace, definition) is None:
                reconcile_task._record(ctx, task, JobResult(KeptnState.FAILED, "DefinitionDeleted",
                                                            f'KeptnTaskDefinition "{definition}" was deleted'))
                return None
        return reconcile(ctx, key)
    return reconciled


def install() -> None:
    wrap(manager.RECONCILERS, TASK.kind, fail_when_definition_gone)
