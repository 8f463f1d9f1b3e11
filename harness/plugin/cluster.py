"""The session's cluster: created on first use, shared by every xdist worker, deleted at the end
(also on failure and Ctrl-C) unless the run keeps it.

`--provider existing --kubeconfig F` uses a cluster it never creates or deletes; otherwise the
provider (auto, simulated or kind) creates one. A cluster that cannot be created ends the run once,
with that one error, instead of failing every scenario with it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from kubernetes import client, config as kube_config

from harness import report, session
from harness.clusters import registry
from harness.clusters.choice import choose_provider
from harness.console import speaker
from harness.library.kube import Kube
from harness.plugin.options import options_of
from harness.settings import TIMEOUTS


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
    registry.remove_stale(say=say)
    name = f"pc-{uuid.uuid4().hex[:6]}"
    extra = {"ready_timeout": TIMEOUTS.cluster_ready} if provider == "simulated" else {}
    cluster = registry.make_provider(provider, name, **extra)
    registry.create_recorded(cluster, owner_pid=session.controller_pid(config))
    return {"provider": provider, "name": name, "kubeconfig": str(cluster.kubeconfig), "real_nodes": cluster.real_nodes,
            "owned": True, "kubernetesVersion": _server_version(cluster.kubeconfig)}


def _server_version(kubeconfig: Path) -> str:
    api = kube_config.new_client_from_config(config_file=str(kubeconfig))
    return client.VersionApi(api).get_code().git_version


@pytest.fixture(scope="session")
def cluster(pytestconfig) -> Cluster:
    """The session's cluster, created on first use and shared by every xdist worker."""
    try:
        description = session.get_or_create(pytestconfig, "cluster", lambda: _create_cluster(pytestconfig))
    except session.CreationFailed as failure:  # every scenario that needs it: notRun, with this reason
        raise session.CreationFailed(f"the {chosen_provider(pytestconfig)} cluster could not be created: {failure}") from None
    return Cluster(description["provider"], description["name"], Path(description["kubeconfig"]), description["real_nodes"])


@pytest.fixture(scope="session")
def api_client(cluster) -> client.ApiClient:
    return kube_config.new_client_from_config(config_file=str(cluster.kubeconfig))


@pytest.fixture(scope="session")
def kube(api_client) -> Kube:
    return Kube(api_client)


@pytest.hookimpl(trylast=True)  # after harness.plugin.options registered the report collector
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
    if options_of(config).keep_cluster:
        registry.release(cluster["name"])
        say(f"keeping cluster {cluster['name']!r}: KUBECONFIG={cluster['kubeconfig']}")
        return
    say(f"deleting cluster {cluster['name']!r}")
    registry.make_provider(cluster["provider"], cluster["name"]).delete()
    registry.forget(cluster["name"])
