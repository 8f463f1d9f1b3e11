"""What a Deployment says about its Keptn workload (contract §2), and when it is deployed.

Keptn learns workloads through a pod-mutating webhook; the reference reads the same labels and
annotations from the Deployment's pod template instead.
"""
from __future__ import annotations

from dataclasses import dataclass

ENABLED_ANNOTATION = "keptn.sh/lifecycle-toolkit"
_APP_KEYS = ("keptn.sh/app", "app.kubernetes.io/part-of")
_WORKLOAD_KEYS = ("keptn.sh/workload", "app.kubernetes.io/name")
_VERSION_KEYS = ("keptn.sh/version", "app.kubernetes.io/version")
_LIST_ANNOTATIONS = {
    "preDeploymentTasks": "keptn.sh/pre-deployment-tasks",
    "postDeploymentTasks": "keptn.sh/post-deployment-tasks",
    "preDeploymentEvaluations": "keptn.sh/pre-deployment-evaluations",
    "postDeploymentEvaluations": "keptn.sh/post-deployment-evaluations",
}
_METADATA_ANNOTATION = "keptn.sh/metadata"  # "key=value,key2=value2"


@dataclass(frozen=True)
class WorkloadIdentity:
    app: str
    workload: str
    version: str
    lists: dict[str, list[str]]  # the four task/evaluation lists, by spec field
    metadata: dict[str, str]


def namespace_enabled(namespace: dict | None) -> bool:
    annotations = ((namespace or {}).get("metadata") or {}).get("annotations") or {}
    return annotations.get(ENABLED_ANNOTATION) == "enabled"


def workload_of(deployment: dict) -> WorkloadIdentity | None:
    """The workload a Deployment's pod template names, or None if it names none.

    Annotations win over labels and `keptn.sh/*` over `app.kubernetes.io/*`, as in Keptn. Without an
    app the workload is its own app; without a version Keptn's hash of the containers is used.
    """
    template = deployment.get("spec", {}).get("template", {})
    meta = template.get("metadata") or {}
    annotations, labels = meta.get("annotations") or {}, meta.get("labels") or {}

    def first(keys: tuple[str, ...]) -> str:
        return next((source[k] for source in (annotations, labels) for k in keys if source.get(k)), "")

    workload = first(_WORKLOAD_KEYS)
    if not workload:
        return None
    lists = {field: _split(annotations.get(key, "")) for field, key in _LIST_ANNOTATIONS.items()}
    metadata = dict(pair.split("=", 1) for pair in _split(annotations.get(_METADATA_ANNOTATION, "")) if "=" in pair)
    version = first(_VERSION_KEYS) or _containers_version(template.get("spec") or {})
    return WorkloadIdentity(first(_APP_KEYS) or workload, workload, version, lists, metadata)


def rolled_out_at(deployment: dict, version: str) -> bool:
    """The Deployment is Available at `version`: its template carries that version and the rollout
    finished (the `kubectl rollout status` rule) with condition Available=True."""
    identity = workload_of(deployment)
    if identity is None or identity.version != version:
        return False
    meta, spec, status = deployment["metadata"], deployment.get("spec") or {}, deployment.get("status") or {}
    replicas = spec.get("replicas", 1)
    available = any(c.get("type") == "Available" and c.get("status") == "True" for c in status.get("conditions") or [])
    return (available
            and status.get("observedGeneration", 0) >= meta.get("generation", 0)
            and status.get("updatedReplicas", 0) == replicas
            and status.get("replicas", 0) == replicas
            and status.get("availableReplicas", 0) >= replicas)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _containers_version(pod_spec: dict) -> str:
    """Keptn's fallback version: FNV-1a (32 bit, decimal) of the containers' names, images and env."""
    text = "".join(
        c.get("name", "") + c.get("image", "") + "".join(e.get("name", "") + e.get("value", "") for e in c.get("env") or [])
        for c in pod_spec.get("containers") or []
    )
    digest = 0x811C9DC5
    for byte in text.encode():
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return str(digest)
