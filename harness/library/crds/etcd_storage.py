"""The object as etcd holds it, and moving every object to the storage version.

Only etcd shows in which version an object is stored and what the API server prunes when it
reads, so the harness reads etcd itself, on the simulated cluster of their own.
"""
from __future__ import annotations

import base64
import json
import urllib.request

import yaml
from kubernetes.dynamic.exceptions import DynamicApiError

from harness.contract import kinds
from harness.eventually import NotYet, eventually
from harness.library.crds.crd_sets import CrdSet
from harness.library.crds.installing import set_stored_versions
from harness.library.crds.own_cluster import UpgradeCluster
from harness.library.crds.versioned_access import message, read, write

_KINDS = {kind.kind: kind for kind in kinds.WATCHED}


def stored(cluster: UpgradeCluster, kind: str, namespace: str, name: str) -> dict | None:
    """The object exactly as etcd holds it (custom resources are stored as JSON), or None.

    Read through etcd's JSON gateway (POST /v3/kv/range, a documented etcd API), found from the
    API server's own flags in the simulated cluster's kwokctl configuration. No client library is
    needed for one range read; etcd3 clients for Python are gRPC-heavy and unmaintained.
    """
    etcd, prefix = _etcd_of(cluster)
    known = _KINDS[kind]
    key_bytes = f"{prefix}/{known.group}/{known.plural}/{namespace}/{name}".encode()
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


def migrate_storage(cluster: UpgradeCluster, crds: CrdSet) -> None:
    """Move every object of the set's lifecycle CRDs to their storage version, as
    kube-storage-version-migrator does.

    No migrator runs in these clusters, so the harness does its two steps itself: rewrite every
    object unchanged through the storage version (the API server encodes a write in the storage
    version; the bytes in etcd change, so the write really happens and yields a new
    resourceVersion), then set status.storedVersions to the storage version alone, through the
    CRD's status subresource. A conflict (someone wrote meanwhile) is retried with a fresh read.
    """
    for crd in crds.lifecycle:
        storage = crd.storage.name
        listed = cluster.kube.dynamic.request("GET", f"/apis/{crd.group}/{storage}/{crd.plural}").to_dict()
        for item in listed["items"]:
            eventually(lambda: _rewrite(cluster, item, storage), f"{crd.kind} {item['metadata']['name']} to be rewritten")
        set_stored_versions(cluster, crd.name, [storage])


def _rewrite(cluster: UpgradeCluster, item: dict, version: str) -> None:
    namespace, name = item["metadata"]["namespace"], item["metadata"]["name"]
    current = read(cluster, item["kind"], version, namespace, name)
    if current is None:
        raise RuntimeError(f"{item['kind']} {namespace}/{name} does not read through {version}, so it cannot be rewritten")
    try:
        write(cluster, current)
    except DynamicApiError as error:
        if error.status == 409:
            raise NotYet(f"conflict: {message(error)}") from None
        raise
