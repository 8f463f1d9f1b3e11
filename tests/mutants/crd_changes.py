"""Breaks contract §1 (C1.1-C1.6), the rules of the CRDs: the reference's CRDs (fixtures/crds/current) with one thing changed.

Each function is a `crdChange` of matrix.yaml: run_matrix.py passes every CRD document of
fixtures/crds/current through it and installs the result instead (adapters.py). The fixtures share
schemas between versions and fields with YAML aliases, which PyYAML loads as one shared dict: a
change copies what it changes first, so that it changes only the one place it names.
"""
from __future__ import annotations

import copy

LIFECYCLE_GROUP = "lifecycle.keptn.sh"


def _is(document: dict, kind: str) -> bool:
    spec = document.get("spec") or {}
    return spec.get("group") == LIFECYCLE_GROUP and (spec.get("names") or {}).get("kind") == kind


def _own_schema(version: dict) -> dict:
    """The version's openAPIV3Schema, copied so that a change stays in this version."""
    version["schema"] = copy.deepcopy(version["schema"])
    return version["schema"]["openAPIV3Schema"]


def _spec_properties(version: dict) -> dict:
    return _own_schema(version)["properties"]["spec"]["properties"]


def no_status_subresource(document: dict) -> None:
    """C1.1: KeptnAppVersion has no `status` subresource (in any version)."""
    if _is(document, "KeptnAppVersion"):
        for version in document["spec"]["versions"]:
            version["subresources"] = {k: v for k, v in (version.get("subresources") or {}).items() if k != "status"}
            if not version["subresources"]:
                del version["subresources"]


def v1beta1_stored(document: dict) -> None:
    """C1.1: every lifecycle CRD stores `v1beta1` instead of `v1`."""
    if (document.get("spec") or {}).get("group") == LIFECYCLE_GROUP:
        for version in document["spec"]["versions"]:
            version["storage"] = version["name"] == "v1beta1"


def retries_default_dropped(document: dict) -> None:
    """C1.2: KeptnTaskDefinition's `retries` has no default (the contract states 10)."""
    if _is(document, "KeptnTaskDefinition"):
        for version in document["spec"]["versions"]:
            _spec_properties(version)["retries"].pop("default", None)


def warning_state_dropped(document: dict) -> None:
    """C1.2: KeptnAppVersion's `promotionStatus` does not admit the state `Warning`."""
    if _is(document, "KeptnAppVersion"):
        for version in document["spec"]["versions"]:
            states = _own_schema(version)["properties"]["status"]["properties"]
            state = states["promotionStatus"] = copy.deepcopy(states["promotionStatus"])  # shared with the other states
            state["enum"] = [value for value in state["enum"] if value != "Warning"]


def v1beta1_without_promotion_tasks(document: dict) -> None:
    """C1.4: `v1beta1` of KeptnAppContext does not have `promotionTasks` (v1 does): written through
    v1beta1, the field is pruned."""
    if _is(document, "KeptnAppContext"):
        for version in document["spec"]["versions"]:
            if version["name"] == "v1beta1":
                _spec_properties(version).pop("promotionTasks")


def promotion_tasks_untyped(document: dict) -> None:
    """C1.5: `promotionTasks` of KeptnAppContext and KeptnAppVersion takes any value (no type, unknown
    fields kept)."""
    if _is(document, "KeptnAppContext") or _is(document, "KeptnAppVersion"):
        for version in document["spec"]["versions"]:
            _spec_properties(version)["promotionTasks"] = {
                "description": "Names of definitions run in the promotion phase.",
                "x-kubernetes-preserve-unknown-fields": True}


def runtime_count_unchecked(document: dict) -> None:
    """C1.6: KeptnTaskDefinition's spec has no rule that exactly one of container, python and deno
    is set."""
    if _is(document, "KeptnTaskDefinition"):
        for version in document["spec"]["versions"]:
            _own_schema(version)["properties"]["spec"].pop("x-kubernetes-validations", None)


def old_versions_unwritable(document: dict) -> None:
    """C1.3: a KeptnAppVersion the previous release stored can no longer be written. The previous
    release wrote neither `spec.traceId` nor `spec.promotionTasks`; a validation rule on the whole
    object (so that a status write is refused too) asks for one of them. The versions the
    implementation creates now carry a traceId, and those the scenarios write list promotion tasks:
    they are written as before."""
    if _is(document, "KeptnAppVersion"):
        for version in document["spec"]["versions"]:
            _own_schema(version)["x-kubernetes-validations"] = [{
                "rule": "has(self.spec) && (has(self.spec.traceId) || has(self.spec.promotionTasks))",
                "message": "spec.traceId or spec.promotionTasks must be set"}]


def runtime_count_message_vague(document: dict) -> None:
    """C1.6 ("with a message that says so"): KeptnTaskDefinition's rules still refuse none or several of
    container, python and deno, but their message only says that the spec is invalid."""
    if _is(document, "KeptnTaskDefinition"):
        for version in document["spec"]["versions"]:
            spec = _own_schema(version)["properties"]["spec"]
            spec["x-kubernetes-validations"] = [{"rule": rule["rule"], "message": "spec is invalid"}
                                                for rule in spec["x-kubernetes-validations"]]
