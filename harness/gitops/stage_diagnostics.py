"""After a gitops scenario: its timeline (every stage's objects, rows prefixed with the stage) and,
when it failed, diagnostics: each stage's objects, the repository's history, the pushes the
server received, what Flux applied in each stage, and the logs of Flux, the host runner and the
implementation.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from harness.clusters.simulated import HOST_RUNNER, SimulatedProvider
from harness.gitops.git_server import git
from harness.library.diagnostics import write_diagnostics
from harness.plugin.session_cluster import say
from harness.plugin.session_options import options_of
from harness.plugin.scenarios import call_report
from harness.report import bars_from_watch, write_timeline
from harness.report.bars import TIMED_KINDS, rfc3339
from harness.report.collector import scenario_labels


def stage_bars(run) -> list[dict]:
    """Timeline bars of every stage, from what its watch saw, each row named after its stage."""
    bars = []
    for stage, recorder in run.recorders.items():
        observations = [seen for kind in TIMED_KINDS for seen in recorder.seen(kind)]
        bars += [{**bar, "row": f"{stage}: {bar['row']}"} for bar in bars_from_watch(observations)]
    return bars


def write_gitops_report(item, run, implementation) -> None:
    labels, call = scenario_labels(item), call_report(item)
    if labels is None or call is None:
        return
    report_dir = Path(options_of(item.config).run_dir)
    write_timeline(report_dir, labels["id"], stage_bars(run), status="failed" if call.failed else "passed",
                   recorded_at=rfc3339(time.time()))
    if not call.failed:
        return
    folder = report_dir / "diagnostics" / labels["id"]
    for stage, site in run.sites.items():
        write_diagnostics(site.kube, site.namespace, folder / stage, call.longreprtext, implementation.log_tail())
    write_evidence(run, folder)
    say(f"diagnostics of {labels['id']}: {folder}")


def write_evidence(run, folder: Path) -> None:
    """The repository's history, the server's pushes, Flux's applied revisions and the logs."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "git-log.txt").write_text(git("log", "--stat", "--format=%H %ad %an%n    %s", "--date=iso-strict",
                                            "main", cwd=run.server.repository))
    (folder / "pushes.txt").write_text("".join(f"{push.received:.3f} {push.head}\n" for push in run.server.pushes))
    (folder / "flux-applied.txt").write_text("".join(
        f"{stage} {at:.3f} {commit}\n" for stage in run.sites for at, commit in run.applied(stage)))
    for cluster, flux in run.fluxes.items():
        for name in flux.processes or ("source-controller", "kustomize-controller"):
            if flux.log(name).exists():
                shutil.copy2(flux.log(name), folder / f"{cluster}-{name}.log")
    for cluster in {site.cluster for site in run.sites.values()}:
        log = SimulatedProvider(cluster).cluster_dir / "logs" / f"{HOST_RUNNER}.log"
        if log.exists():
            shutil.copy2(log, folder / f"{cluster}-{HOST_RUNNER}.log")
