"""The Keptn objects a scenario creates, built from the few words the Gherkin step says.

Field names are exactly the API's (docs/contract.md §1); only what a scenario varies is a parameter.
"""
from __future__ import annotations

import base64
from datetime import datetime, timezone

from harness.contract.phases import CONTEXT_LISTS
from harness.contract.simulation import task_container
from harness.library.tables import key_values, names

LIFECYCLE = "lifecycle.keptn.sh/v1"


def task_definition(name: str, namespace: str, run_for: str = "0s", exit_code: int = 0, *, retries: int | None = None,
                    timeout: str | None = None, ttl: int | None = None, labels: dict | None = None,
                    annotations: dict | None = None) -> dict:
    spec: dict = {"container": task_container(run_for=run_for, exit_code=exit_code)}
    if retries is not None:
        spec["retries"] = retries
    if timeout is not None:
        spec["timeout"] = timeout
    if ttl is not None:
        spec["ttlSecondsAfterFinished"] = ttl
    metadata = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": LIFECYCLE, "kind": "KeptnTaskDefinition", "metadata": metadata, "spec": spec}


def task_definition_of_row(row: dict[str, str], namespace: str) -> dict:
    """A KeptnTaskDefinition from a scenario's table row: `name`, `runs for`, `exits with`, and the
    optional `retries`, `timeout`, `ttl`, `labels` and `annotations` (k=v, comma-separated),
    `service account`, `automount token` (true/false) and `image pull secrets` (comma-separated), and
    the container's `working dir`, `args` and `env` (see `_container_as_written`)."""
    definition = task_definition(
        row["name"], namespace, row["runs for"], int(row["exits with"]),
        retries=int(row["retries"]) if row.get("retries") else None,
        timeout=row.get("timeout") or None,
        ttl=int(row["ttl"]) if row.get("ttl") else None,
        labels=key_values(row.get("labels", "")), annotations=key_values(row.get("annotations", "")))
    spec = definition["spec"]
    if row.get("service account"):
        spec["serviceAccount"] = {"name": row["service account"]}
    if row.get("automount token"):
        spec["automountServiceAccountToken"] = {"type": {"true": True, "false": False}[row["automount token"]]}
    if row.get("image pull secrets"):
        spec["imagePullSecrets"] = [{"name": name} for name in names(row["image pull secrets"])]
    return _container_as_written(definition, row)


def _container_as_written(definition: dict, row: dict[str, str]) -> dict:
    """The definition with its container extended as a scenario's row says: `working dir`, `args`
    (comma-separated, appended to the command) and `env` (k=v, comma-separated, after the
    simulation's own variables)."""
    container = definition["spec"]["container"]
    if row.get("working dir"):
        container["workingDir"] = row["working dir"]
    if row.get("args"):
        container["args"] = names(row["args"])
    if row.get("env"):
        container["env"] = [*container.get("env", []), *({"name": k, "value": v} for k, v in key_values(row["env"]).items())]
    return definition


def service_account(name: str, namespace: str) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}}


def app_context(name: str, namespace: str, lists: dict[str, list[str]], metadata: dict | None = None) -> dict:
    unknown = set(lists) - set(CONTEXT_LISTS)
    if unknown:
        raise ValueError(f"KeptnAppContext {name}: unknown list(s) {sorted(unknown)}; expected one of {CONTEXT_LISTS}")
    spec: dict = {key: value for key, value in lists.items() if value is not None}
    if metadata:
        spec["metadata"] = metadata
    return {"apiVersion": LIFECYCLE, "kind": "KeptnAppContext", "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def app(name: str, namespace: str, version: str, workloads: list[dict] | None = None, revision: int = 1) -> dict:
    return {
        "apiVersion": LIFECYCLE,
        "kind": "KeptnApp",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"version": version, "revision": revision, "workloads": workloads or []},
    }


def workload_deployment(app_name: str, workload: str, version: str, namespace: str, replicas: int = 1) -> dict:
    """A Deployment whose pod template names its app, workload and version (docs/contract.md §2)."""
    selector = {"app.kubernetes.io/name": workload}
    pod_labels = {
        **selector,
        "app.kubernetes.io/part-of": app_name,
        "app.kubernetes.io/version": version,
        "keptn.sh/app": app_name,
        "keptn.sh/workload": workload,
        "keptn.sh/version": version,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": workload, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {"containers": [{"name": workload, "image": "busybox:1.36", "command": ["sleep", "infinity"]}]},
            },
        },
    }


def metric(name: str, namespace: str) -> dict:
    return {
        "apiVersion": "metrics.keptn.sh/v1",
        "kind": "KeptnMetric",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"provider": {"name": "scenario"}, "query": f"{name} (value set by the scenario)", "fetchIntervalSeconds": 5},
    }


def metric_status(value: str) -> dict:
    """A KeptnMetric's status as its provider would write it: `value`, the same as `rawValue`
    (base64 of the provider's answer, contract §1), and `lastUpdated` now."""
    return {"status": {"value": value, "rawValue": base64.b64encode(value.encode()).decode(),
                       "lastUpdated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}}


def evaluation_definition(name: str, namespace: str, metric_name: str, target: str, retries: int = 1,
                          retry_interval: str = "1s") -> dict:
    return {
        "apiVersion": LIFECYCLE,
        "kind": "KeptnEvaluationDefinition",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "objectives": [{"keptnMetricRef": {"name": metric_name, "namespace": namespace}, "evaluationTarget": target}],
            "retries": retries,
            "retryInterval": retry_interval,
        },
    }


def keptn_config(name: str, namespace: str, block_deployment: bool) -> dict:
    return {
        "apiVersion": "options.keptn.sh/v1alpha1",
        "kind": "KeptnConfig",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"blockDeployment": block_deployment},
    }
