"""The simulated cluster the CRD compatibility scenarios own: CRDs are cluster-wide, so these
scenarios never touch the session's cluster, and each scenario gets a namespace in this one."""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from harness import environment
from harness.clusters.simulated import SimulatedProvider
from harness.console import speaker
from harness.kube import Kube

say = speaker("compatibility")


@dataclass(frozen=True)
class UpgradeCluster:
    """A simulated cluster whose CRDs the scenarios replace at will."""
    provider: SimulatedProvider
    kube: Kube


@contextmanager
def own_cluster(keep: bool = False) -> Iterator[UpgradeCluster]:
    """A fresh simulated cluster `compat-<random>`, owned by this process (harness.environment:
    deleted afterwards, also on failure and signals; removed by the next run if this one dies).
    `keep` (the run's --keep-cluster) keeps it for debugging, as the session's."""
    provider = environment.provider("simulated", f"compat-{uuid.uuid4().hex[:6]}")
    with environment.owned_cluster(provider, keep=keep, say=say):
        yield UpgradeCluster(provider, Kube(environment.client_of(provider.kubeconfig)))


def create_namespace(cluster: UpgradeCluster) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    cluster.kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": name, "annotations": {"keptn.sh/lifecycle-toolkit": "enabled"}}})
    return name


def delete_namespace(cluster: UpgradeCluster, name: str) -> None:
    cluster.kube.delete("Namespace", name)
