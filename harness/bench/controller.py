"""The reference controller under measurement, started with a Prometheus port of its own.

It is run through its adapter (as the suite runs it), with one change: the adapter disables the
metrics endpoint (`--metrics-bind-address 0`); a benchmark binds it to a free loopback port.
"""
from __future__ import annotations

import dataclasses
import socket
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from harness.eventually import NotYet, WaitTimedOut, eventually
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.library.kube import Kube
from harness.settings import TIMEOUTS

METRICS_FLAG = "--metrics-bind-address"
PROMOTION_PHASE = "PromotionTasks"
CANARY_PREFIX = "pc-canary-"  # the namespace Implementation.wait_ready makes and deletes


class Controller:
    def __init__(self, kubeconfig: Path, log_dir: Path, kube: Kube, say):
        self.metrics_url = f"http://127.0.0.1:{free_port()}/metrics"
        adapter = adapters.load(adapters.resolve(None))
        adapter = with_metrics_address(adapter, self.metrics_url.split("/")[2])
        self._flag = adapter.spec["featureFlag"]["env"]
        self._kube = kube
        self._say = say
        self.implementation = Implementation(adapter, kubeconfig, log_dir, log_dir / "controller-state.json")

    def install(self) -> None:
        self.implementation.install()

    def start(self, promotion: bool) -> None:
        """(Re)start a fresh process with the feature flag on or off, and wait until it answers."""
        self.implementation.stop()
        self.implementation.start({self._flag: "true" if promotion else "false"})
        self.implementation.wait_ready(self._kube)
        # The readiness check's namespace is being deleted: the namespace controller then lists and
        # deletes every Keptn resource in it, which must not fall into a measurement window.
        try:
            eventually(self._canaries_gone, "the namespace of the controller's readiness check to be deleted",
                       TIMEOUTS.object_state)
        except WaitTimedOut as error:
            self._say(f"  {error}")

    def stop(self) -> None:
        self.implementation.stop()

    def _canaries_gone(self) -> None:
        left = [ns["metadata"]["name"] for ns in self._kube.list("Namespace")
                if ns["metadata"]["name"].startswith(CANARY_PREFIX)]
        if left:
            raise NotYet(f"still there: {', '.join(left)}")

    @property
    def pid(self) -> int:
        pid = self.implementation.pid()
        if pid is None:
            raise RuntimeError("the controller is not running")
        return pid

    def metrics(self) -> dict:
        with urllib.request.urlopen(self.metrics_url, timeout=10) as response:
            return controller_figures(response.read().decode())


def with_metrics_address(adapter: adapters.Adapter, address: str) -> adapters.Adapter:
    """The adapter with `--metrics-bind-address <address>` in its command (replaced or added)."""
    command = list(adapter.spec["run"]["command"])
    if METRICS_FLAG in command[:-1]:
        command[command.index(METRICS_FLAG) + 1] = address
    else:
        command += [METRICS_FLAG, address]
    spec = {**adapter.spec, "run": {**adapter.spec["run"], "command": command}}
    return dataclasses.replace(adapter, spec=spec)


def controller_figures(text: str) -> dict:
    """From the controller's /metrics: promotions completed, and per phase the count and sum of
    `keptn_lifecycle_phase_duration_seconds` (the controller's own clock: Started event → end)."""
    promotions = 0.0
    phases: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "keptn_promotion_count_total":
                promotions += sample.value
            elif sample.name in ("keptn_lifecycle_phase_duration_seconds_count",
                                 "keptn_lifecycle_phase_duration_seconds_sum"):
                field = sample.name.rsplit("_", 1)[1]
                phase = phases.setdefault(sample.labels["phase"], {"count": 0.0, "sum": 0.0})
                phase[field] += sample.value
    return {"promotions": promotions, "phases": phases}


def free_port() -> int:
    """A loopback port nobody listens on now (the controller binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
