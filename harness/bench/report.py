"""The BenchmarkReport: assembled from the stages' sections, checked against its JSON Schema
before it is written, and written as `<run-id>.json` with the text summary as `<run-id>.txt`."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from harness.bench import summary, targets

SCHEMA = json.loads((Path(__file__).parent / "report.schema.json").read_text())
API_VERSION = "promotion-conformance.keptn.sh/v1alpha1"
NOTES = (
    "The machine is shared with other engineers' test runs: the load average above shows how busy it was; "
    "compare figures of one run with each other, and across runs only with care.",
    "Percentiles are nearest-rank (always a measured value): with fewer than 100 values p99 is the largest one.",
    "Status times are the controller's own microsecond stamps; watch times are when this process received "
    "the event, on the same clock; creationTimestamp has whole-second resolution.",
    "API requests: kube-apiserver's apiserver_request_total over the scale window, for lifecycle.keptn.sh "
    "resources and Jobs (not jobs/status), creates, updates and LISTs (the controller neither GETs nor deletes "
    "these: kube-controller-manager does), minus the harness's own requests; WATCH left out; plus the Events "
    "the controller recorded, counted by listing them.",
)


class ReportError(ValueError):
    """The report does not match its schema; the message names the field."""


def build(*, run_id: str, mode: str, command: str, started: str, finished: str, source: dict, machine: dict,
          cluster: dict, stages: dict) -> dict:
    report = {
        "apiVersion": API_VERSION,
        "kind": "BenchmarkReport",
        "runId": run_id,
        "mode": mode,
        "command": command,
        "started": started,
        "finished": finished,
        "source": source,
        "machine": machine,
        "cluster": cluster,
        "stages": stages,
        "throughput": throughput(stages),
        "targets": targets.evaluate(stages),
        "notes": list(NOTES),
    }
    validate(report)
    return report


def throughput(stages: dict) -> dict:
    """The controller's write rate in the scale stage as a share of the ceiling's write rate."""
    scale, ceiling = stages.get("scale") or {}, stages.get("ceiling") or {}
    controller, limit = scale.get("controllerWritesPerSecond"), ceiling.get("writesPerSecond")
    ratio = round(controller / limit, 3) if controller is not None and limit else None
    return {"controllerWritesPerSecond": controller, "ceilingWritesPerSecond": limit, "ratio": ratio}


def validate(report: dict) -> None:
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(report), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "(report)"
        raise ReportError(f"BenchmarkReport field {where}: {error.message}")


def write(report: dict, folder: Path) -> tuple[Path, Path]:
    validate(report)
    folder.mkdir(parents=True, exist_ok=True)
    data, text = folder / f"{report['runId']}.json", folder / f"{report['runId']}.txt"
    data.write_text(json.dumps(report, indent=2) + "\n")
    text.write_text(summary.render(report))
    return data, text
