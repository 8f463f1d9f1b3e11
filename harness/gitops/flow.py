"""What a gitops scenario or a simulation does to a running pipeline: wait until the initial version
has gone through every stage, release versions on a schedule, release while the implementation is
SIGKILLed at random moments; and how it finds a stage's app version of a version.
"""
from __future__ import annotations

import random
import time

from harness.contract.states import COMPLETED
from harness.eventually import NotYet, eventually
from harness.gitops.pipeline import Release
from harness.gitops.running import PipelineRun
from harness.implementations.runner import Implementation
from harness.library import faults, lifecycle
from harness.settings import TIMEOUTS


def app_version(run: PipelineRun, stage: str, version: str) -> dict:
    """The stage's newest KeptnAppVersion of `version` (waits until there is one)."""
    site = run.sites[stage]
    return lifecycle.latest_app_version(site.kube, site.namespace, run.pipeline.app, version=version)


def must_complete(run: PipelineRun, stage: str, version: str) -> dict:
    """Wait until the stage's app version of `version` completed, whichever way (contract §1)."""
    site = run.sites[stage]

    def completed() -> dict:
        found = lifecycle.newest_app_version(site.kube, site.namespace, run.pipeline.app, version=version)
        status = found.get("status") or {}
        if status.get("status") not in COMPLETED or not status.get("endTime"):
            raise NotYet(f"{found['metadata']['name']} is {status.get('status', 'Pending')} in {status.get('currentPhase')}")
        return found

    return eventually(completed, f"the KeptnAppVersion {version} of {site.namespace}/{run.pipeline.app} to complete",
                      TIMEOUTS.lifecycle)


def initial_lifecycles_must_complete(run: PipelineRun) -> None:
    """Before anything is released, every stage has run the initial version's lifecycle to its end
    (its promotion task found the next stage already there and pushed nothing)."""
    for stage in run.pipeline.stage_names:
        must_complete(run, stage, run.pipeline.initial_version)


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
