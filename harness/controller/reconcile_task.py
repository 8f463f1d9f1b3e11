"""KeptnTask → Job, and the Job's result → KeptnTask status (contract §5), exactly once (contract §6).

- A task's Job is named from the task's UID (naming.py): created a second time (a restart
  between creating the Job and recording its name, a cache that does not show it yet), it answers
  409 and is adopted, never run twice.
- Every Job carries the finalizer `keptn.sh/job-result`; it is removed only once the task's status
  holds the result, so ttlSecondsAfterFinished cannot lose a result while the controller is down.
- A finished task is never run again, whatever happens to its Job afterwards.
"""
from __future__ import annotations

import logging

from kubernetes.client.rest import ApiException

from harness.controller.checks import OWNER_UID_LABEL
from harness.controller.context import Context, Key
from harness.controller.definitions import DefinitionError, check_task_definition
from harness.controller.events import WARNING
from harness.contract.job_result import JobResult, job_result
from harness.controller.jobs import JOB_RESULT_FINALIZER, job_manifest
from harness.contract.kinds import JOB, POD, TASK, TASK_DEFINITION
from harness.controller.api_calls import is_status, refusal
from harness.controller.naming import another_seed, job_name
from harness.controller.reconcile_taskdefinition import ensure_function_configmap
from harness.controller.store import OWNER
from harness.controller.stuck_pods import STUCK_AFTER_SECONDS, why_pods_wait
from harness.contract.states import KeptnState
from harness.contract.timestamps import now_text, seconds_since
from harness.controller.triggers import controller_of, wake_now

log = logging.getLogger(__name__)


def reconcile_task(ctx: Context, key: Key) -> float | None:
    task = ctx.store.get(TASK, key.namespace, key.name)
    if task is None:
        # Ask the API before calling the task gone: a phase creates a task and its Job in one pass,
        # and the Job's watch event can come before the task's (released then, a TTL of 0 removed
        # the Job before its result was recorded, and a restart found it lost).
        task = ctx.kube.get(TASK, key.namespace, key.name)
        if task is not None:
            ctx.store.upsert(TASK, task)
    if task is None:
        ctx.refusals.forget(key)
        # The task is gone (its version was deleted): nothing will record its Jobs' results.
        for job in ctx.store.list(JOB, key.namespace, lambda j: _owner_name(j) == key.name):
            release_job(ctx, job)
        return
    uid = task["metadata"]["uid"]
    status = task.get("status") or {}
    jobs = ctx.store.indexed(JOB, OWNER, key.namespace, uid, lambda j: _owner_uid(j) == uid)
    if KeptnState.of(status.get("status")).completed:
        for job in jobs:
            release_job(ctx, job)
        return
    job = _oldest(jobs)
    if job is None and status.get("jobName"):
        job = _job_named(ctx, task, status["jobName"])  # the cache may not show it yet
    if job is None:
        if status.get("jobName"):
            _record(ctx, task, JobResult(KeptnState.FAILED, "JobLost",
                                         f'Job "{status["jobName"]}" disappeared before its result was recorded'))
        else:
            _start(ctx, task)
        return
    result = job_result(job)
    if result is None and job["metadata"].get("deletionTimestamp"):
        result = JobResult(KeptnState.FAILED, "JobDeleted", f'Job "{job["metadata"]["name"]}" was deleted while running')
    if result is not None:
        _record(ctx, task, result, job["metadata"]["name"])
        release_job(ctx, job)
    elif status.get("jobName") != job["metadata"]["name"]:
        # created by the phase that created the task (phase_checks), or adopted after a restart:
        # the Job exists but its name is not recorded yet
        _write_status(ctx, task, {"jobName": job["metadata"]["name"], "status": KeptnState.PROGRESSING.value,
                                  "startTime": status.get("startTime") or now_text(), "message": ""})
    else:
        return _say_why_pods_wait(ctx, task, job)
    return None


def _say_why_pods_wait(ctx: Context, task: dict, job: dict) -> float:
    """A task running for long: say what keeps its Job's pods, if anything (stuck_pods.py); look
    again later."""
    status = task.get("status") or {}
    running = seconds_since(status.get("startTime"))
    if running < STUCK_AFTER_SECONDS:
        return STUCK_AFTER_SECONDS - running
    pods, _ = ctx.kube.list(POD, job["metadata"]["namespace"], label_selector=f"batch.kubernetes.io/job-name={job['metadata']['name']}")
    why = why_pods_wait(pods)
    message = f'Job "{job["metadata"]["name"]}": {why}' if why else ""
    if status.get("message", "") != message:
        _write_status(ctx, task, {"reason": "PodsWaiting" if why else "", "message": message})
        if why:
            ctx.events.emit(task, TASK, WARNING, "PodsWaiting", message)
        wake_now(ctx, controller_of(task))  # its version's status message says it too
    return STUCK_AFTER_SECONDS


def release_job(ctx: Context, job: dict) -> None:
    """Remove the result finalizer, and only it: a JSON patch that tests it is still where the
    cache saw it. (Conditional on the resourceVersion instead, it lost to the Job controller's
    status writes about once per version, each a 409 and a retry.)"""
    meta = job["metadata"]
    finalizers = meta.get("finalizers") or []
    if JOB_RESULT_FINALIZER not in finalizers:
        return
    where = f"/metadata/finalizers/{finalizers.index(JOB_RESULT_FINALIZER)}"
    operations = [{"op": "test", "path": where, "value": JOB_RESULT_FINALIZER}, {"op": "remove", "path": where}]
    try:
        ctx.store.upsert(JOB, ctx.kube.json_patch(JOB, meta["namespace"], meta["name"], operations))
    except Exception as error:
        if not is_status(error, 404):
            raise


def _start(ctx: Context, task: dict) -> None:
    job = create_job(ctx, task)
    if job is not None:
        _write_status(ctx, task, {"jobName": job["metadata"]["name"], "status": KeptnState.PROGRESSING.value,
                                  "startTime": now_text(), "reason": "", "message": ""})


def create_job(ctx: Context, task: dict) -> dict | None:
    """Create (or adopt) the task's Job and put it in the cache; None when it cannot be made now
    (the task then says why). The task's status is written by its own reconcile, which finds the
    Job in the cache: the phase that creates a task creates its Job at once this way (phase_checks)."""
    meta, spec = task["metadata"], task["spec"]
    namespace = meta["namespace"]
    definition = ctx.store.get(TASK_DEFINITION, namespace, spec["taskDefinition"])
    try:
        if definition is None:
            raise DefinitionError(f'KeptnTaskDefinition "{spec["taskDefinition"]}" not found in namespace '
                                  f'"{namespace}" (spec.taskDefinition)')
        function = check_task_definition(definition, lambda n: ctx.store.get(TASK_DEFINITION, namespace, n))
        manifest = job_manifest(job_name(meta["name"], meta["uid"]), task, definition, function, ctx.settings.runner_images)
        if function is not None and function.code_definition:
            ensure_function_configmap(ctx, ctx.store.get(TASK_DEFINITION, namespace, function.code_definition))
    except DefinitionError as error:
        _wait(ctx, task, "DefinitionNotUsable", str(error))
        return None
    # The same Job from the same task and definition would be refused again (refusals.py).
    key = Key.of(TASK, task)
    inputs = f'{meta.get("generation")}/{definition["metadata"].get("resourceVersion")}'
    if ctx.refusals.known(key, inputs) is not None:
        return None
    try:
        job = _create_or_adopt(ctx, task, manifest)
    except ApiException as error:
        why = refusal(error)
        if why is None:
            raise  # the API server may answer next time: retried with back-off
        message = f'the API server refused the Job built from KeptnTaskDefinition "{spec["taskDefinition"]}": {why}'
        ctx.refusals.remember(key, inputs, message)
        _wait(ctx, task, "JobRefused", message)
        return None
    ctx.refusals.forget(key)
    ctx.store.upsert(JOB, job)
    log.info("KeptnTask %s/%s has Job %s", namespace, meta["name"], job["metadata"]["name"])
    return job


def _wait(ctx: Context, task: dict, reason: str, message: str) -> None:
    """Never silent: the task stays Pending and says why, once; the definition's watch wakes it."""
    if (task.get("status") or {}).get("message") != message:
        _write_status(ctx, task, {"status": KeptnState.PENDING.value, "reason": reason, "message": message})
        ctx.events.emit(task, TASK, WARNING, reason, message)


def _record(ctx: Context, task: dict, result: JobResult, job: str | None = None) -> None:
    status = {"status": result.state.value, "reason": result.reason, "message": result.message, "endTime": now_text()}
    if job:
        status["jobName"] = job
    _write_status(ctx, task, status)
    wake_now(ctx, controller_of(task))
    log.info("KeptnTask %s/%s %s %s", task["metadata"]["namespace"], task["metadata"]["name"], result.state.value,
             f"({result.reason}: {result.message})" if result.reason else "")


def _write_status(ctx: Context, task: dict, status: dict) -> None:
    meta = task["metadata"]
    written = ctx.kube.patch_status(TASK, meta["namespace"], meta["name"],
                                    {"metadata": {"resourceVersion": meta["resourceVersion"]}, "status": status})
    ctx.store.upsert(TASK, written)


def _create_or_adopt(ctx: Context, task: dict, manifest: dict) -> dict:
    """The task's Job: created, or adopted when its name answers 409. If the name is another
    task's (the digits collided), the task's own Job is looked for by label before one is created
    under another name."""
    try:
        return ctx.kube.create(JOB, manifest)
    except ApiException as error:
        if not is_status(error, 409):
            raise
    meta, name = task["metadata"], manifest["metadata"]["name"]
    taken = _job_named(ctx, task, name)
    if taken is not None:
        log.info("adopted Job %s/%s of KeptnTask %s, created before", meta["namespace"], name, meta["name"])
        return taken
    log.info("Job %s/%s belongs to another owner; looking for KeptnTask %s's by label", meta["namespace"], name, meta["name"])
    found = _job_in_api(ctx, task)
    if found is not None:
        return found
    renamed = {**manifest, "metadata": {**manifest["metadata"], "name": job_name(meta["name"], another_seed(meta["uid"], ctx.rng))}}
    return ctx.kube.create(JOB, renamed)


def _job_named(ctx: Context, task: dict, name: str) -> dict | None:
    """The Job of that name if the task owns it (read from the API)."""
    job = ctx.kube.get(JOB, task["metadata"]["namespace"], name)
    if job is None or _owner_uid(job) != task["metadata"]["uid"]:
        return None
    ctx.store.upsert(JOB, job)
    return job


def _job_in_api(ctx: Context, task: dict) -> dict | None:
    """A Job the task owns, found by label in the API."""
    meta = task["metadata"]
    owner_label = (meta.get("labels") or {}).get(OWNER_UID_LABEL)
    jobs, _ = ctx.kube.list(JOB, meta["namespace"], label_selector=f"{OWNER_UID_LABEL}={owner_label}" if owner_label else None)
    job = _oldest([j for j in jobs if _owner_uid(j) == meta["uid"]])
    if job is not None:
        ctx.store.upsert(JOB, job)
    return job


def _oldest(jobs: list[dict]) -> dict | None:
    return min(jobs, key=lambda j: (j["metadata"].get("creationTimestamp", ""), j["metadata"]["name"]), default=None)


def _task_owner(job: dict) -> dict:
    return next((ref for ref in job["metadata"].get("ownerReferences") or [] if ref.get("kind") == TASK.kind), {})


def _owner_uid(job: dict) -> str | None:
    return _task_owner(job).get("uid")


def _owner_name(job: dict) -> str | None:
    return _task_owner(job).get("name")
