"""After a scenario: its timeline for the report page, and on failure a diagnostics folder.

The diagnostics of a failed scenario hold what a person debugging it asks for first: every
lifecycle object of its namespace, its Jobs, pods and events, and the implementation's log tail
(chainsaw's `catch`, STYLE.md point 5).
"""
from __future__ import annotations

import time
from pathlib import Path

import yaml

from harness.kube import Kube
from harness.library.recorder import Recorder
from harness.report import write_timeline
from harness.report.bars import TIMED_KINDS, bars_from_watch, rfc3339

DUMPED_KINDS = (
    "KeptnApp", "KeptnAppContext", "KeptnAppVersion", "KeptnWorkload", "KeptnWorkloadVersion", "KeptnTaskDefinition",
    "KeptnTask", "KeptnEvaluationDefinition", "KeptnEvaluation", "KeptnMetric", "KeptnConfig", "Job", "Pod", "Event",
)


def write_scenario_timeline(recorder: Recorder, report_dir: Path, scenario_id: str, status: str) -> Path:
    """The timeline on the clock of the scenario's watch (harness.report.bars); bars still running
    end where it was recorded."""
    observations = [seen for kind in TIMED_KINDS for seen in recorder.seen(kind)]
    return write_timeline(report_dir, scenario_id, bars_from_watch(observations), status=status,
                          recorded_at=rfc3339(time.time()))


def write_diagnostics(kube: Kube | None, namespace: str | None, folder: Path, failure: str, log_tail: str) -> Path:
    """failure.txt, implementation.log and, for a scenario that had a namespace, its objects."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "failure.txt").write_text(failure)
    for kind in DUMPED_KINDS if kube is not None and namespace else ():
        try:
            objects = kube.list(kind, namespace)
        except Exception as exc:  # a kind the implementation did not install: say so, keep going
            objects = [{"error": f"could not list {kind}: {exc}"}]
        if objects:
            (folder / f"{kind}.yaml").write_text(yaml.safe_dump_all(objects, sort_keys=False))
    (folder / "implementation.log").write_text(log_tail)
    return folder
