"""What every reconciler shares: the API, the cache, the queue, the event recorder, the settings,
and the cluster-wide options of the last reconciled KeptnConfig."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import NamedTuple

from harness.controller.events import EventRecorder
from harness.contract.kinds import Kind
from harness.controller.api_calls import Kube
from harness.controller.metrics import PhaseClock
from harness.controller.queue import WorkQueue
from harness.controller.refusals import Refusals
from harness.controller.settings import Settings
from harness.controller.store import Store
from harness.controller.tracing import Tracing

DEFAULT_OBSERVABILITY_TIMEOUT = 300.0  # KeptnConfig spec.observabilityTimeout default, 5m


class Key(NamedTuple):
    """What the queue holds: one object to reconcile."""

    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, kind: Kind, obj: dict) -> Key:
        return cls(kind.kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


@dataclass(frozen=True)
class ClusterOptions:
    """contract §4: `blockDeployment` defaults to true while no KeptnConfig exists. Replaced as a whole
    (never changed in place), so a reconcile reads one consistent KeptnConfig."""

    block_deployment: bool = True
    observability_timeout: float = DEFAULT_OBSERVABILITY_TIMEOUT
    collector: str = ""  # spec.OTelCollectorUrl: the OpenTelemetry collector (contract §10); "" no tracing


@dataclass
class Context:
    kube: Kube
    store: Store
    queue: WorkQueue
    events: EventRecorder
    settings: Settings
    options: ClusterOptions = field(default_factory=ClusterOptions)
    phase_clock: PhaseClock = field(default_factory=PhaseClock)
    rng: random.Random = field(default_factory=random.Random)
    # When each KeptnEvaluation's next counted try is due (time.monotonic); see reconcile_evaluation.
    next_try: dict[Key, float] = field(default_factory=dict)
    refusals: Refusals = field(default_factory=Refusals)
    tracing: Tracing = field(default_factory=Tracing)
