"""Timelines of a scenario: what ran when, as bars, for the HTML report.

File format (written by the step library, one file per scenario, `<report dir>/timelines/<scenario-id>.json`;
use `write_timeline`):

    {
      "scenario": "PromotionTasksRunInParallel",        # the scenario ID
      "status": "passed",                               # optional: passed | failed | skipped
      "recordedAt": "2025-01-02T03:04:15Z",             # optional: when the objects were read; bars
                                                        #   still running end here (default: the latest time seen)
      "bars": [
        {"row": "KeptnAppVersion app-0.1.0-6b86b273 / PromotionTasks",
         "group": "phase",                              # phase | evaluation | task | job
         "start": "2025-01-02T03:04:05.123Z",           # RFC3339, fractional seconds optional
         "end": "2025-01-02T03:04:09Z",                 # null while still running (the key is required)
         "status": "Succeeded",                         # a KeptnState (Pending, Progressing, Succeeded,
                                                        #   Failed, Unknown, Deprecated, Warning)
         "detail": "tooltip text"}                      # optional
      ]
    }

Rows are drawn in the order they first appear; bars of one row that overlap in time are stacked
in extra lanes. `bars_from_watch` makes the bars from what a scenario's watch saw, on the harness's
clock (harness.report.bars).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jsonschema

TIMELINE_DIR = "timelines"
GROUPS = ("phase", "evaluation", "task", "job")

_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
TIMELINE_SCHEMA = {
    "type": "object",
    "required": ["scenario", "bars"],
    "properties": {
        "scenario": {"type": "string", "minLength": 1},
        "status": {"enum": ["passed", "failed", "skipped"]},
        "recordedAt": _TIME,
        "bars": {"type": "array", "items": {
            "type": "object",
            "required": ["row", "group", "start", "end", "status"],
            "properties": {
                "row": {"type": "string", "minLength": 1},
                "group": {"enum": list(GROUPS)},
                "start": _TIME,
                "end": {"anyOf": [_TIME, {"type": "null"}]},
                "status": {"type": "string", "minLength": 1},
                "detail": {"type": "string"},
            },
        }},
    },
}


def parse_time(value: str, where: str) -> datetime:
    """An RFC3339 timestamp (`Z` or an offset, fractional seconds optional); `where` names the field."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected an RFC3339 timestamp such as 2025-01-02T03:04:05Z, got {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{where}: {value!r} has no time zone; expected `Z` or an offset")
    return moment


# --- files ---------------------------------------------------------------------------------------

def write_timeline(report_dir: str | Path, scenario: str, bars: list[dict], status: str | None = None,
                   recorded_at: str | None = None) -> Path:
    """Write `timelines/<scenario>.json` after checking it against the format above."""
    timeline = {"scenario": scenario, "bars": bars}
    if status:
        timeline["status"] = status
    if recorded_at:
        timeline["recordedAt"] = recorded_at
    _check(timeline, f"timeline of {scenario}")
    path = Path(report_dir) / TIMELINE_DIR / f"{scenario}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(timeline, indent=1))
    return path


def _check(timeline: object, what: str) -> None:
    errors = sorted(jsonschema.Draft202012Validator(TIMELINE_SCHEMA).iter_errors(timeline), key=lambda e: e.json_path)
    if errors:
        raise ValueError(f"{what} is not a valid timeline: " + "; ".join(f"{e.json_path}: {e.message}" for e in errors))


def read_timelines(report_dir: str | Path) -> dict[str, dict]:
    """Every timeline of the report dir, by scenario ID."""
    timelines = {}
    for path in sorted((Path(report_dir) / TIMELINE_DIR).glob("*.json")):
        try:
            timeline = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not a readable JSON timeline: {exc}") from None
        _check(timeline, str(path))
        timelines[timeline["scenario"]] = timeline
    return timelines


# --- layout --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    """A bar on the axis: seconds from the timeline's origin; `running` bars end at the horizon."""
    bar: dict
    start: float
    end: float
    running: bool


@dataclass
class Row:
    label: str
    group: str
    lanes: list[list[Placed]] = field(default_factory=list)

    def place(self, placed: Placed) -> None:
        """Into the first lane where it overlaps nothing, else a new lane below."""
        for lane in self.lanes:
            if lane[-1].end <= placed.start:
                lane.append(placed)
                return
        self.lanes.append([placed])


def layout(timeline: dict) -> tuple[list[Row], float]:
    """The rows (in first-appearance order, overlapping bars of a row in separate lanes) and the
    span in seconds. Time 0 is the earliest start."""
    what = f"timeline of {timeline['scenario']}"
    bars = timeline["bars"]
    if not bars:
        return [], 0.0
    starts = [parse_time(bar["start"], f"{what}: bars[{i}].start") for i, bar in enumerate(bars)]
    ends = [parse_time(bar["end"], f"{what}: bars[{i}].end") if bar["end"] else None for i, bar in enumerate(bars)]
    origin = min(starts)
    horizon = (parse_time(timeline["recordedAt"], f"{what}: recordedAt") if timeline.get("recordedAt")
               else max(starts + [end for end in ends if end]))
    rows: dict[str, Row] = {}
    order = sorted(range(len(bars)), key=lambda i: starts[i])
    for i in order:
        row = rows.setdefault(bars[i]["row"], Row(bars[i]["row"], bars[i]["group"]))
        end = ends[i] or max(horizon, starts[i])
        row.place(Placed(bars[i], (starts[i] - origin).total_seconds(), (end - origin).total_seconds(), ends[i] is None))
    first_seen = {bar["row"]: i for i, bar in reversed(list(enumerate(bars)))}
    ordered = sorted(rows.values(), key=lambda row: first_seen[row.label])
    return ordered, max(placed.end for row in ordered for lane in row.lanes for placed in lane)
