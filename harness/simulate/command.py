"""`promotion-conformance simulate PIPELINE`: a multi-stage GitOps pipeline on simulated clusters.

Brings up a simulated cluster (one per stage with `clusters: per-stage`), the implementation (the
reference unless --impl names an adapter), the Git server, Flux and the stages; waits until every
stage ran the initial version; then releases the pipeline's versions at their times into the first
stage, inflicts its faults (SIGKILLs of the implementation, an evaluation that fails for a version
in a stage, a push the Git server refuses), shows each version's progress live, and ends when every
version's journey has ended (reached the last stage, failed, stopped or was overtaken), or at
--timeout. Writes `<report dir>/<run id>/`: simulation.json, index.html (the picture is checked in
headless Chromium, its screenshot lanes.png), and the evidence (git-log.txt, pushes, Flux's applied
revisions, logs). Everything it started is removed at the end, also on Ctrl-C and SIGTERM.

Exit codes: 0 the simulation ended and every check passed; 1 a check failed, it did not settle in
time, or the picture could not be checked; 2 a bad pipeline file or option; 130 (or 128 + signal)
interrupted.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from harness import environment
from harness.clusters import toolchain
from harness.clusters.provider import ProviderError
from harness.clusters.simulated import BINARIES
from harness.console import speaker
from harness.gitops.clusters import Main, StageClusters
from harness.gitops.stage_diagnostics import write_evidence
from harness.gitops.flux import CONTROLLERS
from harness.gitops.pipeline import Pipeline, load
from harness.gitops.running import PipelineRun
from harness.heartbeat import heartbeat
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.judges import stages
from harness.kube import Kube
from harness.library import faults
from harness.paths import REPORTS
from harness.signals import stop_on_signals
from harness.simulate import flow
from harness.simulate import journeys as trips
from harness.simulate import lanes, simulation_report
from harness.validated_yaml import ConfigError

REFRESH_SECONDS = 2.0


_say = speaker("simulate")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="promotion-conformance simulate", description=__doc__.splitlines()[0])
    parser.add_argument("pipeline", type=Path, help="the pipeline file (see examples/gitops/pipeline.yaml)")
    parser.add_argument("--impl", default="reference", help="adapter file or built-in adapter name (default: reference)")
    parser.add_argument("--report-dir", type=Path, default=REPORTS / "simulate", help="where the run's folder is made")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds after the last release before giving up")
    args = parser.parse_args(argv)
    try:
        pipeline = load(args.pipeline)
        adapter = adapters.load(adapters.resolve(args.impl))
        adapter.must_run_on("simulated", real_nodes=False)
    except ConfigError as error:
        print(f"promotion-conformance simulate: error: {error}", file=sys.stderr)
        return 2
    folder = args.report_dir / (time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}")
    with stop_on_signals() as stopped:
        try:
            return Simulation(pipeline, str(args.pipeline), adapter, folder, args.timeout).run()
        except (ProviderError, toolchain.ToolchainError) as error:
            print(f"promotion-conformance simulate: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(f"promotion-conformance simulate: interrupted ({stopped.name or 'SIGINT'}); everything it started "
                  "was removed", file=sys.stderr)
            return 128 + (stopped.signal or 2)


class Simulation:
    def __init__(self, pipeline: Pipeline, source: str, adapter, folder: Path, timeout: float):
        self.pipeline, self.source, self.adapter, self.folder, self.timeout = pipeline, source, adapter, folder, timeout
        self.kill_log = faults.KillLog()
        self._stop_killing = threading.Event()

    def run(self) -> int:
        toolchain.ensure([*BINARIES, *CONTROLLERS], progress=_say)
        cluster = environment.provider("simulated", f"sim-{uuid.uuid4().hex[:6]}", say=_say)
        with environment.owned_cluster(cluster, say=_say):
            kube = Kube(environment.client_of(cluster.kubeconfig))
            implementation = Implementation(self.adapter, cluster.kubeconfig, self.folder / "logs",
                                            self.folder / "logs" / "implementation.json")
            _say(f"installing and starting {self.adapter.name} on {cluster.name}")
            with environment.running(implementation, kube):
                stage_clusters = StageClusters(Main(cluster.name, cluster.kubeconfig, kube, implementation), os.getpid(),
                                               self.folder / "logs", say=_say)
                run = None
                try:
                    run = PipelineRun(self.pipeline, stage_clusters.sites(self.pipeline, self.pipeline.name[:40]),
                                      self.folder / "gitops", shard="simulate", say=_say)
                    run.start()
                    with heartbeat(_say, "waiting for every stage to run the initial version"):
                        flow.initial_lifecycles_must_complete(run)
                    return self._simulate(run, stage_clusters)
                finally:
                    self._stop_killing.set()
                    if run is not None:
                        run.stop()
                    stage_clusters.close()

    # -- the simulation ------------------------------------------------------------------------

    def _simulate(self, run: PipelineRun, stage_clusters: StageClusters) -> int:
        started_monotonic, started = time.monotonic(), time.time()
        releasing = threading.Thread(target=flow.release_on_schedule, args=(run, list(self.pipeline.releases),
                                                                            started_monotonic), daemon=True)
        releasing.start()
        if self.pipeline.faults.kill_every:
            threading.Thread(target=self._kill_periodically, args=(stage_clusters,), daemon=True).start()
        view = LiveView(sys.stdout)
        deadline = started_monotonic + self.pipeline.releases[-1].at + self.timeout
        journeys, ends = until_settled(
            lambda: not releasing.is_alive(), lambda: self._journeys(run),
            lambda: time.monotonic() > deadline,
            lambda journeys, ends: view.show(time.time() - started, journeys, ends, len(self.kill_log.kills)),
            lambda: time.sleep(REFRESH_SECONDS))  # the refresh of the live view
        self._stop_killing.set()
        settled = len(ends) == len(journeys)
        if not settled:
            _say(f"not every version's journey ended within {self.timeout:.0f}s after the last release")
        return self._report(run, journeys, ends, started, settled)

    def _kill_periodically(self, stage_clusters: StageClusters) -> None:
        while not self._stop_killing.wait(self.pipeline.faults.kill_every):
            for implementation in stage_clusters.implementations():
                kube = Kube(environment.client_of(implementation.kubeconfig))
                self.kill_log.kills.append(faults.kill_and_start(implementation, kube, 0))
                _say(f"killed {implementation.adapter.name} on {implementation.kubeconfig.parent.name} and started it again")

    def _journeys(self, run: PipelineRun) -> tuple[list[trips.Journey], dict[str, str]]:
        commits = run.history()
        received = trips.push_times(commits, [(push.received, push.head) for push in run.server.pushes])
        applied = {stage: run.applied(stage) for stage in run.sites}
        observations = {stage: recorder.seen("KeptnAppVersion") + recorder.seen("KeptnTask")
                        for stage, recorder in run.recorders.items()}
        for seen in observations.values():
            seen.sort(key=lambda observation: observation.received)
        wanted = {stage: commits[-1].version(stage) for stage in run.sites} if commits else {}
        journeys, ends, now = [], {}, time.time()
        for version in self.pipeline.versions:
            if version not in run.releases:
                continue
            trip = trips.journey(version, self.pipeline.stage_names, commits, received, applied, observations)
            journeys.append(trip)
            if (end := trips.ended(trip, wanted, now)) is not None:
                ends[version] = end
        return journeys, ends

    # -- the report ------------------------------------------------------------------------------

    def _report(self, run: PipelineRun, journeys: list[trips.Journey], ends: dict[str, str], started: float,
                settled: bool) -> int:
        finished = time.time()
        commits = run.history()
        per_boundary = {(a, b): {v: len(stages.promotion_commits(commits, b, v)) for v in run.releases}
                        for a, b in self.pipeline.boundaries()}
        checks = [_check("at most one promotion commit per version and stage boundary",
                         lambda: stages.no_version_promoted_twice(run)),
                  _check("no stage ever went back to an older version", lambda: stages.no_stage_went_back(run))]
        for trip in journeys:
            if trip.lead_time is not None:
                checks.append(_check(f"{trip.version}: one promotion commit per stage boundary",
                                     lambda v=trip.version: stages.each_boundary_must_have_one_commit(
                                         commits, self.pipeline.boundaries(), v)))
        for stage, version in sorted(self.pipeline.faults.evaluation_fails | self.pipeline.faults.push_refused):
            for later in self.pipeline.stage_names[self.pipeline.stage_names.index(stage) + 1:]:
                checks.append(_check(f"{version}, stopped in or before {stage}, never reached {later}",
                                     lambda s=later, v=version: stages.stage_must_not_receive(commits, s, v)))
        received = trips.push_times(commits, [(push.received, push.head) for push in run.server.pushes])
        first = self.pipeline.stage_names[0]
        pushes = [(received[c.sha], c.subject) for c in commits if c.parents and c.sha in received and c.changed - {first}]
        bars = lanes.lane_bars(journeys, pushes, [kill.at for kill in self.kill_log.kills])
        report = simulation_report.build(self.pipeline, self.source, self.adapter.metadata, journeys, ends, per_boundary,
                                         len(self.kill_log.kills), checks, started, finished, settled)
        data, page = simulation_report.write(self.folder, report,
                                             lanes.lanes_svg(self.pipeline.name, bars, finished))
        write_evidence(run, self.folder)
        picture_ok = True
        try:
            _say(lanes.check_in_chromium(page, self.folder / "lanes.png", len(bars)))
        except lanes.BrowserMissing as error:  # the simulation's checks decide; the tests check the picture
            _say(f"the picture was not checked: {error}")
        except lanes.PictureError as error:
            _say(f"the picture is wrong: {error}")
            picture_ok = False
        lead = report["leadTimeSeconds"]
        _say(f"lead time {self.pipeline.stage_names[0]} → {self.pipeline.stage_names[-1]}: "
             + (f"median {lead['median']} s, p90 {lead['p90']} s over {lead['count']} versions" if lead["count"]
                else "no version got there"))
        failed = [check for check in checks if not check["passed"]]
        for check in failed:
            _say(f"check failed: {check['name']}: {check['message']}")
        _say(f"report: {data} and {page}")
        return 0 if settled and not failed and picture_ok else 1


def until_settled(released_all: Callable[[], bool], journeys_now: Callable[[], tuple[list, dict]],
                  deadline_passed: Callable[[], bool], show: Callable[[list, dict], None],
                  pause: Callable[[], None]) -> tuple[list, dict]:
    """Look at the journeys until every release was made and every journey ended, or the deadline
    passed. Whether every release was made is asked before the journeys are read: asked after, a
    release made in between would be missing from journeys that all ended, and the run would stop
    without it (a test of simulate saw a report without its last version)."""
    while True:
        all_released = released_all()
        journeys, ends = journeys_now()
        show(journeys, ends)
        if (all_released and len(ends) == len(journeys)) or deadline_passed():
            return journeys, ends
        pause()


def _check(name: str, judge) -> dict:
    try:
        judge()
    except AssertionError as error:
        return {"name": name, "passed": False, "message": str(error)}
    return {"name": name, "passed": True, "message": "held"}


class LiveView:
    """A line per version, its state in every stage; redrawn in place on a terminal, printed when
    it changes (or every 30 s) elsewhere."""

    def __init__(self, out):
        self.out = out
        self.tty = out.isatty()
        self.drawn = 0
        self.last = ""
        self.last_printed = 0.0

    def show(self, elapsed: float, journeys: list[trips.Journey], ends: dict[str, str], kills: int) -> None:
        lines = [f"{elapsed:6.0f}s  {len(ends)}/{len(journeys)} journeys ended, {kills} kills"]
        for trip in journeys:
            cells = "  ".join(f"{visit.stage} {_cell(visit)}" for visit in trip.visits)
            lines.append(f"  {trip.version:<10} {cells}" + (f"   → {ends[trip.version]}" if trip.version in ends else ""))
        text = "\n".join(lines)
        body = text.split("\n", 1)[1] if "\n" in text else ""
        if self.tty:
            self.out.write(f"\x1b[{self.drawn}A\x1b[J" if self.drawn else "")
            self.out.write(text + "\n")
            self.drawn = len(lines)
        elif body != self.last or time.monotonic() - self.last_printed > 30:
            self.out.write(text + "\n")
            self.last_printed = time.monotonic()
        self.last = body
        self.out.flush()


def _cell(visit: trips.Visit) -> str:
    if not visit.reached:
        return "·"
    if visit.completed is not None:
        mark = {"Succeeded": "✓", "Failed": "✗", "Warning": "!"}.get(visit.status, visit.status)
        return f"{mark} {visit.seconds:.1f}s" if visit.seconds is not None else mark
    if visit.created is None:
        return "… (Flux)" if visit.applied is None else "… applied"
    return f"▶ {visit.phase or 'Pending'}"
