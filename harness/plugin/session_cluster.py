"""The session's cluster: created on first use, shared by every xdist worker, deleted at the end
(also on failure and Ctrl-C) unless the run keeps it; and the cluster a scenario sees.

`--provider existing --kubeconfig F` uses a cluster it never creates or deletes; otherwise the
provider (auto, simulated or kind) creates one (harness.environment). A cluster that cannot be
created ends the run once, with that one error, instead of failing every scenario with it.

A scenario tagged @exclusive changes what the whole cluster sees (the feature flag, KeptnConfig,
the implementation killed, the API server restarted): where the provider can make clusters, it
gets a cluster and an implementation of its own (`own_environment`, harness.plugin.implementation_under_test)
and the others go on meanwhile; with `--provider existing` it takes the lock of
harness.plugin.scenarios instead. The `cluster`, `api_client` and `kube` fixtures are the
scenario's: its own environment's, or the session's (`session_cluster`, `session_kube`).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from kubernetes import client

from harness import environment, report, session
from harness.clusters import registry
from harness.clusters.choice import choose_provider
from harness.console import speaker
from harness.kube import Kube
from harness.plugin.session_options import options_of


@dataclass(frozen=True)
class Cluster:
    provider: str
    name: str
    kubeconfig: Path
    real_nodes: bool


say = speaker("harness")


def chosen_provider(config: pytest.Config) -> str:
    """The provider this run uses (`auto` resolved once per process)."""
    options = options_of(config)
    if options.provider != "auto":
        return options.provider
    if not hasattr(config, "_promotion_provider"):
        config._promotion_provider, reason = choose_provider("auto")
        say(reason)
    return config._promotion_provider


def _create_cluster(config: pytest.Config) -> dict:
    options = options_of(config)
    provider = chosen_provider(config)
    if provider == "existing":
        cluster = registry.make_provider("existing", "existing", kubeconfig=options.kubeconfig, context=options.context)
        cluster.create()
        return {"provider": "existing", "name": cluster.name, "kubeconfig": str(cluster.kubeconfig),
                "real_nodes": cluster.real_nodes, "owned": False, "kubernetesVersion": _server_version(cluster.kubeconfig)}
    cluster = environment.bring_up(environment.provider(provider, f"pc-{uuid.uuid4().hex[:6]}"),
                                   owner_pid=session.controller_pid(config), say=say)
    return {"provider": provider, "name": cluster.name, "kubeconfig": str(cluster.kubeconfig),
            "real_nodes": cluster.real_nodes, "owned": True, "kubernetesVersion": _server_version(cluster.kubeconfig)}


def _server_version(kubeconfig: Path) -> str:
    return client.VersionApi(environment.client_of(kubeconfig)).get_code().git_version


def makes_clusters(config: pytest.Config) -> bool:
    """Whether the run's provider can make clusters: every one but `existing` (`auto` becomes
    simulated or kind), known without resolving `auto`."""
    return options_of(config).provider != "existing"


def has_own_environment(item: pytest.Item) -> bool:
    """Whether the scenario gets a cluster and an implementation of its own: it is @exclusive and
    the run's provider can make clusters."""
    return item.get_closest_marker("exclusive") is not None and makes_clusters(item.config)


@pytest.fixture(scope="session")
def session_cluster(pytestconfig) -> Cluster:
    """The session's cluster, created on first use and shared by every xdist worker."""
    try:
        description = session.get_or_create(pytestconfig, "cluster", lambda: _create_cluster(pytestconfig))
    except session.CreationFailed as failure:  # every scenario that needs it: notRun, with this reason
        raise session.CreationFailed(f"the {chosen_provider(pytestconfig)} cluster could not be created: {failure}") from None
    return Cluster(description["provider"], description["name"], Path(description["kubeconfig"]), description["real_nodes"])


@pytest.fixture(scope="session")
def session_api_client(session_cluster) -> client.ApiClient:
    return environment.client_of(session_cluster.kubeconfig)


@pytest.fixture(scope="session")
def session_kube(session_api_client) -> Kube:
    return Kube(session_api_client)


@pytest.fixture
def cluster(request) -> Cluster:
    """The scenario's cluster: its own (see the module's docstring) or the session's."""
    if not has_own_environment(request.node):
        return request.getfixturevalue("session_cluster")
    own = request.getfixturevalue("own_environment").cluster
    return Cluster(own.kind, own.name, own.kubeconfig, own.real_nodes)


@pytest.fixture
def api_client(request) -> client.ApiClient:
    if not has_own_environment(request.node):
        return request.getfixturevalue("session_api_client")
    return request.getfixturevalue("own_environment").api_client


@pytest.fixture
def kube(request) -> Kube:
    if not has_own_environment(request.node):
        return request.getfixturevalue("session_kube")
    return request.getfixturevalue("own_environment").kube


@pytest.hookimpl(trylast=True)  # after harness.plugin.session_options registered the report collector
def pytest_configure(config: pytest.Config):
    report.describe_provider(config, lambda: described_provider(config))


def described_provider(config: pytest.Config) -> dict:
    """The cluster this run used, for the ConformanceReport (read when the report is written)."""
    cluster = session.created(config).get("cluster") or {}
    described = {"name": cluster.get("provider") or options_of(config).provider}
    if described["name"] == "auto":
        described["name"] = chosen_provider(config)
    if cluster.get("kubernetesVersion"):
        described["kubernetesVersion"] = cluster["kubernetesVersion"]
    return described


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config):
    """In the controlling process, after every worker ended (and after the implementation stopped)."""
    if hasattr(config, "workerinput") or not hasattr(config, "_tmp_path_factory"):
        return
    cluster = session.created(config).get("cluster")
    if not cluster or not cluster.get("owned"):
        return
    environment.take_down(registry.make_provider(cluster["provider"], cluster["name"]),
                          keep=options_of(config).keep_cluster, say=say)
