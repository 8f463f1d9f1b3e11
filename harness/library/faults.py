"""Faults a scenario inflicts on the implementation and the cluster, and the checks that it survived.

- The implementation is killed with SIGKILL and started again through its adapter
  (`Implementation.kill()` + `start()`), at random moments: after a random number (0 to 8) of
  changes it made in the scenario's namespace, so that kills land in the middle of its work, in
  any phase, as well as right after a start.
- A second replica runs beside it (process mode), for leader election.
- kube-apiserver of a simulated cluster is stopped and started again.

A killed leader leaves its Lease behind and a new process waits for it to expire. The reference
reads the defaults of its leader-election timings from LEADER_ELECTION_* variables, so these
scenarios run it with a short lease; any other implementation ignores the variables and takes as
long as its own lease.
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
from harness.settings import TIMEOUTS, Timeouts

_MAX_CHANGES_BEFORE_KILL = 8  # a kill waits for 0..8 changes by the implementation since the last kill
# How a crash shows in an implementation's log: an exception that ended a Python thread or the
# interpreter, a Go panic. (An error a reconcile logs with its traceback and retries is no crash;
# whether such retries go on for ever is what the request counts check.)
_CRASH_MARKERS = ("Exception in thread", "Fatal Python error", "panic: ", "goroutine 1 [running]")


@dataclass(frozen=True)
class LeaseTimings:
    """Leader-election timings, as the reference's flags take them, in whole seconds."""

    lease_duration: int
    renew_deadline: int
    retry_period: int

    def env(self) -> dict[str, str]:
        return {"LEADER_ELECTION_LEASE_DURATION": f"{self.lease_duration}s",
                "LEADER_ELECTION_RENEW_DEADLINE": f"{self.renew_deadline}s",
                "LEADER_ELECTION_RETRY_PERIOD": f"{self.retry_period}s"}

    @property
    def takeover_limit(self) -> float:
        """How long after the leader died the standby may take to act: the lease expires at most a
        lease duration after the leader's last renewal, the standby notices it within a retry
        period, then lists its caches and reconciles (an allowance that scales like every timeout)."""
        scale = TIMEOUTS.object_state / Timeouts.object_state
        return self.lease_duration + self.retry_period + _TAKEOVER_ALLOWANCE * scale


_TAKEOVER_ALLOWANCE = 4.0  # cache sync and first reconcile of a fresh process on a busy 2-core machine
# renew + 2 × retry < lease: a leader that cannot renew stops before another replica may start.
FAST_FAILOVER = LeaseTimings(lease_duration=6, renew_deadline=3, retry_period=1)


@dataclass(frozen=True)
class KillPlan:
    """How many app versions a kill scenario deploys and how often it kills the implementation."""

    versions: int
    kills: int

    @classmethod
    def of(cls, soak: bool) -> "KillPlan":
        """`make test`: 6 versions, 5 kills; `make soak` (the run's --soak): 30 versions, 20 kills."""
        return cls(30, 20) if soak else cls(6, 5)


@dataclass
class KillLog:
    """What a kill scenario did: when it killed which process, and after how many changes."""

    kills: list[tuple[float, int, int]] = field(default_factory=list)  # (time.time(), pid, changes waited for)
    started: float = field(default_factory=time.time)

    def __str__(self) -> str:
        return f"{len(self.kills)} SIGKILLs in {time.time() - self.started:.0f}s"


def restart_for_fast_failover(implementation: Implementation, kube, timings: LeaseTimings = FAST_FAILOVER) -> dict[str, str]:
    """Restart the implementation with short leader-election timings (SIGTERM first: the reference
    hands its Lease back, so the new process leads at once); return the environment to restore."""
    original = implementation.environment
    implementation.restart({**original, **timings.env()})
    implementation.wait_ready(kube)
    return original


# What only the implementation writes: its versions and tasks (every change), and Jobs (their creation;
# a Job's later changes come from the Job controller).
_IMPLEMENTATION_WRITES = ("KeptnAppVersion", "KeptnTask", "KeptnEvaluation")


def changes(recorder: Recorder) -> int:
    """How many changes the implementation made in the scenario's namespace so far (as watched), so
    that a kill after N changes hits it in the middle of its work, not while it waits for a Lease."""
    return (sum(len(recorder.seen(kind)) for kind in _IMPLEMENTATION_WRITES)
            + sum(1 for o in recorder.seen("Job") if o.type == "ADDED"))


def wait_for_changes(recorder: Recorder, count: int, since: int) -> int:
    """Wait until the implementation made `count` more changes than `since`; return the new total."""
    def enough() -> int:
        now = changes(recorder)
        if now < since + count:
            raise NotYet(f"{now - since} of {count} changes in namespace {recorder.namespace}")
        return now

    return eventually(enough, f"{count} changes in namespace {recorder.namespace}", TIMEOUTS.lifecycle)


def implementation_must_run(implementation: Implementation, during: str) -> None:
    """A process-mode implementation must still be running (it did not exit on its own)."""
    if implementation.adapter.mode == "process" and not implementation.alive():
        raise AssertionError(f"{implementation.adapter.name} (pid {implementation.pid()}) exited by itself {during}; "
                             f"log tail:\n{implementation.log_tail(40)}")


def deploy_while_killing(implementation: Implementation, recorder: Recorder, plan: KillPlan,
                         deploy: Callable[[int], None], rng: random.Random) -> KillLog:
    """Deploy app versions 0..plan.versions-1 in rounds and, after each round but the last, wait for
    a random number of changes, check that the implementation still runs, SIGKILL it and start it
    again with the same environment. Versions are spread over the rounds, so kills hit every phase."""
    log = KillLog()
    per_round = math.ceil(plan.versions / (plan.kills + 1))
    pending = list(range(plan.versions))
    seen = changes(recorder)
    for _ in range(plan.kills):
        for index in pending[:per_round]:
            deploy(index)
        del pending[:per_round]
        wanted = rng.randint(0, _MAX_CHANGES_BEFORE_KILL)
        seen = wait_for_changes(recorder, wanted, seen)
        implementation_must_run(implementation, "between two kills")
        log.kills.append((time.time(), implementation.pid() or 0, wanted))
        implementation.kill()
        implementation.start()
    for index in pending:
        deploy(index)
    return log


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


def must_not_have_crashed(implementation: Implementation, pid_before: int | None, mark: LogMark) -> None:
    """The same process still runs (process mode) and its log since `mark` shows no crash of a
    thread or of the process."""
    if implementation.adapter.mode == "process":
        implementation_must_run(implementation, "while it was given bad input")
        assert implementation.pid() == pid_before, (
            f"{implementation.adapter.name} was restarted (pid {pid_before} → {implementation.pid()})")
    written = mark.since()
    crashes = [marker for marker in _CRASH_MARKERS if marker in written]
    if crashes:
        first = min(written.index(marker) for marker in crashes)
        excerpt = written[max(0, first - 600):first + 1500]
        raise AssertionError(f"{implementation.adapter.name} logged a crash ({crashes[0]!r}):\n{excerpt}")


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
