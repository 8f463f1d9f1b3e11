"""The implementation under test: installed and started once per run (default: the reference),
stopped at the end before the cluster goes."""
from __future__ import annotations

from pathlib import Path

import pytest

from harness import session
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.plugin.cluster import Cluster, say
from harness.plugin.options import options_of


def _state_file(config) -> Path:
    return session.shared_dir(config) / "implementation-state.json"


def _start(config, cluster: Cluster, kube) -> dict:
    options = options_of(config)
    adapter = adapters.load(adapters.resolve(options.implementation))
    adapter.must_run_on(cluster.provider, cluster.real_nodes)
    implementation = Implementation(adapter, cluster.kubeconfig, Path(options.run_dir), _state_file(config))
    say(f"installing and starting {adapter.name} ({adapter.mode})")
    implementation.install()
    implementation.start()
    implementation.wait_ready(kube)
    return {"adapter": str(adapter.path), "kubeconfig": str(cluster.kubeconfig), "log_dir": options.run_dir}


def _of(config, description: dict) -> Implementation:
    return Implementation(adapters.load(Path(description["adapter"])), Path(description["kubeconfig"]),
                          Path(description["log_dir"]), _state_file(config))


@pytest.fixture(scope="session")
def implementation(pytestconfig, cluster, kube) -> Implementation:
    """The implementation under test, installed and started once per run."""
    try:
        description = session.get_or_create(pytestconfig, "implementation", lambda: _start(pytestconfig, cluster, kube))
    except session.CreationFailed as failure:  # every scenario that needs it: notRun, with this reason
        raise session.CreationFailed(f"the implementation could not be installed and started: {failure}") from None
    return _of(pytestconfig, description)


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    """In the controlling process, after every worker ended: stop it before the cluster is deleted."""
    if hasattr(config, "workerinput") or not hasattr(config, "_tmp_path_factory"):
        return
    running = session.created(config).get("implementation")
    if running:
        _of(config, running).stop()
