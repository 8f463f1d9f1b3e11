"""Faults a scenario inflicts on the implementation and the cluster (harness/judges/stricter/survival.py
judges that it survived them).

- The implementation is killed with SIGKILL and started again through its adapter
  (`Implementation.kill()` + `start()`), at random moments: after a random number (0 to 8) of
  changes it made in the scenario's namespace, so that kills land in the middle of its work, in
  any phase, as well as right after a start.
- A second replica runs beside it (process mode), for leader election.
- kube-apiserver of a simulated cluster is stopped and started again.

A killed leader leaves its Lease behind and a new process waits for it to expire, as long as the
implementation's own lease lasts (an adapter may shorten it for the suite, as the reference's does
with its LEADER_ELECTION_* variables). Whether a kill worked, and whether the implementation runs or
crashed, is judged from the process table (process mode) or its pods (in-cluster mode, `run.pods`).
"""
from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.eventually import NotYet, eventually
from harness.implementations.runner import Implementation
from harness.library.recorder import Recorder
from harness.timeouts import TIMEOUTS

_MAX_CHANGES_BEFORE_KILL = 8  # a kill waits for 0..8 changes by the implementation since the last kill


@dataclass(frozen=True)
class KillPlan:
    """How many app versions a kill scenario deploys and how often it kills the implementation."""

    versions: int
    kills: int

    @classmethod
    def of(cls, soak: bool) -> "KillPlan":
        """`make test`: 6 versions, 5 kills; `make soak` (the run's --soak): 30 versions, 20 kills."""
        return cls(30, 20) if soak else cls(6, 5)


@dataclass(frozen=True)
class Kill:
    """One SIGKILL: what ran before it (pid or pod uid → restarts), what ran once it was started
    again, and after how many changes by the implementation it came."""

    at: float
    before: dict[str, int]
    after: dict[str, int]
    changes_waited_for: int


@dataclass
class KillLog:
    """What a kill scenario did."""

    kills: list[Kill] = field(default_factory=list)
    started: float = field(default_factory=time.time)

    def __str__(self) -> str:
        return f"{len(self.kills)} SIGKILLs in {time.time() - self.started:.0f}s"


# What only the implementation writes: its versions and tasks (every change), and Jobs (their creation;
# a Job's later changes come from the Job controller).
_IMPLEMENTATION_WRITES = ("KeptnAppVersion", "KeptnTask", "KeptnEvaluation")


def changes(recorder: Recorder) -> int:
    """How many changes the implementation made in the scenario's namespace so far (as watched), so
    that a kill after N changes hits it in the middle of its work, not while it waits for a Lease."""
    return (sum(len(recorder.seen(kind)) for kind in _IMPLEMENTATION_WRITES)
            + sum(1 for o in recorder.seen("Job") if o.type == "ADDED"))


def wait_for_changes(recorder: Recorder | list[Recorder], count: int, since: int) -> int:
    """Wait until the implementation made `count` more changes than `since` in the namespace of the
    recorder (or of all of them); return the new total."""
    recorders = recorder if isinstance(recorder, list) else [recorder]
    where = ", ".join(r.namespace for r in recorders)

    def enough() -> int:
        now = sum(changes(r) for r in recorders)
        if now < since + count:
            raise NotYet(f"{now - since} of {count} changes in namespace {where}")
        return now

    return eventually(enough, f"{count} changes in namespace {where}", TIMEOUTS.lifecycle)


def deploy_while_killing(implementation: Implementation, kube, recorder: Recorder, plan: KillPlan,
                         deploy: Callable[[int], None], rng: random.Random) -> KillLog:
    """Deploy app versions 0..plan.versions-1 in rounds and, after each round but the last, wait for
    a random number of changes, SIGKILL the implementation, wait until it is gone and start it
    again with the same environment. Versions are spread over the rounds, so kills hit every phase."""
    log = KillLog()
    per_round = math.ceil(plan.versions / (plan.kills + 1))
    pending = list(range(plan.versions))
    seen = changes(recorder)
    for _ in range(plan.kills):
        for index in pending[:per_round]:
            deploy(index)
        del pending[:per_round]
        wanted = random_changes(rng)
        seen = wait_for_changes(recorder, wanted, seen)
        log.kills.append(kill_and_start(implementation, kube, wanted))
    for index in pending:
        deploy(index)
    return log


def random_changes(rng: random.Random) -> int:
    """How many changes by the implementation the next kill waits for."""
    return rng.randint(0, _MAX_CHANGES_BEFORE_KILL)


def kill_and_start(implementation: Implementation, kube, changes_waited_for: int) -> Kill:
    """SIGKILL the implementation, wait until it is gone, start it again with the same environment
    and wait until another instance runs."""
    before, at = implementation.instances(kube), time.time()
    implementation.kill()
    eventually(lambda: _all_gone(implementation, kube, before), f"{implementation.adapter.name} to be gone after SIGKILL")
    implementation.start()
    after = eventually(lambda: _another_runs(implementation, kube, before),
                       f"{implementation.adapter.name} to run again after the kill")
    return Kill(at, before, after, changes_waited_for)


def _all_gone(implementation: Implementation, kube, before: dict[str, int]) -> None:
    still = set(before) & set(implementation.instances(kube))
    if still:
        raise NotYet(f"{sorted(still)} still run")


def _another_runs(implementation: Implementation, kube, before: dict[str, int]) -> dict[str, int]:
    now = implementation.instances(kube)
    if not set(now) - set(before):
        raise NotYet(f"running: {sorted(now)}")
    return now


@dataclass(frozen=True)
class LogMark:
    """Where an implementation's log stood, to read only what it wrote after."""

    path: Path
    offset: int

    @classmethod
    def of(cls, implementation: Implementation) -> "LogMark":
        path = implementation.log_file
        return cls(path, path.stat().st_size if path.exists() else 0)

    def since(self) -> str:
        if not self.path.exists():
            return ""
        with open(self.path, errors="replace") as log:
            log.seek(self.offset)
            return log.read()


def restart_api_server(cluster) -> float:
    """Stop and start kube-apiserver of the scenario's simulated cluster (a crash: SIGKILL); return
    how long it was away. Only the simulated provider runs it as a local process (the scenarios
    that use this are tagged @provider:simulated)."""
    return _simulated(cluster).restart_component("kube-apiserver")


def observing_api_server(cluster):
    """A second API server of the simulated cluster, never restarted, for the scenario's record
    (SimulatedProvider.observer); a context manager yielding its kubeconfig."""
    return _simulated(cluster).observer()


def _simulated(cluster):
    from harness.clusters.provider import ProviderError
    from harness.clusters.simulated import SimulatedProvider

    if cluster.provider != "simulated":
        raise ProviderError(f"the {cluster.provider} provider does not run kube-apiserver as a local process")
    return SimulatedProvider(cluster.name)
