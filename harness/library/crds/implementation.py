"""The implementation under test, started on the cluster of their own (an app version created
before the upgrade must complete after it)."""
from __future__ import annotations

from pathlib import Path

from harness import environment
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.library.crds.own_cluster import UpgradeCluster


def implementation_for(cluster: UpgradeCluster, adapter_path: Path, log_dir: Path, work_dir: Path) -> Implementation:
    """The implementation under test, set up to run against this cluster; `start` installs and starts it."""
    return Implementation(adapters.load(adapter_path), cluster.provider.kubeconfig, log_dir,
                          work_dir / "implementation-state.json")


def start(cluster: UpgradeCluster, implementation: Implementation) -> None:
    """Install it as its adapter says (for an adapter with CRD files: its CRDs again, which changes
    nothing), start it with promotion tasks enabled and wait until it answers."""
    environment.install_and_start(implementation, cluster.kube, promotion=True)
