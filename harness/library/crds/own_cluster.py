"""The simulated cluster the CRD compatibility scenarios own: CRDs are cluster-wide, so these
scenarios never touch the session's cluster, and each scenario gets a namespace in this one."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from kubernetes import config as kube_config

from harness.clusters import registry
from harness.clusters.simulated import SimulatedProvider
from harness.console import speaker
from harness.library.kube import Kube
from harness.settings import TIMEOUTS


say = speaker("compatibility")


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
    registry.remove_stale(say=say)
    provider = SimulatedProvider(f"compat-{uuid.uuid4().hex[:6]}", ready_timeout=TIMEOUTS.cluster_ready)
    registry.record(provider, owner_pid=os.getpid())
    try:
        provider.create()
        api_client = kube_config.new_client_from_config(config_file=str(provider.kubeconfig))
        yield UpgradeCluster(provider, Kube(api_client))
    finally:
        if keep:
            registry.release(provider.name)
            say(f"keeping cluster {provider.name!r}: KUBECONFIG={provider.kubeconfig}")
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
