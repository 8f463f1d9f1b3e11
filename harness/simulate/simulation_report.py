"""What `promotion-conformance simulate` writes: `simulation.json` (a versioned SimulationReport,
checked against simulation-report.schema.json before it is written) and `index.html` (one
self-contained page: lead times, per version the time in each stage, commits per stage boundary,
the checks, and the picture with one lane per stage).
"""
from __future__ import annotations

import json
import statistics
from html import escape
from pathlib import Path

import jsonschema

from harness.simulate.journeys import Journey, percentile
from harness.report.svg import COLOURS

SCHEMA = json.loads((Path(__file__).parent / "simulation-report.schema.json").read_text())
API_VERSION = "promotion-conformance.keptn.sh/v1alpha1"
PARTS = ("flux", "lifecycle", "promotion")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summary(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "median": _round(statistics.median(values)), "p90": _round(percentile(values, 0.9)),
            "min": _round(min(values)), "max": _round(max(values))}


def build(pipeline, source: str, implementation: dict, journeys: list[Journey], ends: dict[str, str],
          commits_per_boundary: dict[tuple[str, str], dict[str, int]], kills: int, checks: list[dict],
          started: float, finished: float, settled: bool) -> dict:
    versions = []
    for trip in journeys:
        breakdown = trip.breakdown()
        versions.append({
            "version": trip.version,
            "ended": ends.get(trip.version, "did not end"),
            "leadTimeSeconds": _round(trip.lead_time),
            "breakdownSeconds": {part: _round(seconds) for part, seconds in breakdown.items()} if breakdown else None,
            "stages": [{"stage": v.stage, "reached": v.reached, "secondsInStage": _round(v.seconds),
                        "status": v.status or None, "promotionStatus": v.promotion_status or None,
                        "enteredAfterSeconds": _round(v.entered - started) if v.entered is not None else None}
                       for v in trip.visits],
        })
    leads = [trip.lead_time for trip in journeys if trip.lead_time is not None]
    breakdowns = [trip.breakdown() for trip in journeys if trip.lead_time is not None]
    return {
        "apiVersion": API_VERSION, "kind": "SimulationReport",
        "pipeline": {"name": pipeline.name, "file": source, "app": pipeline.app, "stages": pipeline.stage_names,
                     "clusters": "per-stage" if pipeline.own_clusters else "shared",
                     "releases": [{"version": r.version, "atSeconds": r.at} for r in pipeline.releases]},
        "implementation": implementation,
        "durationSeconds": _round(finished - started),
        "settled": settled,
        "kills": kills,
        "leadTimeSeconds": summary(leads),
        "breakdownMeanSeconds": {part: _round(statistics.mean(b[part] for b in breakdowns)) for part in PARTS}
        if breakdowns else {},
        "versions": versions,
        "boundaries": [{"from": a, "to": b, "commits": counts} for (a, b), counts in commits_per_boundary.items()],
        "checks": checks,
    }


def write(folder: Path, report: dict, svg: str) -> tuple[Path, Path]:
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(report), key=lambda e: e.json_path)
    if errors:
        raise ValueError("the simulation report does not match its schema: "
                         + "; ".join(f"{e.json_path}: {e.message}" for e in errors))
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "simulation.json"
    data.write_text(json.dumps(report, indent=1))
    page = folder / "index.html"
    page.write_text(html(report, svg))
    return data, page


CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px 32px; color: #1d2125; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 22px 0 6px; }
.meta { color: #5f6368; } table { border-collapse: collapse; margin: 8px 0 14px; }
th, td { text-align: left; padding: 3px 14px 3px 0; } th { border-bottom: 1px solid #ccc; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } .bad { color: #d6393a; } .ok { color: #2e9d4f; }
svg.timeline { display: block; margin-top: 8px; font: 11.5px ui-monospace, monospace; }
svg .band { fill: #f4f6f8; } svg .grid { stroke: #d9dde1; stroke-width: 1; } svg .tick { fill: #5f6368; text-anchor: middle; font-size: 10.5px; }
svg .label { fill: #1d2125; } svg .label.job { fill: #5f6368; } svg .failed-mark { font-weight: 700; font-size: 13px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 18px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
"""


def _seconds(value) -> str:
    return "–" if value is None else f"{value:.1f} s"


def html(report: dict, svg: str) -> str:
    pipeline, lead = report["pipeline"], report["leadTimeSeconds"]
    stages = pipeline["stages"]
    rows = "".join(
        f"<tr><td>{escape(v['version'])}</td>"
        + "".join(f"<td class='num'>{_seconds(s['secondsInStage'])}"
                  f"{' ✕' if s['status'] == 'Failed' else ''}</td>" for s in v["stages"])
        + f"<td class='num'>{_seconds(v['leadTimeSeconds'])}</td>"
        + "".join(f"<td class='num'>{_seconds((v['breakdownSeconds'] or {}).get(p))}</td>" for p in ("flux", "lifecycle", "promotion"))
        + f"<td>{escape(v['ended'])}</td></tr>" for v in report["versions"])
    boundaries = "".join(
        f"<tr><td>{escape(b['from'])} → {escape(b['to'])}</td><td>"
        + ", ".join(f"{escape(version)}: {count}" for version, count in b["commits"].items()) + "</td></tr>"
        for b in report["boundaries"])
    checks = "".join(f"<tr><td class='{'ok' if c['passed'] else 'bad'}'>{'passed' if c['passed'] else 'FAILED'}</td>"
                     f"<td>{escape(c['name'])}</td><td>{escape(c['message'])}</td></tr>" for c in report["checks"])
    legend = "".join(f'<span><i style="background:{colour}"></i>{state}</span>' for state, colour in COLOURS.items()
                     if state in ("Succeeded", "Failed", "Warning", "Progressing"))
    lead_line = (f"median {_seconds(lead.get('median'))}, p90 {_seconds(lead.get('p90'))}, min {_seconds(lead.get('min'))}, "
                 f"max {_seconds(lead.get('max'))} over {lead['count']} versions that reached {escape(stages[-1])}"
                 if lead["count"] else f"no version reached {escape(stages[-1])}")
    mean = report["breakdownMeanSeconds"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>simulation {escape(pipeline['name'])}</title><style>{CSS}</style></head>
<body>
<h1>Simulated GitOps promotion: {escape(pipeline['name'])}</h1>
<p class="meta">{escape(pipeline['app'])} through {' → '.join(map(escape, stages))} ({escape(pipeline['clusters'])} clusters),
{len(pipeline['releases'])} releases, {report['kills']} controller kills, {_seconds(report['durationSeconds'])};
implementation {escape(report['implementation'].get('name', '?'))} {escape(report['implementation'].get('version', ''))}.
{'' if report['settled'] else '<b class="bad">The simulation did not settle before its timeout.</b>'}</p>
<h2>Lead time {escape(stages[0])} → {escape(stages[-1])}</h2>
<p>{lead_line}. Mean breakdown: Flux sync {_seconds(mean.get('flux'))}, lifecycle {_seconds(mean.get('lifecycle'))},
promotion {_seconds(mean.get('promotion'))}.</p>
<h2>Stages</h2>
<div class="legend">{legend}</div>
{svg}
<h2>Versions</h2>
<table><tr><th>version</th>{''.join(f'<th>in {escape(s)}</th>' for s in stages)}<th>lead time</th><th>Flux sync</th>
<th>lifecycle</th><th>promotion</th><th>ended</th></tr>{rows}</table>
<h2>Promotion commits per stage boundary</h2>
<table><tr><th>boundary</th><th>commits per version</th></tr>{boundaries}</table>
<h2>Checks</h2>
<table><tr><th></th><th>check</th><th>detail</th></tr>{checks}</table>
</body></html>
"""
