"""Draw one scenario's timeline as an inline SVG: a label column, a time axis in seconds, one
line per lane, a bar per phase, task, Job or evaluation, coloured by its Keptn state.

Hand-written: what is needed is a few dozen rects and lines, which no plotting library produces
without JavaScript or a heavy dependency.
"""
from __future__ import annotations

from html import escape

from harness.report.timeline import Placed, Row, layout

# KeptnState → fill colour. Deprecated, Pending and Unknown are the same grey: nothing ran.
COLOURS = {
    "Succeeded": "#2e9d4f",
    "Failed": "#d6393a",
    "Warning": "#e8a317",
    "Progressing": "#3b7dd8",
    "Pending": "#9aa0a6",
    "Deprecated": "#9aa0a6",
    "Unknown": "#9aa0a6",
}
GREY = COLOURS["Pending"]
LANE = 20  # height of one lane, px
BAR = 14  # height of a bar inside its lane
AXIS = 26  # height of the time axis above the lanes
CHART = 760  # width of the time area
CHAR = 7.0  # width of one label character at 11.5px monospace
NICE_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
MAX_LABEL = 64  # characters; longer labels are cut, the full one is in the tooltip


def tick_step(span: float, most: int = 10) -> float:
    """The smallest round step that puts at most `most` ticks on `span` seconds."""
    return next((step for step in NICE_STEPS if span / step <= most), NICE_STEPS[-1])


def _seconds(value: float) -> str:
    return f"{value:g}s" if value < 120 else f"{value / 60:g}m"


def _hatch_id(status: str, uid: str) -> str:
    return f"run-{uid}-{status if status in COLOURS else 'other'}"


def _defs(uid: str) -> str:
    patterns = "".join(
        f'<pattern id="{_hatch_id(status, uid)}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{colour}" fill-opacity="0.35"/><rect width="3" height="6" fill="{colour}"/></pattern>'
        for status, colour in [*COLOURS.items(), ("other", GREY)]
    )
    return f"<defs>{patterns}</defs>"


def _bar(placed: Placed, x0: float, scale: float, y: float, uid: str) -> str:
    status = placed.bar["status"]
    colour = COLOURS.get(status, GREY)
    x = x0 + placed.start * scale
    width = max((placed.end - placed.start) * scale, 2.0)  # an instant still shows
    fill = f"url(#{_hatch_id(status, uid)})" if placed.running else colour
    duration = f"{placed.end - placed.start:.1f}s" + (", still running" if placed.running else "")
    tooltip = escape(f"{placed.bar.get('detail') or placed.bar['row']}\n{status}, {_seconds(round(placed.start, 1))} → +{duration}")
    parts = [f'<rect class="bar {escape(placed.bar["group"])}" data-status="{escape(status)}" x="{x:.1f}" y="{y:.1f}" '
             f'width="{width:.1f}" height="{BAR}" rx="2" fill="{fill}" stroke="{colour}"><title>{tooltip}</title></rect>']
    if status == "Failed":
        parts.append(f'<text class="failed-mark" x="{x + width + 3:.1f}" y="{y + BAR - 3:.1f}" fill="{colour}">✕</text>')
    return "".join(parts)


def _shown(row: Row) -> tuple[str, int]:
    """The label as drawn and its indent: a Job sits under its KeptnTask, a phase (`KeptnAppVersion
    x / PromotionTasks`) under its version, named by the phase alone."""
    if row.group == "phase" and " / " in row.label:
        return row.label.rsplit(" / ", 1)[1], 2
    return row.label, 2 if row.group == "job" else 0


def _label(row: Row, y: float) -> str:
    shown, indent = _shown(row)
    text = shown if len(shown) <= MAX_LABEL else shown[: MAX_LABEL - 1] + "…"
    css = "phase-item" if indent and row.group == "phase" else row.group
    return (f'<text class="label {css}" x="{6 + indent * CHAR:.0f}" y="{y + BAR - 3:.1f}"><title>{escape(row.label)}</title>'
            f"{escape(text)}</text>")


def timeline_svg(timeline: dict, uid: str) -> str:
    """The SVG of one timeline; `uid` keeps its pattern ids apart from other SVGs of the page."""
    rows, span = layout(timeline)
    if not rows:
        return '<p class="muted">The timeline has no bars.</p>'
    label_width = 24 + CHAR * min(MAX_LABEL + 2, max(len(shown) + indent for shown, indent in map(_shown, rows)))
    span = max(span, 1.0)
    step = tick_step(span)
    scale = CHART / (span * 1.04)  # a little room right of the last bar for a ✕
    lanes = sum(len(row.lanes) for row in rows)
    height = AXIS + lanes * LANE + 6
    width = label_width + CHART + 16
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width:.0f}" height="{height}" '
           f'viewBox="0 0 {width:.0f} {height}" role="img" aria-label="timeline of {escape(timeline["scenario"])}">', _defs(uid)]
    bands, content, y = [], [], AXIS
    for index, row in enumerate(rows):
        band = len(row.lanes) * LANE
        if index % 2:
            bands.append(f'<rect class="band" x="0" y="{y}" width="{width:.0f}" height="{band}"/>')
        content.append(_label(row, y + (LANE - BAR) / 2))
        for lane_index, lane in enumerate(row.lanes):
            content.extend(_bar(placed, label_width, scale, y + lane_index * LANE + (LANE - BAR) / 2, uid) for placed in lane)
        y += band
    grid = []
    for tick in (i * step for i in range(int(span * 1.04 / step) + 1)):
        x = label_width + tick * scale
        grid.append(f'<line class="grid" x1="{x:.1f}" y1="{AXIS - 4}" x2="{x:.1f}" y2="{height - 4}"/>'
                    f'<text class="tick" x="{x:.1f}" y="{AXIS - 8}">{_seconds(round(tick, 1))}</text>')
    out.extend(bands + grid + content)
    out.append("</svg>")
    return "".join(out)
