"""The simulated provider: a real control plane as local processes, kwok as the kubelet.

etcd, kube-apiserver, kube-controller-manager and kube-scheduler run as processes started by
`kwokctl --runtime binary`, all on 127.0.0.1; kwok's controller plays every kubelet by applying
the stages in clusters/kwok/stages.yaml. Job, Deployment, garbage-collection and scheduling
controllers are the real ones; only the containers are simulated (docs/contract.md §7).
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import yaml

from harness import processes
from harness.clusters import toolchain
from harness.clusters.provider import ClusterProvider, ProviderError
from harness.console import speaker
from harness.eventually import NotYet, WaitTimedOut, eventually
from harness.paths import CLUSTER_CONFIGS, cache_dir
from harness.ports import free_ports

KWOK_CONFIGS = (CLUSTER_CONFIGS / "kwok" / "kwokctl.yaml", CLUSTER_CONFIGS / "kwok" / "stages.yaml")
BINARIES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok", "kwokctl")
LOG_TAIL_LINES = 15
OBSERVER = "observer-kube-apiserver"  # the harness's own second API server (SimulatedProvider.observer)
HOST_RUNNER = "host-runner"  # runs the containers of pods that ask for it (harness/clusters/host_runner.py)


def workdir() -> Path:
    """KWOK_WORKDIR of every simulated cluster the harness owns."""
    return cache_dir() / "kwok"


class SimulatedProvider(ClusterProvider):
    kind = "simulated"
    real_nodes = False

    def __init__(self, name: str, ready_timeout: float = 120.0, progress=None):
        super().__init__(name)
        self.ready_timeout = ready_timeout
        self._say = progress or speaker("simulated")

    @property
    def cluster_dir(self) -> Path:
        return workdir() / "clusters" / self.name

    @property
    def kubeconfig(self) -> Path:
        return self.cluster_dir / "kubeconfig.yaml"

    def exists(self) -> bool:
        return (self.cluster_dir / "kwok.yaml").exists()

    def create(self) -> None:
        if self.exists():
            raise ProviderError(
                f"simulated cluster {self.name!r} already exists in {self.cluster_dir}; "
                f"remove it with `promotion-conformance cluster down --name {self.name}` or pick another --name"
            )
        binaries = toolchain.ensure(BINARIES)
        started = time.monotonic()
        self._say(f"creating cluster {self.name!r} (etcd, kube-apiserver, controller-manager, scheduler, kwok) on 127.0.0.1")
        # kwokctl picks ports by scanning down from 32766 and two clusters created at the same time
        # pick the same ones: create one at a time on this machine.
        workdir().mkdir(parents=True, exist_ok=True)
        with open(workdir() / ".create.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._create_locked(binaries, started)
        self._start_host_runner(deadline=started + self.ready_timeout)
        self._say(f"cluster {self.name!r} ready in {time.monotonic() - started:.1f}s")

    def _create_locked(self, binaries: dict[str, Path], started: float) -> None:
        self._kwokctl(
            binaries,
            "create",
            "cluster",
            "--runtime=binary",
            "--kubeconfig=",
            f"--etcd-binary={binaries['etcd']}",
            f"--kube-apiserver-binary={binaries['kube-apiserver']}",
            f"--kube-controller-manager-binary={binaries['kube-controller-manager']}",
            f"--kube-scheduler-binary={binaries['kube-scheduler']}",
            f"--kwok-controller-binary={binaries['kwok']}",
            # Readiness is checked below against /readyz: kwokctl's own --wait can spin until
            # its timeout when a component died at start.
            "--wait=0s",
            timeout=self.ready_timeout,
        )
        self._wait_ready(binaries, deadline=started + self.ready_timeout)

    def _start_host_runner(self, deadline: float) -> None:
        """The cluster's host runner, a process of the cluster like its control plane (its pid
        where `delete` finds it); ready once it watches pods."""
        from harness.clusters.host_runner import READY_FILE

        work = self.cluster_dir / HOST_RUNNER
        with open(self.cluster_dir / "logs" / f"{HOST_RUNNER}.log", "a") as log:
            process = subprocess.Popen([sys.executable, "-m", "harness.clusters.host_runner", "--kubeconfig",
                                        str(self.kubeconfig), "--work-dir", str(work)],
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)  # like kwokctl's components: it outlives its starter
        (self.cluster_dir / "pids" / f"{HOST_RUNNER}.pid").write_text(str(process.pid))

        def watching() -> None:
            if process.poll() is not None:
                raise ProviderError(f"the host runner of {self.name!r} exited (code {process.returncode}){self._log_tails()}")
            if not (work / READY_FILE).exists():
                raise NotYet("it has not listed pods yet")

        try:
            eventually(watching, f"the host runner of {self.name!r} to watch pods", max(0.0, deadline - time.monotonic()))
        except WaitTimedOut as error:
            raise ProviderError(f"{error}{self._log_tails()}") from None

    def delete(self) -> None:
        if not self.cluster_dir.exists():
            return
        binaries = toolchain.ensure(["kwokctl", "kubectl"])
        pids = self._component_pids()
        try:
            # kwokctl wants a kubeconfig to remove the cluster from; never let it touch ~/.kube/config.
            scratch = self.cluster_dir / "kubeconfig.scratch"
            scratch.touch()
            self._kwokctl(binaries, "delete", "cluster", f"--kubeconfig={scratch}", timeout=60, show_logs=False)
        finally:
            # kwokctl stops the components it knows; make sure none outlives the cluster.
            for pid in pids:
                _kill(pid)
            try:
                _wait_gone(pids, f"simulated cluster {self.name!r}")
            finally:
                shutil.rmtree(self.cluster_dir, ignore_errors=True)

    def export_logs(self, dest: Path) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        logs = self.cluster_dir / "logs"
        for log in sorted(logs.glob("*.log")) if logs.exists() else []:
            shutil.copy2(log, dest / log.name)

    # -- faults: a control-plane component down and up again ----------------------------------

    def restart_component(self, component: str, stop_signal: signal.Signals = signal.SIGKILL) -> float:
        """Stop one component (e.g. "kube-apiserver"; SIGKILL: a crash) and start it again with the
        command line kwokctl gave it; return how long it was away (until /readyz for the API server).

        While it is down, its port is free: the cluster-creation lock is held meanwhile so that no
        simulated cluster created at the same time takes it. Components that exited because the API
        server was away (the controller-manager and scheduler give up when they cannot renew their
        leader lease) are started again, as the kubelet restarts static pods on a real node.
        """
        with open(workdir() / ".create.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            others = {name: pid for name, pid in self._pids_by_component().items()
                      if name not in (component, OBSERVER, HOST_RUNNER)}
            pid = self._pids_by_component().get(component)
            if pid is None:
                raise ProviderError(f"simulated cluster {self.name!r}: no pid of {component!r} in {self.cluster_dir / 'pids'}")
            stopped = time.monotonic()
            _signal(pid, stop_signal)
            _wait_gone([pid], f"{component} of {self.name!r}")
            for port in self._ports_of(component):
                _wait_until_free(port, f"{component} of {self.name!r}")
            self._start_component(component)
            away = time.monotonic() - stopped
        for name, other in others.items():
            if not processes.alive(other):
                self._say(f"{name} exited while {component} was away; starting it again")
                self._start_component(name)
        return away

    @contextmanager
    def observer(self) -> Iterator[Path]:
        """A second kube-apiserver on the cluster's etcd, for the harness's own watches; yields
        its kubeconfig and stops it at the end.

        It is never restarted, and it serves watches from etcd itself (`--watch-cache=false`),
        which keeps every revision until compaction: a watch through it resumes from its last
        resource version across a restart of the first API server, so a scenario that restarts
        kube-apiserver still records every object (the first one's watch cache starts afresh after
        a restart and answers such a watch 410 Gone). The implementation keeps using the first one.
        """
        spec = self._component_spec("kube-apiserver")
        [port] = free_ports()
        args = [arg for arg in spec.get("args", []) if not arg.startswith(("--secure-port=", "--watch-cache="))]
        log_path = self.cluster_dir / "logs" / "observer-kube-apiserver.log"
        with open(log_path, "a") as log:
            process = subprocess.Popen([spec["binary"], *args, f"--secure-port={port}", "--watch-cache=false"],
                                       cwd=spec.get("workDir", self.cluster_dir), stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        pid_file = self.cluster_dir / "pids" / f"{OBSERVER}.pid"  # `delete` stops whatever is listed there
        pid_file.write_text(str(process.pid))
        kubeconfig = self.cluster_dir / "observer-kubeconfig.yaml"
        config = yaml.safe_load(self.kubeconfig.read_text())
        config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
        kubeconfig.write_text(yaml.safe_dump(config))
        try:
            deadline = time.monotonic() + self.ready_timeout
            while True:
                try:
                    self._get("/readyz", server=f"https://127.0.0.1:{port}")
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise ProviderError(f"the observing kube-apiserver of {self.name!r} did not become ready: "
                                            f"{_tail(log_path.read_text(errors='replace'))}") from None
                    time.sleep(0.1)
            yield kubeconfig
        finally:
            _kill(process.pid)
            process.wait()
            pid_file.unlink(missing_ok=True)

    def _component_spec(self, component: str) -> dict:
        documents = yaml.safe_load_all((self.cluster_dir / "kwok.yaml").read_text())
        components = next((d["components"] for d in documents if d and d.get("components")), [])
        spec = next((c for c in components if c["name"] == component), None)
        if spec is None:
            raise ProviderError(f"simulated cluster {self.name!r} has no component {component!r}")
        return spec

    def _ports_of(self, component: str) -> list[int]:
        """The ports a component listens on, from its kwokctl command line."""
        return [int(arg.split("=", 1)[1]) for arg in self._component_spec(component).get("args", [])
                if arg.startswith("--secure-port=") and arg.split("=", 1)[1].isdigit()]

    def _start_component(self, component: str) -> None:
        """Start a component with its kwokctl command line (from kwok.yaml), output appended to its
        log and its pid written where `delete` looks; for kube-apiserver, wait for /readyz."""
        spec = self._component_spec(component)
        with open(self.cluster_dir / "logs" / f"{component}.log", "a") as log:
            process = subprocess.Popen([spec["binary"], *spec.get("args", [])], cwd=spec.get("workDir", self.cluster_dir),
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)  # like kwokctl's: it outlives whoever started it
        (self.cluster_dir / "pids" / f"{component}.pid").write_text(str(process.pid))
        if component != "kube-apiserver":
            return
        deadline = time.monotonic() + self.ready_timeout
        while True:
            try:
                self._get("/readyz")
                return
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise ProviderError(f"kube-apiserver of {self.name!r} did not become ready again{self._log_tails()}") from None
                time.sleep(0.1)

    def _pids_by_component(self) -> dict[str, int]:
        pids = {}
        for pid_file in (self.cluster_dir / "pids").glob("*.pid"):
            try:
                pids[pid_file.stem] = int(pid_file.read_text().strip())
            except ValueError:
                continue
        return pids

    def server_url(self) -> str:
        config = yaml.safe_load(self.kubeconfig.read_text())
        return config["clusters"][0]["cluster"]["server"]

    # -- internals -------------------------------------------------------------------------

    def _kwokctl(self, binaries: dict[str, Path], *args: str, timeout: float, show_logs: bool = True) -> str:
        env = dict(
            os.environ,
            KWOK_WORKDIR=str(workdir()),
            KWOK_KUBECTL_BINARY=str(binaries["kubectl"]),
        )
        configs = [f"--config={path}" for path in KWOK_CONFIGS]
        cmd = [str(binaries["kwokctl"]), *configs, f"--name={self.name}", *args]
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ProviderError(
                f"`kwokctl {' '.join(args[:2])}` did not finish within {timeout:.0f}s{self._log_tails() if show_logs else ''}"
            ) from exc
        if proc.returncode != 0:
            raise ProviderError(
                f"`kwokctl {' '.join(args[:2])}` for cluster {self.name!r} failed (exit {proc.returncode}): "
                f"{_tail(proc.stderr or proc.stdout)}{self._log_tails() if show_logs else ''}"
            )
        return proc.stdout

    def _wait_ready(self, binaries: dict[str, Path], deadline: float) -> None:
        def answered(path: str, holds=lambda _text: True, what: str = "") -> None:
            try:
                text = self._get(path)
            except OSError as error:
                raise NotYet(f"GET {path}: {error}") from None
            if not holds(text):
                raise NotYet(what)

        def scaled() -> None:
            try:
                self._kwokctl(binaries, "scale", "node", "--replicas=1", timeout=30)
            except ProviderError as error:
                raise NotYet(str(error)) from None

        steps = [
            ("kube-apiserver /readyz", lambda: answered("/readyz")),
            ("kwokctl to create the node", scaled),
            ("a Ready node", lambda: answered("/api/v1/nodes", lambda text: '"type":"Ready","status":"True"'
                                              in text.replace(" ", ""), "no node reports Ready")),
            # Pods cannot be admitted before the service-account controller made this one.
            ("ServiceAccount default/default", lambda: answered("/api/v1/namespaces/default/serviceaccounts/default")),
        ]
        for waiting_for, check in steps:
            try:
                eventually(check, waiting_for, max(0.0, deadline - time.monotonic()))
            except WaitTimedOut as error:
                raise ProviderError(f"simulated cluster {self.name!r} was not ready after "
                                    f"{self.ready_timeout:.0f}s: {error}{self._log_tails()}") from None

    def _get(self, path: str, server: str | None = None) -> str:
        """GET against the API server (or `server`) with the cluster's client certificate."""
        config = yaml.safe_load(self.kubeconfig.read_text())
        user = config["users"][0]["user"]
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        if "client-certificate" in user:
            context.load_cert_chain(user["client-certificate"], user["client-key"])
        with urllib.request.urlopen((server or self.server_url()) + path, context=context, timeout=5) as response:
            return response.read().decode()

    def _component_pids(self) -> list[int]:
        return list(self._pids_by_component().values())

    def _log_tails(self) -> str:
        logs = self.cluster_dir / "logs"
        parts = []
        for log in sorted(logs.glob("*.log")) if logs.exists() else []:
            parts.append(f"\n--- last {LOG_TAIL_LINES} lines of {log} ---\n{_tail(log.read_text(errors='replace'))}")
        return "".join(parts)


def _tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _kill(pid: int) -> None:
    _signal(pid, signal.SIGKILL)


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_gone(pids: list[int], whose: str, timeout: float = 15.0) -> None:
    """Wait until every pid has exited. A signal is delivered at once, an exit is not: a cluster
    deleted right after SIGKILLing its processes once still showed its host runner running (make
    test, test_a_run_killed_with_sigkill_leaves_no_implementation_and_the_next_run_removes_its_cluster)."""
    deadline = time.monotonic() + timeout
    while left := [pid for pid in pids if processes.alive(pid)]:
        if time.monotonic() > deadline:
            raise ProviderError(f"{whose}: processes {left} still run {timeout:.0f}s after they were stopped")
        time.sleep(0.05)


def _wait_until_free(port: int, whose: str, timeout: float = 15.0) -> None:
    """Wait until 127.0.0.1:port can be bound again. A SIGKILLed kube-apiserver's successor twice
    exited at once with "bind: address already in use" on a loaded machine, failing the scenario
    as if the implementation had: the process's main thread shows as a zombie (what `processes.alive`
    waits for) while its other threads may still hold the listening socket."""
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Go's listeners do
            try:
                probe.bind(("127.0.0.1", port))
                return
            except OSError as error:
                if time.monotonic() > deadline:
                    raise ProviderError(f"port {port} of {whose} was still in use {timeout:.0f}s after it stopped: {error}") from None
        time.sleep(0.1)
