"""pytest plugin: the session's cluster, per-scenario namespaces, and their cleanup.

Loaded for every pytest run of the project (pyproject's addopts `-p harness.pytest_plugin`); it
does nothing until a test asks for the `cluster` fixture, so unit tests never start a cluster.

Which cluster: PROMOTION_KUBECONFIG (+ PROMOTION_CONTEXT) uses an existing one; otherwise
PROVIDER (auto, simulated or kind; default auto) creates one for the session and deletes it at the
end, also on failure and Ctrl-C, unless PROMOTION_KEEP_CLUSTER=1.
"""
from __future__ import annotations

import fcntl
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from kubernetes import client, config as kube_config

from harness import report, session
from harness.clusters import registry
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.library.kube import Kube
from harness.paths import REPORTS
from harness.settings import TIMEOUTS


@dataclass(frozen=True)
class Cluster:
    provider: str
    name: str
    kubeconfig: Path
    real_nodes: bool


def _say(message: str) -> None:
    print(f"[harness] {message}", file=sys.stderr, flush=True)


def _create_cluster(config) -> dict:
    if os.environ.get("PROMOTION_KUBECONFIG"):
        cluster = registry.make_provider(
            "existing", "existing", kubeconfig=os.environ["PROMOTION_KUBECONFIG"], context=os.environ.get("PROMOTION_CONTEXT")
        )
        cluster.create()
        return {"provider": "existing", "name": cluster.name, "kubeconfig": str(cluster.kubeconfig), "real_nodes": cluster.real_nodes,
                "owned": False, "kubernetesVersion": _server_version(cluster.kubeconfig)}
    from harness.clusters.choice import choose_provider

    provider, reason = choose_provider(os.environ.get("PROVIDER", "auto"))
    _say(reason)
    registry.remove_stale(say=_say)
    name = f"pc-{uuid.uuid4().hex[:6]}"
    options = {"ready_timeout": TIMEOUTS.cluster_ready} if provider == "simulated" else {}
    cluster = registry.make_provider(provider, name, **options)
    registry.create_recorded(cluster, owner_pid=session.controller_pid(config))
    return {"provider": provider, "name": name, "kubeconfig": str(cluster.kubeconfig), "real_nodes": cluster.real_nodes,
            "owned": True, "kubernetesVersion": _server_version(cluster.kubeconfig)}


def _server_version(kubeconfig: Path) -> str:
    api = kube_config.new_client_from_config(config_file=str(kubeconfig))
    return client.VersionApi(api).get_code().git_version


@pytest.fixture(scope="session")
def cluster(pytestconfig) -> Cluster:
    """The session's cluster, created on first use and shared by every xdist worker."""
    description = session.get_or_create(pytestconfig, "cluster", lambda: _create_cluster(pytestconfig))
    return Cluster(description["provider"], description["name"], Path(description["kubeconfig"]), description["real_nodes"])


@pytest.fixture(scope="session")
def api_client(cluster) -> client.ApiClient:
    return kube_config.new_client_from_config(config_file=str(cluster.kubeconfig))


def _start_implementation(config, cluster: Cluster, kube) -> dict:
    adapter = adapters.load(adapters.resolve(os.environ.get("PROMOTION_IMPL")))
    if adapter.needs_real_nodes and not cluster.real_nodes:
        return {"adapter": str(adapter.path), "unusable": f"{adapter.name} needs a provider with real nodes; {cluster.provider} has none"}
    log_dir = Path(os.environ.get("PROMOTION_REPORT_DIR") or session.shared_dir(config))
    implementation = Implementation(adapter, cluster.kubeconfig, log_dir, session.shared_dir(config) / "implementation-state.json")
    _say(f"installing and starting {adapter.name} ({adapter.mode})")
    implementation.install()
    implementation.start()
    implementation.wait_ready(kube)
    return {"adapter": str(adapter.path), "kubeconfig": str(cluster.kubeconfig), "log_dir": str(log_dir)}


@pytest.fixture(scope="session")
def implementation(pytestconfig, cluster, kube) -> Implementation:
    """The implementation under test, installed and started once per run (default: the reference)."""
    description = session.get_or_create(pytestconfig, "implementation", lambda: _start_implementation(pytestconfig, cluster, kube))
    if "unusable" in description:
        pytest.skip(description["unusable"])
    return Implementation(
        adapters.load(Path(description["adapter"])), cluster.kubeconfig, Path(description["log_dir"]),
        session.shared_dir(pytestconfig) / "implementation-state.json",
    )


@pytest.fixture(scope="session")
def kube(api_client) -> Kube:
    return Kube(api_client)


@pytest.fixture
def namespace(api_client, request) -> str:
    """A fresh namespace per scenario, deleted afterwards (kept when the scenario failed and
    PROMOTION_KEEP_CLUSTER is set, for debugging)."""
    core = client.CoreV1Api(api_client)
    name = f"t-{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(
        name=name,
        labels={"promotion-conformance/test": re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:63].strip("-_.") or "scenario"},
        annotations={"keptn.sh/lifecycle-toolkit": "enabled"},
    )))
    yield name
    core.delete_namespace(name, propagation_policy="Background")


@pytest.fixture(autouse=True)
def _isolation(request, pytestconfig):
    """Scenarios tagged @exclusive change cluster-wide settings (the feature flag, KeptnConfig):
    they hold an exclusive lock, every other test a shared one, across all xdist workers."""
    folder = session.shared_dir(pytestconfig)
    folder.mkdir(parents=True, exist_ok=True)
    exclusive = request.node.get_closest_marker("exclusive") is not None
    with open(folder / "isolation.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield


_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report_ = yield
    if report_.when == "call":
        item.stash[_CALL_REPORT] = report_
    return report_


def after_scenario(item, kube, namespace: str, implementation: Implementation) -> None:
    """Write the scenario's timeline, and its diagnostics if it failed (called from its fixture teardown)."""
    from harness.library.diagnostics import write_diagnostics, write_scenario_timeline
    from harness.report.collector import scenario_labels

    labels = scenario_labels(item)
    call = item.stash.get(_CALL_REPORT, None)
    if labels is None or call is None:
        return
    report_dir = Path(os.environ["PROMOTION_REPORT_DIR"])
    status = "failed" if call.failed else "passed"
    write_scenario_timeline(kube, namespace, report_dir, labels["id"], status)
    if call.failed:
        folder = write_diagnostics(kube, namespace, report_dir / "diagnostics" / labels["id"], call.longreprtext,
                                   implementation.log_tail())
        _say(f"diagnostics of {labels['id']}: {folder}")


def pytest_unconfigure(config):
    if hasattr(config, "workerinput"):
        return  # only the controlling process tears down, after every worker ended
    if not hasattr(config, "_tmp_path_factory"):
        return
    resources = session.created(config)
    running = resources.get("implementation")
    if running and "unusable" not in running:
        Implementation(adapters.load(Path(running["adapter"])), Path(running["kubeconfig"]), Path(running["log_dir"]),
                       session.shared_dir(config) / "implementation-state.json").stop()
    cluster = resources.get("cluster")
    if not cluster or not cluster.get("owned"):
        return
    if os.environ.get("PROMOTION_KEEP_CLUSTER") == "1":
        registry.release(cluster["name"])
        _say(f"keeping cluster {cluster['name']!r}: KUBECONFIG={cluster['kubeconfig']}")
        return
    _say(f"deleting cluster {cluster['name']!r}")
    registry.make_provider(cluster["provider"], cluster["name"]).delete()
    registry.forget(cluster["name"])


def _report_provider(config) -> dict:
    """The cluster this run used, read when the conformance report is written."""
    cluster = session.created(config).get("cluster") or {}
    described = {"name": cluster.get("provider", "existing" if os.environ.get("PROMOTION_KUBECONFIG") else "simulated")}
    if cluster.get("kubernetesVersion"):
        described["kubernetesVersion"] = cluster["kubernetesVersion"]
    return described


def _adapter():
    return adapters.load(adapters.resolve(os.environ.get("PROMOTION_IMPL")))


def pytest_configure(config):
    if not hasattr(config, "workerinput") and not os.environ.get("PROMOTION_REPORT_DIR"):
        # One folder per run; set before xdist starts its workers, which inherit it.
        run_id = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
        os.environ["PROMOTION_REPORT_DIR"] = str(REPORTS / run_id)
    adapter = _adapter()
    report.configure(config, implementation=adapter.metadata, claimed_features=adapter.features,
                     provider=lambda: _report_provider(config))
    for line in (
        "id(name): the scenario's stable ID (from the Gherkin tag @id:Name)",
        "feature(name): the conformance feature the scenario checks (@feature:Name)",
        "core: the scenario belongs to the core profile",
        "extended: the scenario belongs to the extended profile",
        "cluster: a feature of the cluster provider itself",
        "exclusive: changes cluster-wide configuration; never runs beside other scenarios",
        "xdist_group(name): keeps a group of tests on one pytest-xdist worker (--dist loadgroup)",
    ):
        config.addinivalue_line("markers", line)


def pytest_collection_modifyitems(config, items):
    """Skip scenarios whose features the implementation does not claim, or that were asked to be skipped."""
    adapter = _adapter()
    claimed = set(adapter.features)
    skipped_ids = {s for s in os.environ.get("PROMOTION_SKIP", "").split(",") if s}
    selected = {f for f in os.environ.get("PROMOTION_FEATURES", "").split(",") if f}
    for item in items:
        scenario_id = next((m.args[0] for m in item.iter_markers("id")), None)
        features = [m.args[0] for m in item.iter_markers("feature")]
        unclaimed = [f for f in features if f not in claimed]
        if unclaimed:
            item.add_marker(pytest.mark.skip(reason=f"{adapter.name} does not claim {', '.join(unclaimed)}"))
        elif selected and features and not set(features) <= selected:
            item.add_marker(pytest.mark.skip(reason=f"{', '.join(features)} not selected (--features)"))
        elif scenario_id in skipped_ids:
            item.add_marker(pytest.mark.skip(reason=f"{scenario_id} skipped on request (--skip)"))


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag, function):
    """Gherkin tags `@key:value` become the marker `key("value")`; plain tags stay plain markers."""
    key, sep, value = tag.partition(":")
    marker = getattr(pytest.mark, key)(value) if sep else getattr(pytest.mark, tag)
    marker(function)
    return True
