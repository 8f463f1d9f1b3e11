"""What a gitops scenario or a simulation does to a running pipeline: wait until the initial version
has gone through every stage, release versions on a schedule, release while the implementation is
SIGKILLed at random moments.
"""
from __future__ import annotations

import random
import time

from harness.gitops.pipeline import Release
from harness.gitops.running import PipelineRun
from harness.implementations.runner import Implementation
from harness.judges import lifecycle
from harness.library import faults


def initial_lifecycles_must_complete(run: PipelineRun) -> None:
    """Before anything is released, every stage has run the initial version's lifecycle to its end
    (its promotion task found the next stage already there and pushed nothing)."""
    for stage in run.pipeline.stage_names:
        site = run.sites[stage]
        lifecycle.app_version_must_complete(site.kube, site.namespace, run.pipeline.app, run.pipeline.initial_version)


def release_on_schedule(run: PipelineRun, releases: list[Release], started: float | None = None) -> None:
    """Release each version at its time after `started` (default: now)."""
    origin = time.monotonic() if started is None else started
    for release in releases:
        delay = origin + release.at - time.monotonic()
        if delay > 0:
            time.sleep(delay)  # a schedule, not a wait for a condition
        run.release(release.version)


def release_while_killing(run: PipelineRun, implementation: Implementation, kube, versions: list[str], kills: int,
                          rng: random.Random) -> faults.KillLog:
    """Release each version, then `kills` times: wait for a random number (0 to 8) of changes the
    implementation made in the stages' namespaces, SIGKILL it and start it again."""
    log = faults.KillLog()
    recorders = list(run.recorders.values())
    seen = sum(faults.changes(recorder) for recorder in recorders)
    for version in versions:
        run.release(version)
        for _ in range(kills):
            wanted = faults.random_changes(rng)
            seen = faults.wait_for_changes(recorders, wanted, seen)
            log.kills.append(faults.kill_and_start(implementation, kube, wanted))
    return log
