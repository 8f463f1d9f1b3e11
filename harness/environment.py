"""What a run, a scenario or a command stands on, brought up and removed in one place: a cluster
owned for a scope, and an implementation running for a scope.

A cluster the harness makes is recorded with its owner before it is created (harness.clusters.
registry: a name in use is refused before anything is touched, and a cluster whose owner died is
removed by the next one brought up), and deleted at the end of its scope, also when the scope ends
by an exception, Ctrl-C or SIGTERM, unless it is kept (`--keep-cluster`: the record loses its owner
and the cluster stays until `cluster down`). An implementation is installed and started as its
adapter says, with the feature flag as asked, waited for until it answers, and stopped at the end
of its scope. The pytest plugin, whose cluster outlives any one process, uses the halves
(`bring_up`, `take_down`, `install_and_start`); everything else uses the context managers.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client
from kubernetes import config as kube_config

from harness.clusters import registry
from harness.clusters.provider import ClusterProvider
from harness.implementations.adapter import Adapter
from harness.implementations.runner import Implementation
from harness.kube import Kube
from harness.timeouts import TIMEOUTS
from harness.signals import stop_on_signals

#: the providers that can make a cluster (`existing` only uses one it is given)
MAKING = ("simulated", "kind")

Say = Callable[[str], None]


# -- a cluster --------------------------------------------------------------------------------

def provider(kind: str, name: str, say: Say | None = None) -> ClusterProvider:
    """The provider object of a cluster the harness makes (simulated: with the run's ready timeout,
    its progress said through `say` when given)."""
    if kind not in MAKING:
        raise ValueError(f"the {kind} provider makes no cluster; expected one of: {', '.join(MAKING)}")
    if kind == "simulated":
        return registry.make_provider(kind, name, ready_timeout=TIMEOUTS.cluster_ready,
                                      **({"progress": say} if say else {}))
    return registry.make_provider(kind, name)


def bring_up(cluster: ClusterProvider, owner_pid: int | None, say: Say = print) -> ClusterProvider:
    """Remove the clusters whose owner is gone, then record and create `cluster` (owned by
    `owner_pid`; None: kept until `cluster down`). A name in use is refused (ProviderError); a
    creation that fails or is interrupted removes what it made."""
    registry.remove_stale(say=say)
    registry.create_recorded(cluster, owner_pid=owner_pid)
    return cluster


def take_down(cluster: ClusterProvider, keep: bool = False, say: Say = print) -> None:
    """Delete the cluster and its record, or, with `keep`, leave it running without an owner."""
    if keep:
        registry.release(cluster.name)
        say(f"keeping cluster {cluster.name!r}: KUBECONFIG={cluster.kubeconfig}")
        return
    say(f"deleting cluster {cluster.name!r}")
    cluster.delete()
    registry.forget(cluster.name)


@contextmanager
def owned_cluster(cluster: ClusterProvider, keep: bool = False, owner_pid: int | None = None,
                  say: Say = print) -> Iterator[ClusterProvider]:
    """`cluster` brought up, owned by this process (or `owner_pid`), for the block; deleted after
    it, also on an exception, SIGINT, SIGTERM or SIGHUP (which raise KeyboardInterrupt meanwhile)."""
    with stop_on_signals():
        bring_up(cluster, os.getpid() if owner_pid is None else owner_pid, say)
        try:
            yield cluster
        finally:
            take_down(cluster, keep, say)


def client_of(kubeconfig: Path) -> client.ApiClient:
    return kube_config.new_client_from_config(config_file=str(kubeconfig))


# -- an implementation ------------------------------------------------------------------------

def start(implementation: Implementation, kube: Kube, promotion: bool | None = None,
          env: dict[str, str] | None = None) -> None:
    """Start it and return once it answers. `promotion` True or False starts it with promotion
    tasks enabled or disabled through its adapter's featureFlag (an environment variable of the
    process, or the enable/disable commands after an in-cluster start; an adapter without the
    flag starts as it is); None starts it as its adapter says. `env` overrides the adapter's
    run.env (None: the environment it was last started with)."""
    flag = implementation.adapter.spec.get("featureFlag") or {}
    if promotion is not None and flag.get("env"):
        implementation.start({**(env or {}), flag["env"]: "true" if promotion else "false"})
    else:
        implementation.start(env)
        if promotion is not None and flag.get("enable" if promotion else "disable"):
            implementation.set_feature_flag(promotion)
    implementation.wait_ready(kube)


def install_and_start(implementation: Implementation, kube: Kube, promotion: bool | None = None,
                      env: dict[str, str] | None = None) -> None:
    """Install it as its adapter says (CRDs, manifests, commands), then `start`."""
    implementation.install()
    start(implementation, kube, promotion, env)


@contextmanager
def running(implementation: Implementation, kube: Kube, promotion: bool | None = None,
            env: dict[str, str] | None = None) -> Iterator[Implementation]:
    """`implementation` installed, started and answering for the block; stopped after it, also
    when the install or start failed half-way, on an exception, SIGINT, SIGTERM or SIGHUP."""
    with stop_on_signals():
        try:
            install_and_start(implementation, kube, promotion, env)
            yield implementation
        finally:
            implementation.stop()


# -- both ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Environment:
    """A cluster of its own with an implementation running on it."""

    cluster: ClusterProvider
    api_client: client.ApiClient
    kube: Kube
    implementation: Implementation


@contextmanager
def environment(cluster: ClusterProvider, adapter: Adapter, log_dir: Path, state_file: Path, keep: bool = False,
                say: Say = print, promotion: bool | None = None) -> Iterator[Environment]:
    """`cluster` brought up with the implementation of `adapter` running on it (its log in
    `log_dir`, its state in `state_file`), for the block; both removed after it."""
    with owned_cluster(cluster, keep=keep, say=say):
        api_client = client_of(cluster.kubeconfig)
        kube = Kube(api_client)
        say(f"installing and starting {adapter.name} ({adapter.mode}) on cluster {cluster.name!r}")
        with running(Implementation(adapter, cluster.kubeconfig, log_dir, state_file), kube, promotion) as started:
            yield Environment(cluster, api_client, kube, started)
