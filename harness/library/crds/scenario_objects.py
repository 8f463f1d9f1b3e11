"""The objects the compatibility scenarios write, and what reading them back after an upgrade must show.

The manifests in fixtures/compatibility/crd_upgrade/ use only fields contract §1 names, so that
any implementation's CRDs must keep them.
"""
from __future__ import annotations

import copy

import yaml

from harness.compat.openapi import as_stored
from harness.contract.api import LIFECYCLE_GROUP, LIFECYCLE_KINDS
from harness.contract.simulation import task_container
from harness.library.crds.crd_sets import CrdSet
from harness.library.crds.own_cluster import UpgradeCluster
from harness.library.crds.versioned_access import create, read, version_of
from harness.paths import FIXTURES

MANIFESTS = FIXTURES / "compatibility"


def app_context(name: str, namespace: str, version: str, lists: dict[str, list[str]]) -> dict:
    return {"apiVersion": f"{LIFECYCLE_GROUP}/{version}", "kind": "KeptnAppContext",
            "metadata": {"name": name, "namespace": namespace}, "spec": lists}


def app_version(name: str, namespace: str, version: str, app: str, app_version_: str, promotion_tasks: list[str]) -> dict:
    return {"apiVersion": f"{LIFECYCLE_GROUP}/{version}", "kind": "KeptnAppVersion", "metadata": {"name": name, "namespace": namespace},
            "spec": {"appName": app, "version": app_version_, "promotionTasks": promotion_tasks}}


def task_definition(name: str, namespace: str, version: str, run_for: str, exit_code: int) -> dict:
    return {"apiVersion": f"{LIFECYCLE_GROUP}/{version}", "kind": "KeptnTaskDefinition", "metadata": {"name": name, "namespace": namespace},
            "spec": {"container": task_container(run_for=run_for, exit_code=exit_code)}}


def manifests(relative: str, namespace: str) -> list[dict]:
    """The objects of fixtures/compatibility/<relative> (a YAML stream), in order, put in `namespace`."""
    path = MANIFESTS / relative
    objects = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    if not objects:
        raise ValueError(f"{path} holds no objects")
    for obj in objects:
        obj["metadata"]["namespace"] = namespace
    return objects


def create_one_of_each_kind(cluster: UpgradeCluster, namespace: str, version: str) -> list[dict]:
    """Create the objects of lifecycle_objects.yaml through `version`; return them as read back."""
    objects = manifests("crd_upgrade/lifecycle_objects.yaml", namespace)
    found = sorted(obj["kind"] for obj in objects)
    if found != sorted(LIFECYCLE_KINDS):
        raise ValueError(f"lifecycle_objects.yaml holds {found}, expected one object of each lifecycle kind")
    created = []
    for obj in objects:
        if obj["apiVersion"] != f"{LIFECYCLE_GROUP}/{version}":
            raise ValueError(f"lifecycle_objects.yaml: {obj['kind']} {obj['metadata']['name']} is {obj['apiVersion']}, expected {version}")
        create(cluster, obj)
        back = read(cluster, obj["kind"], version, namespace, obj["metadata"]["name"])
        if back is None:
            raise RuntimeError(f"{obj['kind']} {namespace}/{obj['metadata']['name']} was created but does not read back through {version}")
        created.append(back)
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


def key(obj: dict) -> tuple[str, str, str]:
    return obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"]


def expected_after_upgrade(obj: dict, upgraded: CrdSet, rewritten_through: str | None = None) -> dict:
    """What an object written before the upgrade reads back as under the `upgraded` CRDs: the API
    server applies the structural defaults of the schema of the version it is stored in when it
    reads it from etcd, and those of the version it is written through when it is rewritten. So an
    old object gains exactly the defaults the upgraded CRDs declare for fields it lacks, and nothing else.
    """
    crd = upgraded.crd(obj["kind"])
    expected = copy.deepcopy(obj)
    for version in (version_of(obj), rewritten_through):
        if crd is not None and version in crd.versions:
            expected = as_stored(expected, crd.versions[version].schema)
    return expected
