"""Reading and writing objects through an explicit version (`/apis/<group>/<version>/...`):
"readable through v1 and v1beta1" is the point of these scenarios, so no call lets the client pick
the version. Kinds, groups and plurals are the contract's (harness/contract/kinds.py)."""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Iterator

from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError

from harness.contract import kinds
from harness.library.crds.own_cluster import UpgradeCluster

MANAGER = "promotion-conformance"  # field manager of everything the harness writes itself
_KINDS = {kind.kind: kind for kind in kinds.WATCHED}


def path(kind: str, version: str, namespace: str, name: str | None = None, subresource: str | None = None) -> str:
    known = _KINDS[kind]
    return "/".join(part for part in (f"/apis/{known.group}/{version}/namespaces/{namespace}/{known.plural}", name, subresource)
                    if part)


def version_of(obj: dict) -> str:
    return obj["apiVersion"].split("/")[1]


def message(error: DynamicApiError) -> str:
    """The API server's message of a refused request."""
    try:
        return json.loads(error.body)["message"]
    except (TypeError, ValueError, KeyError):
        return str(error.body or error.reason)


class Refused(DynamicApiError):
    """A write the API server refused; its first line says which write and why (a report's reason)."""

    def __init__(self, error: DynamicApiError, what: str):
        super().__init__(error)
        self.what = what

    def __str__(self) -> str:
        return f"the API server refused {self.what}: {self.status} {message(self)}"


@contextmanager
def _naming(what: str) -> Iterator[None]:
    try:
        yield
    except DynamicApiError as error:
        raise Refused(error, what) from None


def _described(obj: dict, how: str) -> str:
    return f"{how} {obj['kind']} {obj['metadata']['namespace']}/{obj['metadata']['name']} through {obj['apiVersion']}"


def read(cluster: UpgradeCluster, kind: str, version: str, namespace: str, name: str) -> dict | None:
    """The object as the API server returns it through `version`; None on 404."""
    try:
        return cluster.kube.dynamic.request("GET", path(kind, version, namespace, name)).to_dict()
    except NotFoundError:
        return None


def list_objects(cluster: UpgradeCluster, kind: str, version: str, namespace: str) -> list[dict]:
    return cluster.kube.dynamic.request("GET", path(kind, version, namespace)).to_dict()["items"]


def create(cluster: UpgradeCluster, obj: dict, dry_run: bool = False) -> dict:
    """Create through the object's apiVersion. A `status` in `obj` is then written through the
    status subresource, because a create ignores it (as a controller writes status after creating)."""
    kind, namespace, version = obj["kind"], obj["metadata"]["namespace"], version_of(obj)
    with _naming(_described(obj, "the dry-run create of" if dry_run else "the create of")):
        created = cluster.kube.dynamic.request("POST", path(kind, version, namespace), body=obj, field_manager=MANAGER,
                                               dry_run="All" if dry_run else None).to_dict()
    if "status" in obj and not dry_run:
        created = write_status(cluster, {**created, "apiVersion": obj["apiVersion"], "status": obj["status"]})
    return created


def write(cluster: UpgradeCluster, obj: dict) -> dict:
    """Replace (PUT) through the object's apiVersion, with its resourceVersion (optimistic concurrency)."""
    with _naming(_described(obj, "the update of")):
        return cluster.kube.dynamic.request("PUT", path(obj["kind"], version_of(obj), obj["metadata"]["namespace"], obj["metadata"]["name"]),
                                            body=obj, field_manager=MANAGER).to_dict()


def write_status(cluster: UpgradeCluster, obj: dict) -> dict:
    with _naming(_described(obj, "the status update of")):
        return cluster.kube.dynamic.request(
            "PUT", path(obj["kind"], version_of(obj), obj["metadata"]["namespace"], obj["metadata"]["name"], "status"),
            body=obj, field_manager=MANAGER).to_dict()


def apply(cluster: UpgradeCluster, obj: dict, manager: str) -> dict:
    """Server-side apply through the object's apiVersion as `manager`, without force: a conflict
    with another manager's field is an error, as it would be for a real client."""
    with _naming(_described(obj, f"{manager}'s server-side apply of")):
        return cluster.kube.dynamic.request(
            "PATCH", path(obj["kind"], version_of(obj), obj["metadata"]["namespace"], obj["metadata"]["name"]),
            body=obj, content_type="application/apply-patch+yaml", field_manager=manager).to_dict()
