"""After a scenario: its timeline for the report page, and on failure a diagnostics folder.

The diagnostics of a failed scenario hold what a person debugging it asks for first: every
lifecycle object of its namespace, its Jobs, pods and events, and the implementation's log tail
(chainsaw's `catch`, STYLE.md point 5).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from harness.library.kube import Kube
from harness.report import bars_from_objects, write_timeline

DUMPED_KINDS = (
    "KeptnApp", "KeptnAppContext", "KeptnAppVersion", "KeptnWorkload", "KeptnWorkloadVersion", "KeptnTaskDefinition",
    "KeptnTask", "KeptnEvaluationDefinition", "KeptnEvaluation", "KeptnMetric", "KeptnConfig", "Job", "Pod", "Event",
)


def write_scenario_timeline(kube: Kube, namespace: str, report_dir: Path, scenario_id: str, status: str) -> Path:
    bars = bars_from_objects(
        kube.list("KeptnAppVersion", namespace), kube.list("KeptnTask", namespace),
        kube.list("Job", namespace), kube.list("KeptnEvaluation", namespace),
    )
    return write_timeline(report_dir, scenario_id, bars, status=status)


def write_diagnostics(kube: Kube, namespace: str, folder: Path, failure: str, log_tail: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "failure.txt").write_text(failure)
    for kind in DUMPED_KINDS:
        try:
            objects = kube.list(kind, namespace)
        except Exception as exc:  # a kind the implementation did not install: say so, keep going
            objects = [{"error": f"could not list {kind}: {exc}"}]
        if objects:
            (folder / f"{kind}.yaml").write_text(yaml.safe_dump_all(objects, sort_keys=False))
    (folder / "implementation.log").write_text(log_tail)
    return folder
