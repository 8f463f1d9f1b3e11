"""The KeptnTasks and KeptnEvaluations a phase creates (contract §5), as pure functions returning dicts.

Every one carries two labels of the reference, so that it can be found again after a restart
(exactly once, contract §6): the UID of the version that owns it and its check type.
"""
from __future__ import annotations

from harness.controller.definitions import DEFAULT_RETRY_INTERVAL, DEFAULT_TASK_TIMEOUT
from harness.contract.kinds import EVALUATION, TASK, Kind
from harness.controller.tracing import TRACEPARENT

OWNER_UID_LABEL = "keptn.sh/owner-uid"
CHECK_TYPE_LABEL = "keptn.sh/check-type"
DEFAULT_RETRIES = 10
_NOT_COPIED_ANNOTATIONS = ("kubectl.kubernetes.io/",)  # client bookkeeping, not the definition's


def owner_reference(owner: dict, kind: Kind) -> dict:
    meta = owner["metadata"]
    return {"apiVersion": kind.api_version, "kind": kind.kind, "name": meta["name"], "uid": meta["uid"],
            "controller": True, "blockOwnerDeletion": True}


def app_context(app_version: dict, check_type: str, traceparent: str | None) -> dict:
    """contract §5: the context of an app task, e.g. a promotion task; the trace carrier only while
    tracing is configured (contract §10)."""
    spec = app_version["spec"]
    return {"appName": spec["appName"], "appVersion": spec["version"], "workloadName": "", "workloadVersion": "",
            "taskType": check_type, "objectType": "App", "metadata": _metadata(spec, traceparent)}


def workload_context(workload_version: dict, check_type: str, traceparent: str | None) -> dict:
    spec = workload_version["spec"]
    return {"appName": spec["app"], "appVersion": "", "workloadName": spec["workloadName"],
            "workloadVersion": spec["version"], "taskType": check_type, "objectType": "Workload",
            "metadata": _metadata(spec, traceparent)}


def _metadata(spec: dict, traceparent: str | None) -> dict:
    return {**(spec.get("metadata") or {}), **({TRACEPARENT: traceparent} if traceparent else {})}


def task_manifest(name: str, owner: dict, owner_kind: Kind, check_type: str, definition: dict, context: dict) -> dict:
    """A KeptnTask: labels and annotations of the definition, controller owner = the version."""
    meta, spec = definition["metadata"], definition["spec"]
    return {
        "apiVersion": TASK.api_version,
        "kind": TASK.kind,
        "metadata": {
            "name": name,
            "namespace": owner["metadata"]["namespace"],
            "labels": {**(meta.get("labels") or {}), **_own_labels(owner, check_type)},
            "annotations": {k: v for k, v in (meta.get("annotations") or {}).items()
                            if not k.startswith(_NOT_COPIED_ANNOTATIONS)},
            "ownerReferences": [owner_reference(owner, owner_kind)],
        },
        "spec": {
            "taskDefinition": meta["name"],
            "context": context,
            "checkType": check_type,
            "retries": spec.get("retries", DEFAULT_RETRIES),
            "timeout": spec.get("timeout") or DEFAULT_TASK_TIMEOUT,
        },
    }


def evaluation_manifest(name: str, owner: dict, owner_kind: Kind, check_type: str, definition: dict,
                        context: dict) -> dict:
    """A KeptnEvaluation; `context` is a task context (app and workload names and versions)."""
    spec = definition["spec"]
    return {
        "apiVersion": EVALUATION.api_version,
        "kind": EVALUATION.kind,
        "metadata": {
            "name": name,
            "namespace": owner["metadata"]["namespace"],
            "labels": _own_labels(owner, check_type),
            "ownerReferences": [owner_reference(owner, owner_kind)],
        },
        "spec": {
            "appName": context["appName"],
            "appVersion": context["appVersion"],
            "workload": context["workloadName"],
            "workloadVersion": context["workloadVersion"],
            "evaluationDefinition": definition["metadata"]["name"],
            "checkType": check_type,
            "retries": spec.get("retries", DEFAULT_RETRIES),
            "retryInterval": spec.get("retryInterval") or DEFAULT_RETRY_INTERVAL,
        },
    }


def _own_labels(owner: dict, check_type: str) -> dict[str, str]:
    return {OWNER_UID_LABEL: owner["metadata"]["uid"], CHECK_TYPE_LABEL: check_type}
