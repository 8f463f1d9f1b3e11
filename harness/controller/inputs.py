"""What the reconcilers need of an object that its CRD schema cannot promise.

A CRD checks the required fields of `spec` only when `spec` is there: a KeptnApp, KeptnTask, ...
written without `spec` gets in. The reconcilers read these fields without asking; the manager
checks them first, from this table, and reports such an object (a Warning event) instead of
reconciling it over and over.
"""
from __future__ import annotations

from harness.contract.kinds import APP, APP_VERSION, EVALUATION, TASK, WORKLOAD, WORKLOAD_VERSION

# kind → the spec fields its CRD lists as required (enforced by the API server only when spec is set)
REQUIRED_SPEC = {
    APP.kind: ("version",),
    APP_VERSION.kind: ("appName", "version"),
    WORKLOAD.kind: ("app", "version", "resourceReference"),
    WORKLOAD_VERSION.kind: ("app", "version", "workloadName", "resourceReference"),
    TASK.kind: ("taskDefinition",),
    EVALUATION.kind: ("evaluationDefinition",),
}


def missing_fields(kind: str, obj: dict) -> str | None:
    """Why `obj` cannot be reconciled, naming it and the fields; None if it can."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    missing = [f"spec.{name}" for name in REQUIRED_SPEC.get(kind, ()) if not spec.get(name)]
    if not missing:
        return None
    meta = obj["metadata"]
    return (f'{kind} "{meta["name"]}" in namespace "{meta.get("namespace", "")}": {", ".join(missing)} must be set '
            "(the CRD requires it only when spec is present); it is not acted on until it is")
