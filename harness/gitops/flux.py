"""Flux's source-controller and kustomize-controller as local processes against one cluster.

The toolchain builds both from the Go module proxy (the recipe "flux" of harness/clusters/toolchain.py); their CRDs come
from their own module zips (`config/crd/bases`), which `go mod download` finds in Go's module cache
or fetches from the proxy. Every listener binds to a free 127.0.0.1 port; leader election and the
event recorder are off; the admin kubeconfig needs no RBAC.

Sharding: each pair is started with `--watch-label-selector` and reconciles only the GitRepositories
and Kustomizations that carry its shard label, so that every scenario runs its own Flux on the
session's cluster without touching another scenario's objects.

Ordering: a KeptnApp copies its KeptnAppContext when its version is created (contract §2), so a version's
context and task and evaluation definitions must be in the cluster before its KeptnApp. Flux applies
a revision's objects in one batch, ordered by kind (KeptnApp before KeptnAppContext); kustomize-
controller's `--custom-apply-stage-kinds` applies the listed kinds in a stage of their own first.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from harness.clusters import toolchain
from harness.eventually import NotYet, eventually
from harness.processes import orphan_guarded, signal_group
from harness.ports import free_ports
from harness.timeouts import TIMEOUTS

CONTROLLERS = ("source-controller", "kustomize-controller")
SHARD_LABEL = "sharding.fluxcd.io/key"
REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"  # what Flux's webhook receiver writes to fetch at once
SOURCE_API = "source.toolkit.fluxcd.io/v1"
KUSTOMIZE_API = "kustomize.toolkit.fluxcd.io/v1"
APPLIED_FIRST = ("lifecycle.keptn.sh/KeptnAppContext", "lifecycle.keptn.sh/KeptnTaskDefinition",
                 "lifecycle.keptn.sh/KeptnEvaluationDefinition", "metrics.keptn.sh/KeptnMetric")


class FluxError(RuntimeError):
    """Flux could not be installed or started; the message says what and shows its log."""


def crd_files() -> list[Path]:
    """The CRDs of both controllers, from their module zips at the pinned versions."""
    files = []
    for binary in CONTROLLERS:
        component = toolchain.component_of(binary)
        proc = subprocess.run(["go", "mod", "download", "-json", f"{component.module}@{component.version}"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise FluxError(f"cannot fetch {component.module}@{component.version} for its CRDs: {proc.stderr.strip()[-300:]}")
        folder = Path(json.loads(proc.stdout)["Dir"]) / "config" / "crd" / "bases"
        files += sorted(folder.glob("*.yaml"))
    return files


_INSTALLED: set[str] = set()  # kubeconfigs this process installed the CRDs with


def install_crds(kubeconfig: Path) -> None:
    """Apply Flux's CRDs (server-side, idempotent; once per cluster and process) and wait until
    they are established."""
    if str(kubeconfig) in _INSTALLED:
        return
    kubectl = str(toolchain.ensure(["kubectl"])["kubectl"])
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    files = [arg for path in crd_files() for arg in ("-f", str(path))]
    _kubectl(env, kubectl, "apply", "--server-side", "--force-conflicts", *files)
    _kubectl(env, kubectl, "wait", "--for=condition=Established", "--timeout=60s",
             "crd/gitrepositories.source.toolkit.fluxcd.io", "crd/kustomizations.kustomize.toolkit.fluxcd.io")
    _INSTALLED.add(str(kubeconfig))


def _kubectl(env: dict, kubectl: str, *args: str) -> None:
    proc = subprocess.run([kubectl, *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise FluxError(f"`kubectl {' '.join(args[:3])}` failed: {(proc.stderr or proc.stdout).strip()[-500:]}")


@dataclass
class Flux:
    """One source-controller and one kustomize-controller, for the objects of one shard."""

    kubeconfig: Path
    work_dir: Path
    shard: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    health: dict[str, int] = field(default_factory=dict)

    def start(self) -> "Flux":
        binaries = toolchain.ensure(CONTROLLERS)
        (self.work_dir / "storage").mkdir(parents=True, exist_ok=True)
        storage, source_metrics, source_health, kustomize_metrics, kustomize_health = free_ports(5)
        common = ["--events-addr=", "--enable-leader-election=false", "--watch-all-namespaces=true",
                  f"--watch-label-selector={SHARD_LABEL}={self.shard}", "--log-level=info"]
        self._start("source-controller", binaries, source_health, [
            f"--storage-path={self.work_dir / 'storage'}", f"--storage-addr=127.0.0.1:{storage}",
            f"--storage-adv-addr=127.0.0.1:{storage}", f"--metrics-addr=127.0.0.1:{source_metrics}",
            f"--health-addr=127.0.0.1:{source_health}", *common])
        self._start("kustomize-controller", binaries, kustomize_health, [
            f"--metrics-addr=127.0.0.1:{kustomize_metrics}", f"--health-addr=127.0.0.1:{kustomize_health}",
            f"--custom-apply-stage-kinds={','.join(APPLIED_FIRST)}", "--requeue-dependency=2s", *common])
        for name, port in self.health.items():
            eventually(lambda: self._ready(name, port), f"Flux {name} (shard {self.shard}) to answer /readyz",
                       TIMEOUTS.controller_start)
        return self

    def _start(self, name: str, binaries: dict[str, Path], health_port: int, args: list[str]) -> None:
        with open(self.log(name), "a") as log:
            self.processes[name] = subprocess.Popen(
                orphan_guarded([str(binaries[name]), *args]),  # Flux ends with the harness, even a SIGKILLed one
                env={**os.environ, "KUBECONFIG": str(self.kubeconfig), "RUNTIME_NAMESPACE": "flux-system"},
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.health[name] = health_port

    def _ready(self, name: str, port: int) -> None:
        process = self.processes[name]
        if process.poll() is not None:
            raise FluxError(f"Flux {name} exited (code {process.returncode}); last lines of {self.log(name)}:\n"
                            + "\n".join(self.log(name).read_text(errors="replace").splitlines()[-15:]))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return
        except OSError as error:
            raise NotYet(f"/readyz: {error}") from None

    def log(self, name: str) -> Path:
        return self.work_dir / f"{name}.log"

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:  # a reaped process's pid may belong to another by now
                signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                signal_group(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def __enter__(self) -> "Flux":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


# -- the objects: one GitRepository and one Kustomization per stage ------------------------------


def git_repository(name: str, namespace: str, url: str, shard: str, interval: str) -> dict:
    return {"apiVersion": SOURCE_API, "kind": "GitRepository",
            "metadata": {"name": name, "namespace": namespace, "labels": {SHARD_LABEL: shard}},
            "spec": {"url": url, "ref": {"branch": "main"}, "interval": interval, "timeout": "20s"}}


def kustomization(name: str, namespace: str, path: str, source: str, shard: str) -> dict:
    """Applies `path` of the repository into `namespace`, pruning what a revision removed."""
    return {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization",
            "metadata": {"name": name, "namespace": namespace, "labels": {SHARD_LABEL: shard}},
            "spec": {"sourceRef": {"kind": "GitRepository", "name": source}, "path": path, "prune": True,
                     "targetNamespace": namespace, "interval": "10m", "retryInterval": "2s", "timeout": "1m",
                     "wait": False}}


def request_fetch() -> dict:
    """The patch with which Flux's webhook receiver asks a GitRepository to fetch now."""
    return {"metadata": {"annotations": {REQUESTED_AT: datetime.now(timezone.utc).isoformat()}}}


def applied_revision(kustomization_object: dict) -> str:
    """The commit a Kustomization last applied (`main@sha1:<commit>` → `<commit>`), or ""."""
    revision = (kustomization_object.get("status") or {}).get("lastAppliedRevision") or ""
    return revision.rpartition(":")[2] if "sha1:" in revision else ""
