"""The report page: one self-contained `index.html` (inline CSS and SVG, no script, no external URL)
with the profiles' results and, per scenario, its badge, duration and timeline.

Reads the report dir: `conformance-report.yaml` (required), `scenarios.json` (every outcome, from
the collector; optional) and `timelines/*.json` (see harness.report.timeline; optional).
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

from harness.profiles import PROFILES
from harness.report.conformance import REPORT_FILE, SCENARIOS_FILE
from harness.report.svg import COLOURS, timeline_svg
from harness.report.timeline import read_timelines
from harness.report.validation import check, load_file

PAGE = "index.html"
BADGES = {"passed": "ok", "success": "ok", "failed": "bad", "failure": "bad", "partial": "warn", "skipped": "muted"}

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px 32px; color: #1d2125; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 0; display: inline; }
.meta, .muted { color: #5f6368; } .banner { background: #fdecea; color: #a52222; padding: 6px 10px; border-radius: 4px; }
table { border-collapse: collapse; margin: 12px 0 20px; } th, td { text-align: left; padding: 4px 12px 4px 0; vertical-align: top; }
th { border-bottom: 1px solid #ccc; font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; margin-left: 8px; }
.badge.ok { background: #2e9d4f; } .badge.bad { background: #d6393a; } .badge.warn { background: #e8a317; } .badge.muted { background: #9aa0a6; }
section.scenario { border-top: 1px solid #e3e3e3; padding: 14px 0 8px; }
.reason { font-family: ui-monospace, monospace; font-size: 12.5px; background: #f6f6f6; padding: 4px 8px; border-radius: 3px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 18px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
svg.timeline { display: block; margin-top: 8px; font: 11.5px ui-monospace, monospace; }
svg .band { fill: #f4f6f8; } svg .grid { stroke: #d9dde1; stroke-width: 1; } svg .tick { fill: #5f6368; text-anchor: middle; font-size: 10.5px; }
svg .label { fill: #1d2125; } svg .label.job { fill: #5f6368; } svg .failed-mark { font-weight: 700; font-size: 13px; }
svg rect.bar.job { fill-opacity: 0.8; }
"""


def _badge(status: str) -> str:
    return f'<span class="badge {BADGES.get(status, "muted")}">{escape(status)}</span>'


def _header(report: dict) -> str:
    impl, provider = report["implementation"], report["provider"]
    where = provider["name"] + (f", Kubernetes {provider['kubernetesVersion']}" if provider.get("kubernetesVersion") else "")
    parts = [
        f"<h1>Promotion-phase conformance: {escape(impl['name'])} {escape(impl['version'])}</h1>",
        f'<p class="meta">{escape(impl["organization"])} · {escape(report["date"])} · cluster {escape(where)} · '
        f'mode {escape(report["mode"])} · {report["timings"]["wallSeconds"]:.0f} s</p>',
    ]
    if report["interrupted"]:
        parts.append('<p class="banner">The run was interrupted: scenarios that did not run are missing from this report.</p>')
    rows = "".join(
        f"<tr><td>{escape(p['name'])}</td><td>{_badge(p['result'])}</td><td>{escape(p['summary'])}</td>"
        f"<td>{p['statistics']['passed']} / {p['statistics']['failed']} / {p['statistics']['skipped']}</td>"
        f"<td>{escape(', '.join(p['features']['unclaimed']) or '–')}</td></tr>"
        for p in report["profiles"]
    )
    parts.append("<table><tr><th>Profile</th><th>Result</th><th>Summary</th><th>Passed / failed / skipped</th>"
                 f"<th>Features not claimed</th></tr>{rows}</table>")
    by_colour: dict[str, list[str]] = {}
    for status, colour in COLOURS.items():
        by_colour.setdefault(colour, []).append(status)
    legend = "".join(f'<span><i style="background:{colour}"></i>{" / ".join(statuses)}</span>' for colour, statuses in by_colour.items())
    parts.append(f'<p class="legend">{legend}<span>hatched: still running when recorded</span><span>✕ failed</span></p>')
    return "".join(parts)


def _scenarios(report_dir: Path, timelines: dict[str, dict]) -> list[dict]:
    """Every scenario to show: the collector's outcomes (core first, then by ID), then timelines without one."""
    path = report_dir / SCENARIOS_FILE
    try:
        outcomes = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable list of outcomes: {exc}") from None
    profile_order = list(PROFILES)
    outcomes.sort(key=lambda o: (profile_order.index(o["profile"]) if o["profile"] in profile_order else 99, o["id"]))
    known = {o["id"] for o in outcomes}
    return outcomes + [{"id": scenario, "status": timeline.get("status", "unknown")}
                       for scenario, timeline in timelines.items() if scenario not in known]


def _section(scenario: dict, timeline: dict | None, index: int) -> str:
    duration = f' <span class="muted">{scenario["duration"]:.1f} s</span>' if "duration" in scenario else ""
    tags = f'<p class="muted">{escape(scenario["feature"])} · {escape(scenario["profile"])}</p>' if "feature" in scenario else ""
    reason = f'<p class="reason">{escape(scenario["reason"])}</p>' if scenario.get("reason") else ""
    body = timeline_svg(timeline, f"s{index}") if timeline else '<p class="muted">No timeline recorded.</p>'
    anchor = escape(scenario["id"], quote=True)
    return (f'<section class="scenario" id="{anchor}"><h2>{escape(scenario["id"])}</h2>{_badge(scenario["status"])}'
            f"{duration}{tags}{reason}{body}</section>")


def render(report: dict, scenarios: list[dict], timelines: dict[str, dict]) -> str:
    sections = "".join(_section(s, timelines.get(s["id"]), i) for i, s in enumerate(scenarios))
    title = f"Conformance: {report['implementation']['name']} {report['implementation']['version']}"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{_header(report)}{sections}</body></html>\n")


def write_html(report_dir: str | Path) -> Path:
    """Write `<report_dir>/index.html` from the report, the outcomes and the timelines found there."""
    report_dir = Path(report_dir)
    report = load_file(report_dir / REPORT_FILE)
    check(report, str(report_dir / REPORT_FILE))
    timelines = read_timelines(report_dir)
    path = report_dir / PAGE
    path.write_text(render(report, _scenarios(report_dir, timelines), timelines), encoding="utf-8")
    return path
