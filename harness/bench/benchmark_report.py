"""The BenchmarkReport: one column per implementation (each measured on a fresh cluster of the
same provider in the same run) and the side-by-side comparison with ratios to the first one;
checked against its JSON Schema before it is written, and written as `<run-id>.json` with the text
summary as `<run-id>.txt`."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import jsonschema

from harness.bench import figures, summary, targets
from harness.bench.plan import Plan

SCHEMA = json.loads((Path(__file__).parent / "report.schema.json").read_text())
API_VERSION = "promotion-conformance.keptn.sh/v1alpha2"
NOTES = (
    "The machine is shared with other engineers' test runs: the load averages show how busy it was; compare "
    "figures of one run with each other (one implementation with another, N tasks with the floor), and across "
    "runs only with care.",
    "Percentiles are nearest-rank (always a measured value): with fewer than 100 values p99 is the largest one.",
    "Phase times are arrival times of the harness's own watch (and the moments the harness sent its objects), "
    "sub-second, on one clock; never times an implementation writes. creationTimestamp has whole-second "
    "resolution and is not used.",
    "API requests: kube-apiserver's apiserver_request_total over the scale window, for lifecycle.keptn.sh "
    "resources and Jobs (not jobs/status), creates, updates and LISTs, minus the harness's own requests; WATCH, "
    "GET and DELETE left out (kube-controller-manager sends those too); plus the Events about Keptn objects, "
    "counted by listing them.",
    "Ratios are each implementation's figure ÷ the first implementation's, taken in the same run; a ratio is "
    "left out when the first one's figure is not above zero.",
)


class ReportError(ValueError):
    """The report does not match its schema; the message names the field."""


def build(*, run_id: str, plan: Plan, command: str, started: str, finished: str, source: dict, machine: dict,
          provider: str, implementations: list[dict]) -> dict:
    """`implementations`: per implementation (in the order given) its description, cluster, load
    average and stages; each gets its throughput and targets here."""
    columns = [{**impl, "throughput": throughput(impl["stages"]), "targets": targets.evaluate(impl["stages"])}
               for impl in implementations]
    report = {
        "apiVersion": API_VERSION,
        "kind": "BenchmarkReport",
        "runId": run_id,
        "mode": plan.mode,
        "plan": {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(plan).items()},
        "command": command,
        "started": started,
        "finished": finished,
        "source": source,
        "machine": machine,
        "provider": provider,
        "implementations": columns,
        "comparison": compare(columns, figures.for_plan(plan.parallel_tasks, plan.scale_versions)),
        "notes": list(NOTES),
    }
    validate(report)
    return report


def throughput(stages: dict) -> list[dict]:
    """Per scale run: the implementation's write rate as a share of the ceiling's (same cluster)."""
    ceiling = (stages.get("ceiling") or {}).get("writesPerSecond")
    rows = []
    for run in (stages.get("scale") or {}).get("runs", []):
        if "error" in run:
            continue
        rate = run.get("writesPerSecond")
        rows.append({"versions": run["versionsStarted"], "writesPerSecond": rate, "ceilingWritesPerSecond": ceiling,
                     "share": round(rate / ceiling, 3) if rate is not None and ceiling else None})
    return rows


def compare(columns: list[dict], wanted: list[figures.Figure]) -> dict:
    """Every figure side by side: a cell per implementation ({value, why}), and each other
    implementation's value ÷ the first one's."""
    baseline = columns[0]["name"]
    rows = []
    for figure in wanted:
        cells = {column["name"]: _unavailable(column) or figure.cell(column["stages"]) for column in columns}
        base = cells[baseline]["value"]
        ratios = {name: round(cell["value"] / base, 3) if cell["value"] is not None and base else None
                  for name, cell in cells.items() if name != baseline}
        if base is not None and base < 0:
            ratios = dict.fromkeys(ratios)
        rows.append({"key": figure.key, "figure": figure.label, "unit": figure.unit, "cells": cells, "ratios": ratios})
    return {"baseline": baseline, "figures": rows}


def _unavailable(column: dict) -> dict | None:
    """The cell of every figure of an implementation that could not be brought up (one interrupted
    later keeps the figures of the stages it finished)."""
    if not column.get("error") or column["stages"]:
        return None
    return {"value": None, "why": f"{column['name']} could not be measured: {column['error'].splitlines()[0][:300]}"}


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
