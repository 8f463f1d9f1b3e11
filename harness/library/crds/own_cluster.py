"""The simulated cluster the CRD compatibility scenarios own, and the implementation under test on it:
CRDs are cluster-wide, so these scenarios never touch the session's cluster, and each scenario gets a
namespace in this one."""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from harness import environment
from harness.clusters.simulated import SimulatedProvider
from harness.console import speaker
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
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


def implementation_for(cluster: UpgradeCluster, adapter_path: Path, log_dir: Path, work_dir: Path) -> Implementation:
    """The implementation under test, set up to run against this cluster (an app version created
    before an upgrade must complete after it); `start_implementation` installs and starts it."""
    return Implementation(adapters.load(adapter_path), cluster.provider.kubeconfig, log_dir,
                          work_dir / "implementation-state.json")


def start_implementation(cluster: UpgradeCluster, implementation: Implementation) -> None:
    """Install it as its adapter says (for an adapter with CRD files: its CRDs again, which changes
    nothing), start it with promotion tasks enabled and wait until it answers."""
    environment.install_and_start(implementation, cluster.kube, promotion=True)
