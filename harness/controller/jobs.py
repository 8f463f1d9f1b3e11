"""The Job that runs a KeptnTask, its inline-code ConfigMap, and the Job's result (contract §5).

Pure functions returning dicts; `reconcile_task.py` does the writing.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from harness.controller.checks import owner_reference
from harness.controller.definitions import Function, runtime_of, task_timeout_seconds
from harness.contract.kinds import JOB, TASK, TASK_DEFINITION
from harness.controller.naming import function_configmap_name

# Kept on every Job the controller creates until the KeptnTask holds the Job's result, so that
# neither ttlSecondsAfterFinished nor garbage collection can lose it while the controller is down.
JOB_RESULT_FINALIZER = "keptn.sh/job-result"

RUNNER_CONTAINER = "keptn-function-runner"
FUNCTION_VOLUME = "function-mount"
FUNCTION_CODE_KEY = "code"
MOUNT_PATHS = {"deno": "/var/data/function.ts", "python": "/var/data/function.py"}
DEFAULT_TTL_SECONDS_AFTER_FINISHED = 300
# Keptn's runner images (lifecycle-operator Helm chart defaults of the v2 line); overridable by
# FUNCTION_RUNNER_IMAGE / PYTHON_RUNNER_IMAGE.
DEFAULT_FUNCTION_RUNNER_IMAGE = "ghcr.io/keptn/deno-runtime:v3.0.1"
DEFAULT_PYTHON_RUNNER_IMAGE = "ghcr.io/keptn/python-runtime:v1.0.8"

@dataclass(frozen=True)
class RunnerImages:
    deno: str = DEFAULT_FUNCTION_RUNNER_IMAGE
    python: str = DEFAULT_PYTHON_RUNNER_IMAGE


def job_manifest(name: str, task: dict, definition: dict, function: Function | None, images: RunnerImages) -> dict:
    """The Job of a KeptnTask; `function` is the resolved code of a deno/python definition."""
    task_meta, task_spec, definition_spec = task["metadata"], task["spec"], definition["spec"]
    labels = dict(task_meta.get("labels") or {})
    annotations = dict(task_meta.get("annotations") or {})
    container, volumes = (_container_runtime(task, definition) if function is None
                          else _function_runtime(task, function, images))
    pod_spec: dict = {"restartPolicy": "OnFailure", "containers": [container]}
    if volumes:
        pod_spec["volumes"] = volumes
    if (definition_spec.get("serviceAccount") or {}).get("name"):
        pod_spec["serviceAccountName"] = definition_spec["serviceAccount"]["name"]
    automount = (definition_spec.get("automountServiceAccountToken") or {}).get("type")
    if automount is not None:
        pod_spec["automountServiceAccountToken"] = automount
    if definition_spec.get("imagePullSecrets"):
        pod_spec["imagePullSecrets"] = definition_spec["imagePullSecrets"]
    job_spec: dict = {
        "backoffLimit": task_spec.get("retries", 10),
        "ttlSecondsAfterFinished": definition_spec.get("ttlSecondsAfterFinished", DEFAULT_TTL_SECONDS_AFTER_FINISHED),
        "template": {"metadata": {"labels": labels, "annotations": annotations}, "spec": pod_spec},
    }
    deadline = active_deadline_seconds(task)
    if deadline:
        job_spec["activeDeadlineSeconds"] = deadline
    return {
        "apiVersion": JOB.api_version,
        "kind": JOB.kind,
        "metadata": {
            "name": name,
            "namespace": task_meta["namespace"],
            "labels": labels,
            "annotations": {**annotations, **_keptn_annotations(task)},
            "ownerReferences": [owner_reference(task, TASK)],
            "finalizers": [JOB_RESULT_FINALIZER],
        },
        "spec": job_spec,
    }


def active_deadline_seconds(task: dict) -> int | None:
    """The task's timeout in whole seconds, rounded up; none for a timeout of 0."""
    seconds = task_timeout_seconds(task, "KeptnTask")
    return math.ceil(seconds) if seconds > 0 else None


def keptn_context_json(task: dict) -> str:
    return json.dumps(task["spec"].get("context") or {}, separators=(",", ":"))


def _keptn_annotations(task: dict) -> dict[str, str]:
    context = task["spec"].get("context") or {}
    annotations = {"keptn.sh/app": context.get("appName", ""), "keptn.sh/version": context.get("appVersion", ""),
                   "keptn.sh/task-name": task["metadata"]["name"]}
    if context.get("workloadName"):
        annotations["keptn.sh/workload"] = context["workloadName"]
        annotations["keptn.sh/version"] = context.get("workloadVersion", "")
    return annotations


def _container_runtime(task: dict, definition: dict) -> tuple[dict, list]:
    """The definition's container as written, with KEPTN_CONTEXT added or overwritten."""
    container = json.loads(json.dumps(definition["spec"]["container"]))
    env = [e for e in container.get("env") or [] if e.get("name") != "KEPTN_CONTEXT"]
    container["env"] = [*env, {"name": "KEPTN_CONTEXT", "value": keptn_context_json(task)}]
    return container, []


def _function_runtime(task: dict, function: Function, images: RunnerImages) -> tuple[dict, list]:
    """Keptn's function runner: code from an URL or a mounted ConfigMap, parameters as JSON."""
    spec = task["spec"]
    data = {**function.parameters, **((spec.get("parameters") or {}).get("map") or {})}
    env = [{"name": "DATA", "value": json.dumps(data, separators=(",", ":"))},
           {"name": "KEPTN_CONTEXT", "value": keptn_context_json(task)},
           {"name": "CMD_ARGS", "value": function.cmd_parameters}]
    secret = (spec.get("secureParameters") or {}).get("secret") or function.secure_secret
    if secret:
        env.append({"name": "SECURE_DATA", "valueFrom": {"secretKeyRef": {"name": secret, "key": "SECURE_DATA"}}})
    container = {"name": RUNNER_CONTAINER, "image": getattr(images, function.runtime)}
    volumes = []
    if function.url:
        env.append({"name": "SCRIPT", "value": function.url})
    else:
        mount_path = MOUNT_PATHS[function.runtime]
        env.append({"name": "SCRIPT", "value": mount_path})
        container["volumeMounts"] = [{"name": FUNCTION_VOLUME, "readOnly": True, "mountPath": mount_path,
                                      "subPath": FUNCTION_CODE_KEY}]
        volumes = [{"name": FUNCTION_VOLUME, "configMap": {"name": function.configmap}}]
    container["env"] = env
    return container, volumes


def function_configmap(definition: dict) -> dict | None:
    """The ConfigMap `keptnfn-<definition>` (key `code`) for a definition with inline code."""
    runtime = runtime_of(definition)
    code = ((definition["spec"][runtime].get("inline") or {}).get("code")) if runtime != "container" else None
    if not code:
        return None
    meta = definition["metadata"]
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": function_configmap_name(meta["name"]), "namespace": meta["namespace"],
                         "ownerReferences": [owner_reference(definition, TASK_DEFINITION)]},
            "data": {FUNCTION_CODE_KEY: code}}

