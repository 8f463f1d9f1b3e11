"""Installing, starting, stopping and killing an implementation as its adapter says.

The state of a started implementation (its pid, log file, environment) lives in a small JSON file,
so that every pytest-xdist worker and the process that tears the session down act on the same one.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from pathlib import Path

from harness import processes
from harness.processes import orphan_guarded
from harness.clusters import toolchain
from harness.eventually import NotYet, eventually
from harness.implementations.adapter import Adapter, fill
from harness.timeouts import TIMEOUTS

LOG_TAIL_LINES = 200

class ImplementationError(RuntimeError):
    """An install, start or stop step failed; the message names the step and shows its output."""


class Implementation:
    def __init__(self, adapter: Adapter, kubeconfig: Path, log_dir: Path, state_file: Path):
        self.adapter = adapter
        self.kubeconfig = Path(kubeconfig)
        self.log_dir = Path(log_dir)
        self.state_file = Path(state_file)
        self.values = adapter.placeholders(self.kubeconfig, self.log_dir)

    # -- state shared between processes -------------------------------------------------------

    def _state(self) -> dict:
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def _save(self, **changes) -> None:
        state = {**self._state(), **changes}
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(state))

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{self.adapter.name}.log"

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        if not self.log_file.exists():
            return ""
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    # -- install --------------------------------------------------------------------------

    def install(self) -> None:
        install = self.adapter.spec.get("install", {})
        kubectl = str(toolchain.ensure(["kubectl"])["kubectl"])
        for path in [*install.get("crds", []), *install.get("manifests", [])]:
            self._run("install", [kubectl, "apply", "--server-side", "--force-conflicts", "-f",
                                  str(self.adapter.install_path(path))])
        if install.get("crds"):
            self._run("install", [kubectl, "wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"])
        for command in install.get("commands", []):
            self._run("install", [self._fill(arg) for arg in command])

    # -- run ------------------------------------------------------------------------------

    def start(self, env: dict[str, str] | None = None) -> None:
        """Start it (process mode) or run its start commands (in-cluster); env overrides the adapter's."""
        run = self.adapter.spec["run"]
        environment = {**run.get("env", {}), **(env if env is not None else self._state().get("env", {}))}
        if self.adapter.mode == "in-cluster":
            for command in run["start"]:
                self._run("start", [self._fill(arg) for arg in command])
            self._save(env=environment)
            return
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "a") as log:
            log.write(f"--- started with {json.dumps(environment)} ---\n")
            log.flush()
            process = subprocess.Popen(
                orphan_guarded([self._fill(arg) for arg in run["command"]]),
                env={**os.environ, **environment, "KUBECONFIG": str(self.kubeconfig)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C on the harness must not reach it before teardown does
            )
        self._save(pid=process.pid, env=environment)

    def stop(self) -> None:
        self._end(signal.SIGTERM, "stop")

    def kill(self) -> None:
        self._end(signal.SIGKILL, "kill")

    def restart(self, env: dict[str, str] | None = None) -> None:
        self.stop()
        self.start(env)

    def set_feature_flag(self, enabled: bool) -> None:
        flag = self.adapter.spec.get("featureFlag")
        if not flag:
            raise ImplementationError(f"adapter {self.adapter.path} has no featureFlag: it cannot turn promotion off")
        value = "true" if enabled else "false"
        if self.adapter.mode == "process":
            self.restart({**self._state().get("env", {}), flag["env"]: value})
        else:
            for command in flag["enable" if enabled else "disable"]:
                self._run("featureFlag", [self._fill(arg) for arg in command])

    def pid(self) -> int | None:
        return self._state().get("pid")

    @property
    def environment(self) -> dict[str, str]:
        """The environment it was last started with (the adapter's run.env plus overrides)."""
        return dict(self._state().get("env", {}))

    def replica(self, name: str, kubeconfig: Path | None = None) -> "Implementation":
        """Another process of the same implementation (process mode), with its own state file and
        its log in <log dir>/<name>/: a second replica beside this one, e.g. for leader election.
        `kubeconfig` is the one it gets (default: this one's), e.g. a recording proxy's."""
        if self.adapter.mode != "process":
            raise ImplementationError(f"{self.adapter.name} runs in the cluster ({self.adapter.mode} mode): "
                                      "the harness can start a second replica only of a process-mode implementation")
        return Implementation(self.adapter, kubeconfig or self.kubeconfig, self.log_dir / name,
                              self.state_file.with_name(f"{self.state_file.stem}-{name}.json"))

    def alive(self) -> bool:
        pid = self.pid()
        return pid is not None and processes.alive(pid)

    def instances(self, kube) -> dict[str, int]:
        """What runs of it now, and how often each restarted: {pid: 0} of a live process (process
        mode), or {pod uid: restarts} of its Running pods (in-cluster mode, `run.pods` of the
        adapter). A kill that worked shows as a different set; a crash as a restart or a new one."""
        if self.adapter.mode == "process":
            return {str(self.pid()): 0} if self.alive() else {}
        pods = self.adapter.spec["run"].get("pods")
        if not pods:
            raise ImplementationError(f"{self.adapter.path}: run.pods is needed to tell whether {self.adapter.name} runs")
        found = {}
        for pod in kube.list("Pod", pods["namespace"], label_selector=pods["labelSelector"]):
            status = pod.get("status") or {}
            if status.get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp"):
                found[pod["metadata"]["uid"]] = sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or [])
        return found

    def _end(self, sig: signal.Signals, step: str) -> None:
        if self.adapter.mode == "in-cluster":
            for command in self.adapter.spec["run"][step]:
                self._run(step, [self._fill(arg) for arg in command])
            return
        pid = self.pid()
        if pid is None:
            return
        if sig == signal.SIGKILL:
            processes.signal_group(pid, signal.SIGKILL)
        else:
            processes.stop_group(pid, self.adapter.name)
        self._save(pid=None)

    # -- readiness ------------------------------------------------------------------------

    def wait_ready(self, kube) -> None:
        """Ready means: a KeptnApp gets its KeptnAppVersion. It asks nothing implementation-specific."""
        namespace = f"pc-canary-{uuid.uuid4().hex[:6]}"
        kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        try:
            kube.create({
                "apiVersion": "lifecycle.keptn.sh/v1", "kind": "KeptnApp",
                "metadata": {"name": "canary", "namespace": namespace},
                "spec": {"version": "0.0.1", "workloads": []},
            })

            def answered() -> None:
                if self.adapter.mode == "process" and not self.alive():
                    raise ImplementationError(f"{self.adapter.name} exited during start-up; log tail:\n{self.log_tail(30)}")
                if not kube.list("KeptnAppVersion", namespace):
                    raise NotYet("no KeptnAppVersion for the canary KeptnApp yet")

            eventually(answered, f"{self.adapter.name} to create the KeptnAppVersion of a canary KeptnApp", TIMEOUTS.controller_start)
        finally:
            kube.delete("Namespace", namespace)

    # -- helpers --------------------------------------------------------------------------

    def _fill(self, text: str) -> str:
        return fill(text, self.values)

    def _run(self, step: str, command: list[str]) -> None:
        proc = subprocess.run(command, env={**os.environ, "KUBECONFIG": str(self.kubeconfig)}, capture_output=True, text=True)
        if proc.returncode != 0:
            output = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
            raise ImplementationError(
                f"{self.adapter.name}: {step} step `{' '.join(command)}` failed (exit {proc.returncode}):\n" + "\n".join(output)
            )
