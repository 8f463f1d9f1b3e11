"""The report page: one self-contained `index.html` (inline CSS and SVG, no script, nothing loaded
from elsewhere) that reads top-down in the order a person asks:

1. the profiles' verdicts;
2. what failed or could not run, each with its reason, a link to its diagnostics and its timeline;
3. one table of every scenario (result, ID, feature, profile, seconds, reason), failures first;
4. the timelines of the scenarios that passed.

A scenario without a timeline (the CRD compatibility scenarios, any that did not run) is a row of
the table and nothing more. Reads the report dir: `conformance-report.yaml` (required),
`scenarios.json` (every outcome, from the collector; optional), `timelines/*.json` (see
harness.report.timeline; optional) and `diagnostics/<ID>/` (linked when present).
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

from harness.profiles import PROFILES
from harness.report.conformance import REPORT_FILE, SCENARIOS_FILE
from harness.report.outcome import STATUSES, reason_apart_from
from harness.report.svg import COLOURS, timeline_svg
from harness.report.timeline import read_timelines
from harness.report.validation import check, load_file

PAGE = "index.html"
BADGES = {"passed": "ok", "success": "ok", "failed": "bad", "failure": "bad", "notRun": "bad", "partial": "warn"}
# The table's order: what needs a look first, then what passed, then what did not run by choice.
ORDER = ("failed", "notRun", "passed", "notApplicable", "unsupported", "skipped")
FAILURES = ("failed", "notRun")
TABLE_REASON = 140  # characters of a reason in the table of every scenario
DIAGNOSTICS_FIRST = ("failure.txt", "implementation.log")  # linked by name; the folder holds the objects' YAML

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px 32px; color: #1d2125; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 6px; } h3 { font-size: 15px; margin: 0; display: inline; }
.meta, .muted { color: #5f6368; } .banner { background: #fdecea; color: #a52222; padding: 6px 10px; border-radius: 4px; }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { text-align: left; padding: 3px 14px 3px 0; vertical-align: top; }
th { border-bottom: 1px solid #ccc; font-weight: 600; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.scenarios td { border-bottom: 1px solid #f0f0f0; } table.scenarios td.why { color: #5f6368; max-width: 640px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
h3 + .badge, h3 ~ .badge { margin-left: 8px; }
.badge.ok { background: #2e9d4f; } .badge.bad { background: #d6393a; } .badge.warn { background: #e8a317; } .badge.muted { background: #9aa0a6; }
section.scenario { border-top: 1px solid #e3e3e3; padding: 12px 0 6px; }
section.failed { border-left: 4px solid #d6393a; padding-left: 12px; }
.reason { font-family: ui-monospace, monospace; font-size: 12.5px; background: #f6f6f6; padding: 4px 8px; border-radius: 3px; white-space: pre-wrap; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 18px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
svg.timeline { display: block; margin-top: 8px; font: 11.5px ui-monospace, monospace; }
svg .band { fill: #f4f6f8; } svg .grid { stroke: #d9dde1; stroke-width: 1; } svg .tick { fill: #5f6368; text-anchor: middle; font-size: 10.5px; }
svg .label { fill: #1d2125; } svg .label.job, svg .label.phase-item { fill: #5f6368; } svg .failed-mark { font-weight: 700; font-size: 13px; }
svg rect.bar.job { fill-opacity: 0.8; }
a { color: #1a5fb4; text-decoration: none; } a:hover { text-decoration: underline; }
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
    head = "".join(f'<th class="n">{escape(status)}</th>' for status in STATUSES)
    rows = "".join(
        f"<tr><td>{escape(p['name'])}</td><td>{_badge(p['result'])}</td>"
        + "".join(f'<td class="n">{p["statistics"][status]}</td>' for status in STATUSES)
        + f"<td>{escape(p['summary'])}</td><td>{escape(', '.join(p['features']['unclaimed']) or '–')}</td></tr>"
        for p in report["profiles"]
    )
    parts.append(f"<table><tr><th>Profile</th><th>Result</th>{head}<th>Summary</th><th>Features not claimed</th></tr>{rows}</table>")
    return "".join(parts)


def _legend() -> str:
    by_colour: dict[str, list[str]] = {}
    for status, colour in COLOURS.items():
        by_colour.setdefault(colour, []).append(status)
    legend = "".join(f'<span><i style="background:{colour}"></i>{" / ".join(statuses)}</span>' for colour, statuses in by_colour.items())
    return (f'<p class="legend">{legend}<span>hatched: still running when recorded</span><span>✕ failed</span></p>'
            '<p class="muted">Times are when the scenario\'s watch saw each object change, on the harness\'s clock; '
            "0 s is the first object the scenario created.</p>")


def _scenarios(report_dir: Path, timelines: dict[str, dict]) -> list[dict]:
    """Every scenario: the collector's outcomes, then timelines without one, in the table's order."""
    path = report_dir / SCENARIOS_FILE
    try:
        outcomes = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable list of outcomes: {exc}") from None
    known = {o["id"] for o in outcomes}
    outcomes += [{"id": scenario, "status": timeline.get("status", "unknown")}
                 for scenario, timeline in timelines.items() if scenario not in known]
    profiles = list(PROFILES)

    def order(outcome: dict) -> tuple:
        status = outcome["status"]
        return (ORDER.index(status) if status in ORDER else len(ORDER),
                profiles.index(outcome["profile"]) if outcome.get("profile") in profiles else len(profiles),
                outcome.get("feature", ""), outcome["id"])

    return sorted(outcomes, key=order)


def _anchor(scenario: dict) -> str:
    return escape(scenario["id"], quote=True)


def _diagnostics(report_dir: Path, scenario: dict) -> str:
    folder = report_dir / "diagnostics" / scenario["id"]
    if not folder.is_dir():
        return ""
    shown = [folder / name for name in DIAGNOSTICS_FIRST if (folder / name).is_file()] + [folder]
    links = " · ".join(f'<a href="{escape(path.relative_to(report_dir).as_posix(), quote=True)}{"/" * path.is_dir()}">'
                       f'{"every object of its namespace" if path.is_dir() else escape(path.name)}</a>' for path in shown)
    return f'<p class="muted">Diagnostics: {links}</p>'


def _card(scenario: dict, timeline: dict | None, index: int, report_dir: Path) -> str:
    duration = f' <span class="muted">{scenario["duration"]:.1f} s</span>' if "duration" in scenario else ""
    tags = f'<p class="muted">{escape(scenario["feature"])} · {escape(scenario["profile"])}</p>' if "feature" in scenario else ""
    reason = f'<p class="reason">{escape(scenario["reason"])}</p>' if scenario.get("reason") else ""
    body = timeline_svg(timeline, f"s{index}") if timeline else ""
    failed = " failed" if scenario["status"] in FAILURES else ""
    return (f'<section class="scenario{failed}" id="{_anchor(scenario)}"><h3>{escape(scenario["id"])}</h3>'
            f"{_badge(scenario['status'])}{duration}{tags}{reason}{_diagnostics(report_dir, scenario)}{body}</section>")


def _table(scenarios: list[dict], cards: set[str]) -> str:
    rows = []
    for scenario in scenarios:
        name = escape(scenario["id"])
        linked = f'<a href="#{_anchor(scenario)}">{name}</a>' if scenario["id"] in cards else name
        ran = scenario["status"] in ("passed", *FAILURES) and "duration" in scenario
        seconds = f'{scenario["duration"]:.1f}' if ran else ""
        reason = reason_apart_from(scenario["id"], scenario.get("reason", ""))
        shown = reason if len(reason) <= TABLE_REASON else reason[: TABLE_REASON - 1] + "…"  # the card has it whole
        rows.append(f"<tr><td>{_badge(scenario['status'])}</td><td>{linked}</td><td>{escape(scenario.get('feature', ''))}</td>"
                    f"<td>{escape(scenario.get('profile', ''))}</td><td class=\"n\">{seconds}</td>"
                    f'<td class="why" title="{escape(reason, quote=True)}">{escape(shown)}</td></tr>')
    return ('<table class="scenarios"><tr><th>Result</th><th>Scenario</th><th>Feature</th><th>Profile</th>'
            f'<th class="n">Seconds</th><th>Reason</th></tr>{"".join(rows)}</table>')


def render(report: dict, scenarios: list[dict], timelines: dict[str, dict], report_dir: Path = Path(".")) -> str:
    failures = [s for s in scenarios if s["status"] in FAILURES]
    with_timeline = [s for s in scenarios if s["status"] not in FAILURES and s["id"] in timelines]
    cards = {s["id"] for s in failures + with_timeline}
    sections = [("failures", f"Failed or could not run ({len(failures)})", failures),
                 ("scenarios", f"Every scenario ({len(scenarios)})", scenarios),
                 ("timelines", f"Timelines of the scenarios that passed ({len(with_timeline)})", with_timeline)]
    parts = [_header(report), '<p class="nav">' + " · ".join(f'<a href="#{key}">{title}</a>' for key, title, shown in sections
                                                            if shown) + "</p>"]
    if any(s["id"] in timelines for s in failures + with_timeline):
        parts.append(_legend())
    if failures:
        parts.append(f'<h2 id="failures">{sections[0][1]}</h2>')
        parts += [_card(s, timelines.get(s["id"]), i, report_dir) for i, s in enumerate(failures)]
    parts.append(f'<h2 id="scenarios">{sections[1][1]}</h2>{_table(scenarios, cards)}')
    if with_timeline:
        parts.append(f'<h2 id="timelines">{sections[2][1]}</h2>')
        parts += [_card(s, timelines[s["id"]], len(failures) + i, report_dir) for i, s in enumerate(with_timeline)]
    title = f"Conformance: {report['implementation']['name']} {report['implementation']['version']}"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>\n")


def write_html(report_dir: str | Path) -> Path:
    """Write `<report_dir>/index.html` from the report, the outcomes and the timelines found there."""
    report_dir = Path(report_dir)
    report = load_file(report_dir / REPORT_FILE)
    check(report, str(report_dir / REPORT_FILE))
    timelines = read_timelines(report_dir)
    path = report_dir / PAGE
    path.write_text(render(report, _scenarios(report_dir, timelines), timelines, report_dir), encoding="utf-8")
    return path
