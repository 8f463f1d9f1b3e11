"""The implementation under test: installed and started once per run (default: the reference),
stopped at the end before the cluster goes; and, for a scenario with an environment of its own
(harness.plugin.session_cluster), an instance on that scenario's cluster, removed with it."""
from __future__ import annotations

import re
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest

from harness import environment, session
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.plugin.session_cluster import Cluster, chosen_provider, has_own_environment, say
from harness.plugin.session_options import adapter_of, options_of


def _state_file(config) -> Path:
    return session.shared_dir(config) / "implementation-state.json"


def _start(config, cluster: Cluster, kube) -> dict:
    options = options_of(config)
    adapter = adapter_of(config)
    adapter.must_run_on(cluster.provider, cluster.real_nodes)
    say(f"installing and starting {adapter.name} ({adapter.mode})")
    environment.install_and_start(Implementation(adapter, cluster.kubeconfig, Path(options.run_dir), _state_file(config)),
                                  kube)
    return {"adapter": str(adapter.path), "kubeconfig": str(cluster.kubeconfig), "log_dir": options.run_dir}


def _of(config, description: dict) -> Implementation:
    adapter = adapter_of(config)
    if str(adapter.path) != description["adapter"]:
        adapter = adapters.load(Path(description["adapter"]))
    return Implementation(adapter, Path(description["kubeconfig"]), Path(description["log_dir"]), _state_file(config))


@pytest.fixture(scope="session")
def session_implementation(pytestconfig, session_cluster, session_kube) -> Implementation:
    """The implementation under test on the session's cluster, installed and started once per run."""
    try:
        description = session.get_or_create(pytestconfig, "implementation",
                                            lambda: _start(pytestconfig, session_cluster, session_kube))
    except session.CreationFailed as failure:  # every scenario that needs it: notRun, with this reason
        raise session.CreationFailed(f"the implementation could not be installed and started: {failure}") from None
    return _of(pytestconfig, description)


@pytest.fixture
def own_environment(request, pytestconfig) -> environment.Environment:
    """A cluster of the run's provider and an instance of the implementation on it, for this
    scenario only (its log and state in <run folder>/own-environments/<scenario>/); removed after it,
    or kept with the run's --keep-cluster."""
    options = options_of(pytestconfig)
    adapter = adapter_of(pytestconfig)
    name = f"pc-{uuid.uuid4().hex[:6]}"
    cluster = environment.provider(chosen_provider(pytestconfig), name)
    adapter.must_run_on(cluster.kind, cluster.real_nodes)
    folder = Path(options.run_dir) / "own-environments" / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    say(f"{request.node.name} changes what the whole cluster sees: it gets cluster {name!r} of its own")
    stack = ExitStack()
    try:
        own = stack.enter_context(environment.environment(cluster, adapter, folder, folder / "implementation-state.json",
                                                          keep=options.keep_cluster, say=say))
    except Exception as error:  # noqa: BLE001 - the scenario is notRun, with this reason
        raise session.CreationFailed(f"the {cluster.kind} cluster of its own or the implementation on it could not be "
                                     f"made: {type(error).__name__}: {error}") from error
    with stack:
        yield own


@pytest.fixture
def implementation(request) -> Implementation:
    """The scenario's implementation: the instance of its own environment, or the session's."""
    if has_own_environment(request.node):
        return request.getfixturevalue("own_environment").implementation
    return request.getfixturevalue("session_implementation")


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    """In the controlling process, after every worker ended: stop it before the cluster is deleted."""
    if hasattr(config, "workerinput") or not hasattr(config, "_tmp_path_factory"):
        return
    running = session.created(config).get("implementation")
    if running:
        _of(config, running).stop()
