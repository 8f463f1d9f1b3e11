"""harness/environment.py on real processes: a cluster owned for a block is deleted and forgotten
when the block raises, and when the process gets SIGTERM or SIGINT; a name in use is refused; an
implementation is stopped when its block ends or its start fails half-way; the feature flag is set
as the adapter says. The cluster here is a fake provider whose "control plane" is one real process
(a unit test's stand-in; the scenarios use real providers)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness import environment, processes
from harness.clusters import registry
from harness.clusters.provider import ClusterProvider, ProviderError
from harness.eventually import eventually

TESTS = Path(__file__).resolve().parent


def _spawn_sleeper(pid_file: Path) -> int:
    process = subprocess.Popen(processes.orphan_guarded(["sleep", "300"]), start_new_session=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(str(process.pid))
    return process.pid


def _stop_sleeper(pid_file: Path) -> None:
    if pid_file.exists():
        processes.stop_group(int(pid_file.read_text()), "sleep", grace=5.0)
        pid_file.unlink()


class ProcessCluster(ClusterProvider):
    """A cluster whose control plane is one process: created by starting it, deleted by ending it."""

    kind = "fake"

    def __init__(self, name: str, folder: Path):
        super().__init__(name)
        self.folder = Path(folder) / name

    @property
    def kubeconfig(self) -> Path:
        return self.folder / "kubeconfig"

    @property
    def pid_file(self) -> Path:
        return self.folder / "control-plane.pid"

    def create(self) -> None:
        _spawn_sleeper(self.pid_file)

    def delete(self) -> None:
        _stop_sleeper(self.pid_file)

    def exists(self) -> bool:
        return self.pid_file.exists()

    def export_logs(self, dest: Path) -> None:
        pass

    def pid(self) -> int:
        return int(self.pid_file.read_text())


class ProcessImplementation:
    """What environment.running asks of an implementation, as one real process; `ready` False makes
    its readiness check fail after it started."""

    def __init__(self, folder: Path, flag: dict | None = None, ready: bool = True):
        self.pid_file = Path(folder) / "implementation.pid"
        self.adapter = SimpleNamespace(spec={"featureFlag": flag} if flag else {})
        self.ready = ready
        self.calls: list[tuple] = []

    def install(self) -> None:
        self.calls.append(("install",))

    def start(self, env=None) -> None:
        self.calls.append(("start", env))
        _spawn_sleeper(self.pid_file)

    def set_feature_flag(self, enabled: bool) -> None:
        self.calls.append(("featureFlag", enabled))

    def wait_ready(self, kube) -> None:
        if not self.ready:
            raise RuntimeError("no KeptnAppVersion for the canary")

    def stop(self) -> None:
        self.calls.append(("stop",))
        _stop_sleeper(self.pid_file)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMOTION_CONFORMANCE_CACHE", str(tmp_path / "cache"))


def gone(pid: int) -> None:
    assert not processes.alive(pid), f"process {pid} still runs"


def test_a_cluster_is_deleted_and_forgotten_when_its_block_raises(tmp_path):
    cluster = ProcessCluster("pc-raise", tmp_path)
    with pytest.raises(RuntimeError, match="a step failed"):
        with environment.owned_cluster(cluster, say=lambda _message: None):
            assert processes.alive(cluster.pid())
            assert registry.lookup("pc-raise").owner_pid == os.getpid()
            pid = cluster.pid()
            raise RuntimeError("a step failed")
    gone(pid)
    assert registry.lookup("pc-raise") is None


def test_a_name_in_use_is_refused_and_the_cluster_of_that_name_is_left_alone(tmp_path):
    with environment.owned_cluster(ProcessCluster("pc-taken", tmp_path), say=lambda _message: None) as first:
        with pytest.raises(ProviderError, match="already exists"):
            with environment.owned_cluster(ProcessCluster("pc-taken", tmp_path / "other"), say=lambda _message: None):
                pytest.fail("a second cluster of a name in use came up")
        assert processes.alive(first.pid()) and registry.lookup("pc-taken").owner_pid == os.getpid()


def test_a_kept_cluster_stays_without_an_owner(tmp_path):
    cluster = ProcessCluster("pc-kept", tmp_path)
    said = []
    with environment.owned_cluster(cluster, keep=True, say=said.append):
        pass
    try:
        assert processes.alive(cluster.pid()) and registry.lookup("pc-kept").owner_pid is None
        assert said == [f"keeping cluster 'pc-kept': KUBECONFIG={cluster.kubeconfig}"]
    finally:
        environment.take_down(cluster, say=said.append)
    assert registry.lookup("pc-kept") is None


def test_an_implementation_whose_start_fails_half_way_is_stopped_and_its_cluster_deleted(tmp_path):
    cluster = ProcessCluster("pc-failed-start", tmp_path)
    implementation = ProcessImplementation(tmp_path, ready=False)
    with pytest.raises(RuntimeError, match="canary"):
        with environment.owned_cluster(cluster, say=lambda _message: None):
            with environment.running(implementation, kube=None):
                pytest.fail("the block ran although the implementation never answered")
    assert implementation.calls[0] == ("install",) and implementation.calls[-1] == ("stop",)
    assert not implementation.pid_file.exists() and not cluster.pid_file.exists()
    assert registry.lookup("pc-failed-start") is None


@pytest.mark.parametrize("flag, promotion, expected", [
    ({"env": "PROMOTION_TASKS"}, False, [("start", {"PROMOTION_TASKS": "false"})]),
    ({"enable": [["on"]], "disable": [["off"]]}, True, [("start", None), ("featureFlag", True)]),
    ({"enable": [["on"]], "disable": [["off"]]}, None, [("start", None)]),
    (None, True, [("start", None)]),
])
def test_the_feature_flag_is_set_as_the_adapter_says(tmp_path, flag, promotion, expected):
    implementation = ProcessImplementation(tmp_path, flag=flag)
    try:
        environment.start(implementation, kube=None, promotion=promotion)
        assert implementation.calls == expected
    finally:
        implementation.stop()


CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from test_environment import ProcessCluster, ProcessImplementation
from harness import environment

folder = Path(sys.argv[2])
with environment.owned_cluster(ProcessCluster("pc-signalled", folder), say=print):
    with environment.running(ProcessImplementation(folder), kube=None):
        print("up", flush=True)
        time.sleep(120)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_removes_the_cluster_and_stops_the_implementation(tmp_path, sig):
    # The signal's default action in the child, as in a terminal: a suite run in the background by a
    # non-interactive shell (CI, `make test &`) inherits SIGINT ignored, and so would the child.
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(TESTS), str(tmp_path)], stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PROMOTION_CONFORMANCE_CACHE": str(tmp_path / "cache")},
                             preexec_fn=lambda: signal.signal(sig, signal.SIG_DFL))
    try:
        assert child.stdout.readline().strip() == "up"
        cluster_pid = int((tmp_path / "pc-signalled" / "control-plane.pid").read_text())
        implementation_pid = int((tmp_path / "implementation.pid").read_text())
        child.send_signal(sig)
        assert child.wait(60) != 0  # interrupted, after cleaning up
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    eventually(lambda: gone(cluster_pid), "the cluster's process to end", timeout=10)
    eventually(lambda: gone(implementation_pid), "the implementation's process to end", timeout=10)
    # ended by the cleanup (not only by the orphan guard, which ends them when the child dies)
    assert not (tmp_path / "implementation.pid").exists() and not (tmp_path / "pc-signalled" / "control-plane.pid").exists()
    assert registry.lookup("pc-signalled") is None
    assert "deleting cluster 'pc-signalled'" in child.stdout.read()
