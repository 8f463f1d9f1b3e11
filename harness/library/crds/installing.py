"""Installing a CRD set on the cluster of their own, and waiting until the API server acts on it.

Each scenario starts from a known release: every CRD of the contract's groups is deleted (their
objects go with them, and so do their storedVersions), then the release is applied.
"""
from __future__ import annotations

import time
from pathlib import Path

import yaml
from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError

from harness.compat.loading import Crd
from harness.contract.api import GROUPS, SERVED_VERSIONS
from harness.eventually import NotYet, eventually
from harness.library.crds.crd_sets import CRD_PATH, CrdSet, is_lifecycle, project_current
from harness.library.crds.own_cluster import UpgradeCluster
from harness.library.crds.versioned_access import MANAGER, create, message
from harness.timeouts import TIMEOUTS

PROBE_NAMESPACE = "default"


def install_from_scratch(cluster: UpgradeCluster, crds: CrdSet) -> None:
    """Delete every CRD of the contract's groups, wait until they are gone, then apply `crds`.

    Before deleting, this project's current CRDs are applied again over those of them a previous
    scenario left: they list both versions the scenarios store objects in (v1beta1 and v1), so the
    API server can decode, and so delete, every object. A CRD that lost the version its objects are
    stored in cannot be deleted (its instances cannot be listed; it stays Terminating).
    """
    names = [crd["metadata"]["name"] for crd in cluster.kube.dynamic.request("GET", CRD_PATH).to_dict()["items"]
             if crd["spec"]["group"] in GROUPS]
    # Only what a previous scenario left: deleting a CRD the moment it was created (on a fresh
    # cluster) made the API server's CRD finalizer fail to list its objects and back off for minutes.
    decodable = [crd for crd in project_current().documents() if crd["metadata"]["name"] in names]
    _apply_each(cluster, decodable)
    eventually(lambda: _established(cluster, [crd["metadata"]["name"] for crd in decodable]),
               "the previous scenario's CRDs, applied again, to be Established")
    for name in names:  # a refusal of the apply above shows below, as the CRD that is never gone
        try:
            cluster.kube.dynamic.request("DELETE", f"{CRD_PATH}/{name}")
        except NotFoundError:
            pass

    nudged = {name: time.monotonic() for name in names}

    def gone() -> None:
        left = {name: crd for name in names if (crd := read_crd(cluster, name)) is not None}
        for name in left:
            if time.monotonic() - nudged[name] >= _NUDGE_SECONDS:
                _nudge_finalizer(cluster, name)
                nudged[name] = time.monotonic()
        if left:
            raise NotYet("still there: " + "; ".join(f"{name} ({_terminating(crd)})" for name, crd in left.items()))

    eventually(gone, "the CRDs of the previous scenario to be deleted", TIMEOUTS.lifecycle)
    apply_crds(cluster, crds)


# The API server's CRD finalizer deletes a CRD's objects before the CRD. When that fails (the CRD's
# storage is being swapped after an apply), it retries with exponential back-off and soon waits
# minutes; any change to the CRD other than its Terminating condition queues it again at once.
_NUDGE_SECONDS = 5.0
NUDGE_ANNOTATION = "promotion-conformance.keptn.sh/retry-cleanup"


def _nudge_finalizer(cluster: UpgradeCluster, name: str) -> None:
    try:
        cluster.kube.dynamic.request("PATCH", f"{CRD_PATH}/{name}", content_type="application/merge-patch+json",
                                     body={"metadata": {"annotations": {NUDGE_ANNOTATION: f"{time.time():.3f}"}}})
    except NotFoundError:
        pass  # deleted meanwhile


def _terminating(crd: dict) -> str:
    """Why a CRD is still there, from its Terminating condition."""
    condition = next((c for c in (crd.get("status") or {}).get("conditions") or [] if c["type"] == "Terminating"), None)
    if condition is None:
        return "not being deleted"
    return f"{condition.get('reason', '')}: {condition.get('message', '')}"


def _conditions(crd: dict | None) -> dict[str, str]:
    return {c["type"]: c["status"] for c in ((crd or {}).get("status") or {}).get("conditions") or []}


def _established(cluster: UpgradeCluster, names: list[str]) -> None:
    for name in names:
        conditions = _conditions(read_crd(cluster, name))
        if conditions.get("Established") != "True":
            raise NotYet(f"{name}: conditions {conditions}")


def apply_crds(cluster: UpgradeCluster, crds: CrdSet) -> None:
    """Server-side apply each CRD (as `kubectl apply --server-side` would), then wait until the API
    server acts on all of them. A refusal raises, naming the CRD and the API server's message."""
    refusals = apply_collecting_refusals(cluster, crds)
    if refusals:
        raise AssertionError(f"the API server refused {crds.description}:\n  "
                             + "\n  ".join(f"{name}: {status} {text}" for name, (status, text) in refusals.items()))
    wait_in_effect(cluster, crds)


def _apply_each(cluster: UpgradeCluster, documents: list[dict]) -> dict[str, tuple[int | None, str]]:
    """name → (None, "") when applied, (HTTP status, message) when refused."""
    results = {}
    for crd in documents:
        name = crd["metadata"]["name"]
        try:
            cluster.kube.dynamic.request("PATCH", f"{CRD_PATH}/{name}", body=crd, content_type="application/apply-patch+yaml",
                                         field_manager=MANAGER, force_conflicts=True)
            results[name] = (None, "")
        except DynamicApiError as error:
            results[name] = (error.status, message(error))
    return results


def apply_collecting_refusals(cluster: UpgradeCluster, crds: CrdSet) -> dict[str, tuple[int, str]]:
    """Apply `crds`; return the refusals by CRD name (an accepted CRD is not in the result)."""
    return {name: result for name, result in _apply_each(cluster, crds.documents()).items() if result[0] is not None}


def read_crd(cluster: UpgradeCluster, name: str) -> dict | None:
    try:
        return cluster.kube.dynamic.request("GET", f"{CRD_PATH}/{name}").to_dict()
    except NotFoundError:
        return None


def write_crd_states(cluster: UpgradeCluster, folder: Path) -> None:
    """The cluster's CRDs as a failed scenario left them (its diagnostics): each one's served and
    storage versions, status.storedVersions and conditions."""
    crds = cluster.kube.dynamic.request("GET", CRD_PATH).to_dict()["items"]
    states = [{"name": crd["metadata"]["name"],
               "versions": [{key: version.get(key) for key in ("name", "served", "storage")} for version in crd["spec"]["versions"]],
               "storedVersions": (crd.get("status") or {}).get("storedVersions"),
               "conditions": {c["type"]: c["status"] for c in (crd.get("status") or {}).get("conditions") or []}}
              for crd in crds]
    (folder / "CustomResourceDefinitions.yaml").write_text(yaml.safe_dump(states, sort_keys=False))


def wait_in_effect(cluster: UpgradeCluster, crds: CrdSet) -> None:
    """Wait until the API server acts on every CRD: Established, serving exactly its served
    versions (the others answer 404), and applying its schema (the probe below)."""
    waiting = {crd.name: crd for crd in crds.crds}

    def all_in_effect() -> None:
        for name, crd in list(waiting.items()):
            _in_effect(cluster, crd)  # raises NotYet
            del waiting[name]

    eventually(all_in_effect, f"the API server to act on {crds.description}: {', '.join(waiting)}")


# A dry-run create with promotionTasks shows which schema the API server applies: it keeps the
# field under a schema that has it and prunes it under one that does not. Nothing else reveals that
# the API server has swapped a CRD's schema after an update (a CRD has no observedGeneration).
_SCHEMA_PROBES = {"KeptnAppContext": {}, "KeptnAppVersion": {"appName": "probe", "version": "0"}}


def _in_effect(cluster: UpgradeCluster, crd: Crd) -> None:
    conditions = _conditions(read_crd(cluster, crd.name))
    if conditions.get("Established") != "True":
        raise NotYet(f"{crd.name}: conditions {conditions}")
    listed = set(crd.versions) | (set(SERVED_VERSIONS) if is_lifecycle(crd) else set())
    for version in sorted(listed):
        served = version in crd.versions and crd.versions[version].served
        if _lists(cluster, crd, version) != served:
            raise NotYet(f"{crd.name}: {version} {'is not served yet' if served else 'still answers'}")
    if is_lifecycle(crd) and crd.kind in _SCHEMA_PROBES:
        spec = crd.storage.schema.get("properties", {}).get("spec", {})
        expected = "promotionTasks" in spec.get("properties", {}) or bool(spec.get("x-kubernetes-preserve-unknown-fields"))
        probe = {"apiVersion": f"{crd.group}/{crd.storage.name}", "kind": crd.kind,
                 "metadata": {"name": "schema-probe", "namespace": PROBE_NAMESPACE},
                 "spec": {**_SCHEMA_PROBES[crd.kind], "promotionTasks": ["probe"]}}
        try:
            kept = "promotionTasks" in create(cluster, probe, dry_run=True)["spec"]
        except DynamicApiError as error:
            raise AssertionError(f"{crd.name}: a dry-run create of {probe} (to see which schema the API server applies) "
                                 f"was refused: {error.status} {message(error)}") from None
        if kept != expected:
            raise NotYet(f"{crd.name}: a dry-run create {'keeps' if kept else 'prunes'} spec.promotionTasks")


def _lists(cluster: UpgradeCluster, crd: Crd, version: str) -> bool:
    namespaced = f"namespaces/{PROBE_NAMESPACE}/" if crd.scope == "Namespaced" else ""
    try:
        cluster.kube.dynamic.request("GET", f"/apis/{crd.group}/{version}/{namespaced}{crd.plural}", limit=1)
        return True
    except NotFoundError:
        return False


def stored_versions(cluster: UpgradeCluster, crds: CrdSet) -> dict[str, list[str]]:
    """status.storedVersions of each lifecycle CRD of the set, by CRD name (None: the CRD is gone)."""
    return {crd.name: ((read_crd(cluster, crd.name) or {}).get("status") or {}).get("storedVersions") for crd in crds.lifecycle}


def set_stored_versions(cluster: UpgradeCluster, crd_name: str, versions: list[str]) -> list[str]:
    """Patch status.storedVersions through the CRD's status subresource; return what the API server kept.

    The API server takes the word of whoever patches: it checks neither that the objects were
    migrated nor that the versions exist (it keeps even ["v2"]); an empty list becomes the storage version.
    """
    patched = cluster.kube.dynamic.request("PATCH", f"{CRD_PATH}/{crd_name}/status", body={"status": {"storedVersions": versions}},
                                           content_type="application/merge-patch+json").to_dict()
    return patched["status"]["storedVersions"]
