"""Build the ConformanceReport from scenario outcomes, validate it, write it as YAML.

The report is the Gateway API model (a typed, versioned object; per profile a result, statistics,
failed and skipped tests, claimed features); its schema is schema/conformance-report.schema.json.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import yaml

from harness.profiles import FEATURES, PROFILES, profile_of
from harness.report.outcome import Outcome
from harness.report.validation import check

API_VERSION = "promotion-conformance.keptn.sh/v1alpha1"
REPORT_FILE = "conformance-report.yaml"
SCENARIOS_FILE = "scenarios.json"  # every outcome, for the HTML page (the report lists only failed and skipped)


def profile_result(passed: int, failed: int, skipped: int) -> str:
    """failure if any scenario failed; skipped if none ran; partial if some were skipped; else success."""
    if failed:
        return "failure"
    if not passed:
        return "skipped"
    if skipped:
        return "partial"
    return "success"


def _summary(profile: str, result: str, passed: int, failed: int, skipped: int, unclaimed: list[str]) -> str:
    total = passed + failed + skipped
    scenarios = f"{total} {profile} scenario{'s' * (total != 1)}"
    why_skipped = f" (features not claimed: {', '.join(unclaimed)})" if unclaimed and skipped else ""
    if result == "failure":
        return f"{failed} of {scenarios} failed, {passed} passed, {skipped} skipped{why_skipped}."
    if result == "skipped":
        return f"No {profile} scenario ran: {skipped} skipped{why_skipped}." if skipped else f"No {profile} scenario ran."
    if result == "partial":
        return f"{passed} of {scenarios} passed, {skipped} skipped{why_skipped}."
    return f"All {scenarios} passed."


def _profile_report(profile: str, outcomes: list[Outcome], claimed: set[str]) -> dict:
    counts = {status: sum(o.status == status for o in outcomes) for status in ("passed", "failed", "skipped")}
    result = profile_result(**counts)
    unclaimed = [feature for feature in PROFILES[profile] if feature not in claimed]
    return {
        "name": profile,
        "result": result,
        "summary": _summary(profile, result, **counts, unclaimed=unclaimed),
        "statistics": counts,
        "failedTests": [{"id": o.id, "reason": o.reason} for o in outcomes if o.status == "failed"],
        "skippedTests": [{"id": o.id, "reason": o.reason} for o in outcomes if o.status == "skipped"],
        "features": {"claimed": [f for f in PROFILES[profile] if f in claimed], "unclaimed": unclaimed},
    }


def _check_tags(outcomes: list[Outcome]) -> None:
    """Each scenario names a known feature and the profile that feature belongs to."""
    for outcome in outcomes:
        where = f"scenario {outcome.id} ({outcome.nodeid})"
        if outcome.feature not in FEATURES:
            raise ValueError(f"{where}: unknown conformance feature {outcome.feature!r}; known: {', '.join(sorted(FEATURES))}")
        if outcome.profile != FEATURES[outcome.feature]:
            raise ValueError(f"{where}: its profile tags say {outcome.profile!r} but its feature {outcome.feature} "
                             f"belongs to the {FEATURES[outcome.feature]!r} profile")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def build_report(
    outcomes: Iterable[Outcome],
    *,
    implementation: dict,
    provider: dict,
    claimed_features: Iterable[str] | None = None,
    mode: str = "default",
    interrupted: bool = False,
    wall_seconds: float = 0.0,
    date: datetime | None = None,
) -> dict:
    """The ConformanceReport of a run. `claimed_features` None means the implementation claims every
    feature of the catalogue (harness.profiles), as the reference implementation does."""
    outcomes = list(outcomes)
    _check_tags(outcomes)
    claimed = set(FEATURES if claimed_features is None else claimed_features)
    for feature in claimed:
        profile_of(feature)  # an unknown claimed feature is a mistake in the adapter file: say which
    return {
        "apiVersion": API_VERSION,
        "kind": "ConformanceReport",
        "date": rfc3339(date or datetime.now(timezone.utc)),
        "implementation": dict(implementation),
        "provider": dict(provider),
        "mode": mode,
        "interrupted": interrupted,
        "profiles": [
            _profile_report(profile, [o for o in outcomes if o.profile == profile], claimed) for profile in PROFILES
        ],
        "timings": {"wallSeconds": round(wall_seconds, 3)},
        "observations": [{"id": o.id, "observation": text} for o in outcomes for text in o.observations],
    }


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def write_report(report: dict, report_dir: str | Path, outcomes: Iterable[Outcome] = ()) -> Path:
    """Validate `report`, then write it to `<report_dir>/conformance-report.yaml` (and the outcomes
    to scenarios.json). An invalid report raises ReportInvalid and nothing is written."""
    check(report, "the report about to be written")
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    path = report_dir / REPORT_FILE
    _write_atomically(path, yaml.safe_dump(report, sort_keys=False, allow_unicode=True))
    _write_atomically(report_dir / SCENARIOS_FILE, json.dumps([o.as_dict() for o in outcomes], indent=1))
    return path
