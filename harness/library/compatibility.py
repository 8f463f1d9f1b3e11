"""Upgrading and rolling back the lifecycle CRDs on a real API server (features/compatibility).

CRDs are cluster-wide, so these requirements run on a simulated cluster of their own, never on
the session's. Objects are read and written through an explicit version (`/apis/<group>/<version>/...`),
because "readable through v1 and v1beta1" is the point. Where storage matters the harness reads
etcd itself: only etcd shows in which version an object is stored and what the API server prunes
when it reads (see `stored`).
"""
from __future__ import annotations

import base64
import copy
import json
import os
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import yaml
from kubernetes import config as kube_config
from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError

from harness.clusters import registry
from harness.clusters.simulated import SimulatedProvider
from harness.eventually import NotYet, eventually
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.library.kube import Kube
from harness.library.simulation import task_container
from harness.paths import FIXTURES
from harness.settings import TIMEOUTS

CRDS = FIXTURES / "crds"
MANIFESTS = FIXTURES / "compatibility"
LIFECYCLE_GROUP = "lifecycle.keptn.sh"
CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
MANAGER = "promotion-conformance"  # field manager of everything the harness writes itself
PROBE_NAMESPACE = "default"


def _say(message: str) -> None:
    print(f"[compatibility] {message}", file=sys.stderr, flush=True)


# -- the cluster of its own ---------------------------------------------------------------------

@dataclass(frozen=True)
class UpgradeCluster:
    """A simulated cluster whose CRDs the scenarios replace at will."""
    provider: SimulatedProvider
    kube: Kube


@contextmanager
def own_cluster(keep: bool = False) -> Iterator[UpgradeCluster]:
    """Create a fresh simulated cluster `compat-<random>` and delete it afterwards.

    It is recorded with this process as owner, so that if the run dies, the next run removes it
    (registry.remove_stale). `keep` (the run's --keep-cluster) keeps it for debugging, as the session's.
    """
    registry.remove_stale(say=_say)
    provider = SimulatedProvider(f"compat-{uuid.uuid4().hex[:6]}", ready_timeout=TIMEOUTS.cluster_ready)
    registry.record(provider, owner_pid=os.getpid())
    try:
        provider.create()
        api_client = kube_config.new_client_from_config(config_file=str(provider.kubeconfig))
        yield UpgradeCluster(provider, Kube(api_client))
    finally:
        if keep:
            registry.release(provider.name)
            _say(f"keeping cluster {provider.name!r}: KUBECONFIG={provider.kubeconfig}")
        else:
            provider.delete()
            registry.forget(provider.name)


def create_namespace(cluster: UpgradeCluster) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    cluster.kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": name, "annotations": {"keptn.sh/lifecycle-toolkit": "enabled"}}})
    return name


def delete_namespace(cluster: UpgradeCluster, name: str) -> None:
    cluster.kube.delete("Namespace", name)


# -- the CRD sets ---------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _parsed(folder: Path) -> tuple[dict, ...]:
    return tuple(yaml.safe_load(path.read_text()) for path in sorted(folder.glob("*.yaml")))


def _load(folder: Path) -> list[dict]:
    """Fresh copies of the CRDs of a folder (parsed once: PyYAML takes a second per release).
    Copies, because PyYAML resolves the CRDs' YAML aliases to shared dicts (fixtures/crds/current/README.md)."""
    return copy.deepcopy(list(_parsed(folder)))


def _is_lifecycle(crd: dict) -> bool:
    return crd["spec"]["group"] == LIFECYCLE_GROUP


def current_crds() -> list[dict]:
    return _load(CRDS / "current")


def previous_crds() -> list[dict]:
    """The release before the promotion phase; KeptnConfig and KeptnMetric did not change, so they
    come from current (fixtures/crds/previous/README.md)."""
    return _load(CRDS / "previous") + [crd for crd in current_crds() if not _is_lifecycle(crd)]


def rolled_back_crds() -> list[dict]:
    """The previous CRDs as they can be applied over current: each lifecycle CRD also lists `v1`,
    not served and not the storage version, with the previous schema.

    The API server refuses a CRD that drops a version named in its status.storedVersions, and
    current's `v1` is there from the moment current was applied. Keeping `v1` listed is the one
    change that makes a rollback possible without a storage migration first.
    """
    crds = previous_crds()
    for crd in filter(_is_lifecycle, crds):
        (beta,) = crd["spec"]["versions"]
        crd["spec"]["versions"].append({**copy.deepcopy(beta), "name": "v1", "served": False, "storage": False})
    return crds


CRD_SETS = {"previous": previous_crds, "current": current_crds, "rolled-back": rolled_back_crds}


def crd_set(name: str) -> list[dict]:
    try:
        return CRD_SETS[name]()
    except KeyError:
        raise ValueError(f"unknown CRD set {name!r}; expected one of: {', '.join(CRD_SETS)}") from None


def lifecycle_crd_names() -> list[str]:
    return [crd["metadata"]["name"] for crd in current_crds() if _is_lifecycle(crd)]


def lifecycle_kinds() -> list[str]:
    return [crd["spec"]["names"]["kind"] for crd in current_crds() if _is_lifecycle(crd)]


# kind → (group, plural)
_KINDS = {crd["spec"]["names"]["kind"]: (crd["spec"]["group"], crd["spec"]["names"]["plural"]) for crd in current_crds()}


def _versions_by_crd() -> dict[str, set[str]]:
    """CRD name → every version it has in any release (a version a release lacks must answer 404)."""
    versions: dict[str, set[str]] = {}
    for crd in current_crds() + previous_crds():
        versions.setdefault(crd["metadata"]["name"], set()).update(v["name"] for v in crd["spec"]["versions"])
    return versions


_VERSIONS_EVER = _versions_by_crd()


# -- installing CRDs ------------------------------------------------------------------------------

def install_from_scratch(cluster: UpgradeCluster, crds: list[dict]) -> None:
    """Delete every keptn.sh CRD (their objects go with them, and so do their storedVersions),
    wait until they are gone, then apply `crds`: each scenario starts from a known release.

    The current CRDs are applied first: they list every version any release has, so the API server
    can decode, and so delete, objects stored in any of them. A CRD that lost the version its
    objects are stored in cannot be deleted (its instances cannot be listed; it stays Terminating).
    """
    names = [crd["metadata"]["name"] for crd in current_crds() if _crd(cluster, crd["metadata"]["name"]) is not None]
    # Only what a previous scenario left: deleting a CRD the moment it was created (on a fresh
    # cluster) made the API server's CRD finalizer fail to list its objects and back off for minutes.
    _apply_each(cluster, [crd for crd in current_crds() if crd["metadata"]["name"] in names])
    eventually(lambda: _established(cluster, names), "the previous scenario's CRDs, applied again, to be Established")
    for name in names:  # a refusal of the apply above shows below, as the CRD that is never gone
        try:
            cluster.kube.dynamic.request("DELETE", f"{CRD_PATH}/{name}")
        except NotFoundError:
            pass

    nudged = {name: time.monotonic() for name in names}

    def gone() -> None:
        left = {name: crd for name in names if (crd := _crd(cluster, name)) is not None}
        for name in left:
            if time.monotonic() - nudged[name] >= _NUDGE_SECONDS:
                _nudge_finalizer(cluster, name)
                nudged[name] = time.monotonic()
        if left:
            raise NotYet("still there: " + "; ".join(f"{name} ({_terminating(crd)})" for name, crd in left.items()))

    eventually(gone, "the keptn.sh CRDs of the previous scenario to be deleted", TIMEOUTS.lifecycle)
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


def _established(cluster: UpgradeCluster, names: list[str]) -> None:
    for name in names:
        conditions = {c["type"]: c["status"] for c in ((_crd(cluster, name) or {}).get("status") or {}).get("conditions") or []}
        if conditions.get("Established") != "True":
            raise NotYet(f"{name}: conditions {conditions}")


def apply_crds(cluster: UpgradeCluster, crds: list[dict]) -> None:
    """Server-side apply each CRD (as `kubectl apply --server-side` would), then wait until the API
    server acts on all of them. A refusal raises, naming the CRD and the API server's message."""
    refusals = [f"{name}: {status} {message}" for name, (status, message) in _apply_each(cluster, crds).items() if status]
    if refusals:
        raise AssertionError("the API server refused CRDs:\n  " + "\n  ".join(refusals))
    crds_must_be_in_effect(cluster, crds)


def _apply_each(cluster: UpgradeCluster, crds: list[dict]) -> dict[str, tuple[int | None, str]]:
    """name → (None, "") when applied, (HTTP status, message) when refused."""
    results = {}
    for crd in crds:
        name = crd["metadata"]["name"]
        try:
            cluster.kube.dynamic.request("PATCH", f"{CRD_PATH}/{name}", body=crd, content_type="application/apply-patch+yaml",
                                         field_manager=MANAGER, force_conflicts=True)
            results[name] = (None, "")
        except DynamicApiError as error:
            results[name] = (error.status, _message(error))
    return results


def apply_collecting_refusals(cluster: UpgradeCluster, crds: list[dict]) -> dict[str, tuple[int, str]]:
    """Apply `crds`; return the refusals by CRD name (an accepted CRD is not in the result)."""
    return {name: result for name, result in _apply_each(cluster, crds).items() if result[0] is not None}


def _crd(cluster: UpgradeCluster, name: str) -> dict | None:
    try:
        return cluster.kube.dynamic.request("GET", f"{CRD_PATH}/{name}").to_dict()
    except NotFoundError:
        return None


# A dry-run create with promotionTasks shows which schema the API server applies: it keeps the
# field under current and prunes it under previous. Nothing else reveals that the API server has
# swapped a CRD's schema after an update (a CRD has no observedGeneration).
_SCHEMA_PROBES = {"KeptnAppContext": {}, "KeptnAppVersion": {"appName": "probe", "version": "0"}}


def crds_must_be_in_effect(cluster: UpgradeCluster, crds: list[dict]) -> None:
    """Wait until the API server acts on every CRD: Established, serving exactly its served
    versions (the others answer 404), and applying its schema (the probe above)."""
    waiting = {crd["metadata"]["name"]: crd for crd in crds}

    def all_in_effect() -> None:
        for name, crd in list(waiting.items()):
            _in_effect(cluster, crd)  # raises NotYet
            del waiting[name]

    eventually(all_in_effect, f"the API server to act on the CRDs {', '.join(waiting)}")


def _in_effect(cluster: UpgradeCluster, crd: dict) -> None:
    name, kind = crd["metadata"]["name"], crd["spec"]["names"]["kind"]
    served = {v["name"] for v in crd["spec"]["versions"] if v["served"]}
    storage = next(v for v in crd["spec"]["versions"] if v["storage"])
    found = _crd(cluster, name)
    conditions = {c["type"]: c["status"] for c in ((found or {}).get("status") or {}).get("conditions") or []}
    if conditions.get("Established") != "True":
        raise NotYet(f"{name}: conditions {conditions}")
    for version in sorted(_VERSIONS_EVER[name]):
        answers = _lists(cluster, kind, version)
        if answers != (version in served):
            raise NotYet(f"{name}: {version} {'answers' if answers else 'is not served'}")
    if kind in _SCHEMA_PROBES:
        expected = "promotionTasks" in storage["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        probe = {"apiVersion": f"{LIFECYCLE_GROUP}/{storage['name']}", "kind": kind,
                 "metadata": {"name": "schema-probe", "namespace": PROBE_NAMESPACE},
                 "spec": {**_SCHEMA_PROBES[kind], "promotionTasks": ["probe"]}}
        kept = "promotionTasks" in create(cluster, probe, dry_run=True)["spec"]
        if kept != expected:
            raise NotYet(f"{name}: a dry-run create {'keeps' if kept else 'prunes'} spec.promotionTasks")


def _lists(cluster: UpgradeCluster, kind: str, version: str) -> bool:
    try:
        cluster.kube.dynamic.request("GET", _path(kind, version, PROBE_NAMESPACE), limit=1)
        return True
    except NotFoundError:
        return False


def must_read_crd(cluster: UpgradeCluster, name: str) -> dict:
    crd = _crd(cluster, name)
    assert crd is not None, f"CRD {name} does not exist"
    return crd


def stored_versions(cluster: UpgradeCluster, crd_name: str) -> list[str]:
    return must_read_crd(cluster, crd_name)["status"]["storedVersions"]


def stored_versions_must_be(cluster: UpgradeCluster, expected: list[str]) -> None:
    observed = {name: stored_versions(cluster, name) for name in lifecycle_crd_names()}
    wrong = {name: versions for name, versions in observed.items() if versions != expected}
    assert not wrong, f"status.storedVersions should be {expected} on every lifecycle CRD; observed: {wrong}"


def set_stored_versions(cluster: UpgradeCluster, crd_name: str, versions: list[str]) -> list[str]:
    """Patch status.storedVersions through the CRD's status subresource; return what the API server kept.

    The API server takes the word of whoever patches: it checks neither that the objects were
    migrated nor that the versions exist (it keeps even ["v2"]); an empty list becomes the storage version.
    """
    patched = cluster.kube.dynamic.request("PATCH", f"{CRD_PATH}/{crd_name}/status", body={"status": {"storedVersions": versions}},
                                           content_type="application/merge-patch+json").to_dict()
    return patched["status"]["storedVersions"]


# -- objects, through an explicit version ---------------------------------------------------------

def _path(kind: str, version: str, namespace: str, name: str | None = None, subresource: str | None = None) -> str:
    group, plural = _KINDS[kind]
    return "/".join(part for part in (f"/apis/{group}/{version}/namespaces/{namespace}/{plural}", name, subresource) if part)


def _version(obj: dict) -> str:
    return obj["apiVersion"].split("/")[1]


def _message(error: DynamicApiError) -> str:
    try:
        return json.loads(error.body)["message"]
    except (TypeError, ValueError, KeyError):
        return str(error.body or error.reason)


def read(cluster: UpgradeCluster, kind: str, version: str, namespace: str, name: str) -> dict | None:
    """The object as the API server returns it through `version`; None on 404."""
    try:
        return cluster.kube.dynamic.request("GET", _path(kind, version, namespace, name)).to_dict()
    except NotFoundError:
        return None


def must_read(cluster: UpgradeCluster, kind: str, version: str, namespace: str, name: str) -> dict:
    obj = read(cluster, kind, version, namespace, name)
    assert obj is not None, f"{kind} {namespace}/{name} is not readable through {version} (404)"
    return obj


def create(cluster: UpgradeCluster, obj: dict, dry_run: bool = False) -> dict:
    """Create through the object's apiVersion. A `status` in `obj` is then written through the
    status subresource, because a create ignores it (as a controller writes status after creating)."""
    kind, namespace, version = obj["kind"], obj["metadata"]["namespace"], _version(obj)
    created = cluster.kube.dynamic.request("POST", _path(kind, version, namespace), body=obj, field_manager=MANAGER,
                                           dry_run="All" if dry_run else None).to_dict()
    if "status" in obj and not dry_run:
        created = write_status(cluster, {**created, "apiVersion": obj["apiVersion"], "status": obj["status"]})
    return created


def write(cluster: UpgradeCluster, obj: dict) -> dict:
    """Replace (PUT) through the object's apiVersion, with its resourceVersion (optimistic concurrency)."""
    return cluster.kube.dynamic.request("PUT", _path(obj["kind"], _version(obj), obj["metadata"]["namespace"], obj["metadata"]["name"]),
                                        body=obj, field_manager=MANAGER).to_dict()


def write_status(cluster: UpgradeCluster, obj: dict) -> dict:
    return cluster.kube.dynamic.request(
        "PUT", _path(obj["kind"], _version(obj), obj["metadata"]["namespace"], obj["metadata"]["name"], "status"),
        body=obj, field_manager=MANAGER).to_dict()


def apply(cluster: UpgradeCluster, obj: dict, manager: str) -> dict:
    """Server-side apply through the object's apiVersion as `manager`, without force: a conflict
    with another manager's field is an error, as it would be for a real client."""
    return cluster.kube.dynamic.request(
        "PATCH", _path(obj["kind"], _version(obj), obj["metadata"]["namespace"], obj["metadata"]["name"]),
        body=obj, content_type="application/apply-patch+yaml", field_manager=manager).to_dict()


def request_must_fail(call: Callable[[], object], status: int, message: str, what: str) -> None:
    """`call` fails with HTTP `status` and a message containing `message`; waited for, because
    the API server swaps a CRD's handling asynchronously after the CRD changed."""
    def check() -> None:
        try:
            call()
        except DynamicApiError as error:
            if error.status != status or message not in _message(error):
                raise NotYet(f"{error.status} {_message(error)}") from None
            return
        raise NotYet("it succeeded")

    eventually(check, f"{what} to fail with {status} and the message {message!r}")


@dataclass(frozen=True)
class Attempt:
    """A write that must be refused with `status` and a message containing each of `texts`."""
    what: str
    write: Callable[[], dict]
    status: int
    texts: tuple[str, ...]


def attempts_must_be_refused(attempts: list[Attempt]) -> None:
    """Every attempt is made; all that were not refused as expected are reported together."""
    problems = []
    for attempt in attempts:
        try:
            written = attempt.write()
        except DynamicApiError as error:
            message = _message(error)
            if error.status != attempt.status or not all(text in message for text in attempt.texts):
                problems.append(f"{attempt.what}: {error.status} {message}")
            continue
        problems.append(f"{attempt.what}: accepted; the API server stored spec {json.dumps(written.get('spec'))[:300]}")
    assert not problems, (f"expected refusals with {attempts[0].status} and a message naming the field; observed:\n  "
                          + "\n  ".join(problems))


def fields_must_be(observed: dict, expected: dict, what: str) -> None:
    """`observed` (a spec or status) has each field of `expected` with that value (None: absent)."""
    found = {field: observed.get(field) for field in expected}
    assert found == expected, f"{what} has {found}, expected {expected}; all of it: {json.dumps(observed)[:1500]}"


# -- objects the scenarios write ------------------------------------------------------------------

def app_context(name: str, namespace: str, version: str, lists: dict[str, list[str]]) -> dict:
    return {"apiVersion": f"{LIFECYCLE_GROUP}/{version}", "kind": "KeptnAppContext",
            "metadata": {"name": name, "namespace": namespace}, "spec": lists}


def app_version(name: str, namespace: str, version: str, app: str, app_version_: str, promotion_tasks: list[str]) -> dict:
    return {"apiVersion": f"{LIFECYCLE_GROUP}/{version}", "kind": "KeptnAppVersion", "metadata": {"name": name, "namespace": namespace},
            "spec": {"appName": app, "version": app_version_, "promotionTasks": promotion_tasks}}


def task_definition(name: str, namespace: str, version: str, run_for: str, exit_code: int) -> dict:
    return {"apiVersion": f"{LIFECYCLE_GROUP}/{version}", "kind": "KeptnTaskDefinition", "metadata": {"name": name, "namespace": namespace},
            "spec": {"container": task_container(run_for=run_for, exit_code=exit_code)}}


def create_one_of_each_kind(cluster: UpgradeCluster, namespace: str, version: str) -> list[dict]:
    """Create the objects of lifecycle_objects.yaml through `version`; return them as read back."""
    objects = manifests("crd_upgrade/lifecycle_objects.yaml", namespace)
    kinds = sorted(obj["kind"] for obj in objects)
    if kinds != sorted(lifecycle_kinds()):
        raise ValueError(f"lifecycle_objects.yaml holds {kinds}, expected one object of each lifecycle kind")
    created = []
    for obj in objects:
        if obj["apiVersion"] != f"{LIFECYCLE_GROUP}/{version}":
            raise ValueError(f"lifecycle_objects.yaml: {obj['kind']} {obj['metadata']['name']} is {obj['apiVersion']}, expected {version}")
        create(cluster, obj)
        created.append(must_read(cluster, obj["kind"], version, namespace, obj["metadata"]["name"]))
    return created


def create_app_from_previous_release(cluster: UpgradeCluster, namespace: str) -> dict[str, dict]:
    """Create the objects of app_before_upgrade.yaml, the KeptnAppVersion owned by the KeptnApp as
    the previous controller made it; return the manifest's objects by kind."""
    objects = {obj["kind"]: obj for obj in manifests("crd_upgrade/app_before_upgrade.yaml", namespace)}
    owner = create(cluster, objects["KeptnApp"])
    create(cluster, objects["KeptnAppContext"])
    objects["KeptnAppVersion"]["metadata"]["ownerReferences"] = [{
        "apiVersion": owner["apiVersion"], "kind": "KeptnApp", "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
        "controller": True, "blockOwnerDeletion": True,
    }]
    create(cluster, objects["KeptnAppVersion"])
    return objects


def manifests(relative: str, namespace: str) -> list[dict]:
    """The objects of fixtures/compatibility/<relative> (a YAML stream), in order, put in `namespace`."""
    path = MANIFESTS / relative
    objects = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    if not objects:
        raise ValueError(f"{path} holds no objects")
    for obj in objects:
        obj["metadata"]["namespace"] = namespace
    return objects


# What reading an old object through the current CRDs adds: the structural defaults of the fields
# current introduced (fixtures/crds/previous/README.md). Only KeptnAppVersion has one, in status;
# the API server applies it only where `status` exists.
CURRENT_DEFAULTS = {"KeptnAppVersion": {"status": {"promotionStatus": "Pending"}}}

# Metadata that says what the object is, as opposed to how the API server last handled it.
_IDENTITY = ("name", "namespace", "uid", "generation", "creationTimestamp", "labels", "annotations", "ownerReferences")


def content(obj: dict) -> dict:
    """What must survive an upgrade or a storage migration: spec, status and identity metadata
    (not apiVersion, resourceVersion or managedFields, which name how it was last written)."""
    metadata = {key: obj["metadata"][key] for key in _IDENTITY if key in obj["metadata"]}
    return {"kind": obj["kind"], "metadata": metadata, **{key: obj[key] for key in ("spec", "status") if key in obj}}


def with_current_defaults(obj: dict) -> dict:
    expected = copy.deepcopy(obj)
    for part, defaults in CURRENT_DEFAULTS.get(obj["kind"], {}).items():
        if part in expected:
            expected[part] = {**defaults, **expected[part]}
    return expected


def key(obj: dict) -> tuple[str, str, str]:
    return obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"]


def must_read_back(cluster: UpgradeCluster, expected: dict, versions: list[str], same_write: bool | None = None) -> None:
    """The object reads back through each of `versions` with the content of `expected`.
    same_write=True: also with its resourceVersion (it was not rewritten); False: with another one."""
    kind, namespace, name = key(expected)
    problems = []
    for version in versions:
        observed = read(cluster, kind, version, namespace, name)
        if observed is None:
            problems.append(f"through {version}: 404")
            continue
        if content(observed) != content(expected):
            problems.append(f"through {version}: {_difference(content(expected), content(observed))}")
        if same_write is not None and (observed["metadata"]["resourceVersion"] == expected["metadata"]["resourceVersion"]) != same_write:
            problems.append(f"through {version}: resourceVersion {observed['metadata']['resourceVersion']}, "
                            f"{'expected' if same_write else 'expected other than'} {expected['metadata']['resourceVersion']}")
    assert not problems, f"{kind} {namespace}/{name} does not read back as expected:\n  " + "\n  ".join(problems)


def must_read_identically(cluster: UpgradeCluster, kind: str, namespace: str, name: str, versions: list[str]) -> dict:
    """The object reads the same through every version; only apiVersion differs. Returns the first read."""
    reads = {version: _without_api_version(must_read(cluster, kind, version, namespace, name)) for version in versions}
    first, *others = versions
    different = {version: _difference(reads[first], reads[version]) for version in others if reads[version] != reads[first]}
    assert not different, f"{kind} {namespace}/{name} reads differently through {first} and {', '.join(different)}: {different}"
    return reads[first]


def _without_api_version(obj: dict) -> dict:
    return {field: value for field, value in obj.items() if field != "apiVersion"}


def _difference(expected: dict, observed: dict) -> str:
    """The first few paths where two JSON values differ, with both values."""
    found = []

    def walk(a, b, at):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                walk(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{at}.{k}" if at else k)
        elif a != b:
            found.append(f"{at}: expected {json.dumps(a)}, observed {json.dumps(b)}")

    walk(expected, observed, "")
    return "; ".join(found[:5]) + (f" (and {len(found) - 5} more)" if len(found) > 5 else "")


# -- storage --------------------------------------------------------------------------------------

def stored(cluster: UpgradeCluster, kind: str, namespace: str, name: str) -> dict | None:
    """The object exactly as etcd holds it (custom resources are stored as JSON), or None.

    Read through etcd's JSON gateway (POST /v3/kv/range, a documented etcd API), found from the
    API server's own flags in the simulated cluster's kwokctl configuration. No client library is
    needed for one range read; etcd3 clients for Python are gRPC-heavy and unmaintained.
    """
    etcd, prefix = _etcd_of(cluster)
    group, plural = _KINDS[kind]
    key_bytes = f"{prefix}/{group}/{plural}/{namespace}/{name}".encode()
    request = urllib.request.Request(f"{etcd}/v3/kv/range", data=json.dumps({"key": base64.b64encode(key_bytes).decode()}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        kvs = json.load(response).get("kvs") or []
    return json.loads(base64.b64decode(kvs[0]["value"])) if kvs else None


def _etcd_of(cluster: UpgradeCluster) -> tuple[str, str]:
    """(etcd client URL, key prefix) from the kube-apiserver flags `--etcd-servers` and `--etcd-prefix`."""
    configuration = cluster.provider.cluster_dir / "kwok.yaml"
    for document in yaml.safe_load_all(configuration.read_text()):
        for component in (document or {}).get("components") or []:
            if component["name"] == "kube-apiserver":
                flags = dict(arg.removeprefix("--").split("=", 1) for arg in component.get("args", []) if "=" in arg)
                return flags["etcd-servers"].split(",")[0], flags.get("etcd-prefix", "/registry")
    raise RuntimeError(f"{configuration} names no kube-apiserver component: cannot find the cluster's etcd")


def must_be_stored_as(cluster: UpgradeCluster, kind: str, namespace: str, name: str, api_version: str) -> dict:
    obj = stored(cluster, kind, namespace, name)
    assert obj is not None, f"etcd holds no {kind} {namespace}/{name}"
    assert obj["apiVersion"] == api_version, f"etcd holds {kind} {namespace}/{name} as {obj['apiVersion']}, expected {api_version}"
    return obj


def migrate_storage(cluster: UpgradeCluster, crds: list[dict]) -> None:
    """Move every object of the lifecycle CRDs to their storage version, as kube-storage-version-migrator does.

    No migrator runs in these clusters, so the harness does its two steps itself: rewrite every
    object unchanged through the storage version (the API server encodes a write in the storage
    version; the bytes in etcd change, so the write really happens and yields a new
    resourceVersion), then set status.storedVersions to the storage version alone, through the
    CRD's status subresource. A conflict (someone wrote meanwhile) is retried with a fresh read.
    """
    for crd in filter(_is_lifecycle, crds):
        kind = crd["spec"]["names"]["kind"]
        storage = next(v["name"] for v in crd["spec"]["versions"] if v["storage"])
        group, plural = _KINDS[kind]
        listed = cluster.kube.dynamic.request("GET", f"/apis/{group}/{storage}/{plural}").to_dict()
        for item in listed["items"]:
            eventually(lambda: _rewrite(cluster, item, storage), f"{kind} {item['metadata']['name']} to be rewritten")
        set_stored_versions(cluster, crd["metadata"]["name"], [storage])


def _rewrite(cluster: UpgradeCluster, item: dict, version: str) -> None:
    current = must_read(cluster, item["kind"], version, item["metadata"]["namespace"], item["metadata"]["name"])
    try:
        write(cluster, current)
    except DynamicApiError as error:
        if error.status == 409:
            raise NotYet(f"conflict: {_message(error)}") from None
        raise


# -- the implementation under test, on this cluster -----------------------------------------------

def implementation_for(cluster: UpgradeCluster, adapter_path: Path, log_dir: Path, work_dir: Path) -> Implementation:
    """The implementation under test, set up to run against this cluster; `start_implementation`
    installs and starts it."""
    return Implementation(adapters.load(adapter_path), cluster.provider.kubeconfig, log_dir,
                          work_dir / "implementation-state.json")


def start_implementation(cluster: UpgradeCluster, implementation: Implementation) -> None:
    """Install it as its adapter says (for the reference: the current CRDs again, which changes
    nothing), start it with promotion tasks enabled and wait until it answers."""
    implementation.install()
    flag = implementation.adapter.spec.get("featureFlag") or {}
    if flag.get("env"):  # process mode: the flag is an environment variable of the process
        implementation.start({flag["env"]: "true"})
    else:
        implementation.start()
        if flag.get("enable"):
            implementation.set_feature_flag(True)
    implementation.wait_ready(cluster.kube)


def app_version_must_reach(cluster: UpgradeCluster, namespace: str, name: str, state: str, phase: str,
                           implementation: Implementation) -> dict:
    """The KeptnAppVersion reaches `status.status` state with `status.currentPhase` phase. On
    failure the message ends with the implementation's log tail."""
    def check() -> dict:
        status = must_read(cluster, "KeptnAppVersion", "v1", namespace, name).get("status") or {}
        observed = (status.get("status"), status.get("currentPhase"))
        if observed != (state, phase):
            summary = f"status {observed[0]}, currentPhase {observed[1]}: {json.dumps(status)[:1500]}"
            if status.get("endTime"):  # finished otherwise: waiting longer cannot help
                raise AssertionError(f"KeptnAppVersion {namespace}/{name} ended with {summary}")
            raise NotYet(summary)
        return status

    try:
        return eventually(check, f"KeptnAppVersion {namespace}/{name} to reach status {state} with currentPhase {phase}", TIMEOUTS.lifecycle)
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n--- last lines of the {implementation.adapter.name} log ---\n{implementation.log_tail(40)}") from None


def list_objects(cluster: UpgradeCluster, kind: str, version: str, namespace: str) -> list[dict]:
    return cluster.kube.dynamic.request("GET", _path(kind, version, namespace)).to_dict()["items"]


def lists_again(cluster: UpgradeCluster, kind: str, version: str, namespace: str, name: str) -> None:
    """Wait until `kind` lists through `version` and shows `name`: the API server's watch cache of
    the resource started again after a repair. (Until then the CRD finalizer cannot list the
    objects either, so the next scenario's CRD deletion would back off for minutes.)"""
    def listed() -> None:
        try:
            names = [obj["metadata"]["name"] for obj in list_objects(cluster, kind, version, namespace)]
        except DynamicApiError as error:
            raise NotYet(f"{error.status}: {_message(error)}") from None
        if name not in names:
            raise NotYet(f"the list holds {names}")

    eventually(listed, f"{kind}s to list through {version} again, showing {name!r}", TIMEOUTS.lifecycle)


def tasks_must_be(cluster: UpgradeCluster, namespace: str, expected: list[tuple[str, str]], absent_check_type: str) -> None:
    """The namespace's KeptnTasks are exactly `expected` (checkType, definition), in any order,
    and none has `absent_check_type`."""
    tasks = [(t["metadata"]["name"], t["spec"].get("checkType"), t["spec"]["taskDefinition"]) for t in list_objects(cluster, "KeptnTask", "v1", namespace)]
    unwanted = [task for task in tasks if task[1] == absent_check_type]
    assert not unwanted, f"KeptnTasks with checkType {absent_check_type!r} exist: {unwanted}"
    assert sorted(task[1:] for task in tasks) == sorted(expected), \
        f"expected the KeptnTasks (checkType, definition) {expected}; observed (name, checkType, definition): {tasks}"


def manager_must_own(obj: dict, manager: str, api_version: str, owned: list[str], not_owned: list[str]) -> None:
    """The object's managedFields hold an Apply entry of `manager` through `api_version` that owns
    each spec field of `owned` and none of `not_owned`."""
    entries = [e for e in obj["metadata"].get("managedFields") or [] if e["manager"] == manager and e["operation"] == "Apply"]
    summary = [(e["manager"], e["operation"], e.get("apiVersion"), sorted(e.get("fieldsV1", {}).get("f:spec", {})))
               for e in obj["metadata"].get("managedFields") or []]
    assert len(entries) == 1, f"expected one Apply entry of {manager!r} in managedFields; observed (manager, operation, apiVersion, spec fields): {summary}"
    entry = entries[0]
    spec_fields = {field.removeprefix("f:") for field in entry.get("fieldsV1", {}).get("f:spec", {})}
    problems = [f"it does not own spec.{field}" for field in owned if field not in spec_fields]
    problems += [f"it owns spec.{field}" for field in not_owned if field in spec_fields]
    if entry.get("apiVersion") != api_version:
        problems.append(f"it applied through {entry.get('apiVersion')}, expected {api_version}")
    assert not problems, f"managedFields of {obj['kind']} {obj['metadata']['name']}, manager {manager!r}: {'; '.join(problems)}; all entries: {summary}"
