"""The implementation under measurement, run through its adapter as the suite runs it (install,
start, stop, readiness): the reference or any other, as a local process or in the cluster.

What the harness can measure depends on how it runs: the CPU time and memory of a local process
come from /proc; of an implementation in the cluster they cannot, and the report says so. An
adapter without `featureFlag` cannot be measured with promotion off.
"""
from __future__ import annotations

from pathlib import Path

from harness import environment
from harness.bench import process
from harness.eventually import NotYet, WaitTimedOut, eventually
from harness.implementations.adapter import Adapter
from harness.implementations.runner import Implementation
from harness.kube import Kube
from harness.timeouts import TIMEOUTS

CANARY_PREFIX = "pc-canary-"  # the namespace Implementation.wait_ready makes and deletes


class NotMeasurable(Exception):
    """A figure the harness cannot get for this implementation; the message says why."""


class Exited(RuntimeError):
    """A local implementation exited while a stage waited for it; the message quotes its log."""


class Measured:
    def __init__(self, adapter: Adapter, kubeconfig: Path, log_dir: Path, kube: Kube, say):
        self.adapter = adapter
        self.name = adapter.name
        self._kube = kube
        self._say = say
        log_dir.mkdir(parents=True, exist_ok=True)  # adapter commands may write there ({log_dir})
        self.implementation = Implementation(adapter, kubeconfig, log_dir, log_dir / f"{adapter.name}-state.json")

    def describe(self) -> dict:
        return {"name": self.adapter.name, "adapter": str(self.adapter.path), "mode": self.adapter.mode,
                "implementation": dict(self.adapter.metadata)}

    def install(self) -> None:
        self.implementation.install()

    def start(self, promotion: bool = True) -> None:
        """(Re)start it with the feature flag on or off, and wait until it answers. A local process
        is a fresh one, so its CPU time and memory high-water mark start from zero."""
        self.implementation.stop()
        environment.start(self.implementation, self._kube, promotion)
        # The readiness check's namespace is being deleted: the namespace controller then lists and
        # deletes every Keptn resource in it, which must not fall into a measurement window.
        try:
            eventually(self._canaries_gone, "the namespace of the readiness check to be deleted", TIMEOUTS.object_state)
        except WaitTimedOut as error:
            self._say(f"  {error}")

    def stop(self) -> None:
        self.implementation.stop()

    def exited(self) -> str | None:
        """Why a local implementation is no longer running (its last error, or the last line of its
        log), or None while it runs. Of one in the cluster the harness cannot tell: None."""
        if self.adapter.mode != "process" or self.implementation.alive():
            return None
        lines = [line for line in self.implementation.log_tail(50).splitlines() if line.strip()]
        errors = [line for line in lines if "ERROR" in line or "Error" in line]
        return f"{self.name} exited; its log: {(errors or lines or ['(empty)'])[0 if errors else -1][:300]}"

    def flag_unavailable(self) -> str | None:
        """Why promotion cannot be turned off, or None when it can."""
        flag = self.adapter.spec.get("featureFlag") or {}
        if flag.get("env") if self.adapter.mode == "process" else (flag.get("enable") and flag.get("disable")):
            return None
        return f"the adapter {self.adapter.path} gives no featureFlag: promotion cannot be turned off"

    def process_group(self) -> int:
        """The process group of a local implementation; NotMeasurable for one in the cluster."""
        if self.adapter.mode != "process":
            raise NotMeasurable(f"{self.name} runs in the cluster ({self.adapter.mode} mode): the harness sees no "
                                "process of it to read CPU time and memory from")
        pid = self.implementation.pid()
        if pid is None:
            raise NotMeasurable(f"{self.name} is not running")
        return pid

    def usage(self) -> process.Usage:
        return process.usage(self.process_group())

    def _canaries_gone(self) -> None:
        left = [ns["metadata"]["name"] for ns in self._kube.list("Namespace")
                if ns["metadata"]["name"].startswith(CANARY_PREFIX)]
        if left:
            raise NotYet(f"still there: {', '.join(left)}")
