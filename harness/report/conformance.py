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

from harness.coverage import RuleCoverage, report_section
from harness.profiles import FEATURES, PROFILES, profile_of
from harness.report.outcome import STATUSES, Outcome
from harness.report.validation import check
from harness.report.verdict import profile_result
from harness.timeouts import Timeouts

API_VERSION = "promotion-conformance.keptn.sh/v1alpha1"
REPORT_FILE = "conformance-report.yaml"
SCENARIOS_FILE = "scenarios.json"  # every outcome, for the HTML page (the report lists only failed and skipped)


_NOT_RUN = {"skipped": "left out on request", "unsupported": "not claimed", "notApplicable": "not applicable here",
            "notRun": "could not run"}


def _summary(profile: str, result: str, counts: dict[str, int], unclaimed: list[str], interrupted: bool) -> str:
    total = sum(counts.values())
    scenarios = f"{total} {profile} scenario{'s' * (total != 1)}"
    others = ", ".join(f"{counts[status]} {words}" for status, words in _NOT_RUN.items() if counts[status])
    why_unclaimed = f" (features not claimed: {', '.join(unclaimed)})" if unclaimed and counts["unsupported"] else ""
    cut = " The run was interrupted: scenarios it had not reached are not counted." if interrupted else ""
    if result == "failure":
        return f"{counts['failed']} of {scenarios} failed, {counts['passed']} passed{', ' + others if others else ''}{why_unclaimed}.{cut}"
    if result == "skipped":
        return (f"No {profile} scenario ran: {others}{why_unclaimed}." if others else f"No {profile} scenario ran.") + cut
    if result == "partial":
        return f"{counts['passed']} of {scenarios} passed{', ' + others if others else ''}{why_unclaimed}.{cut}"
    return f"All {scenarios} passed."


def _profile_report(profile: str, outcomes: list[Outcome], claimed: set[str], interrupted: bool) -> dict:
    counts = {status: sum(o.status == status for o in outcomes) for status in STATUSES}
    result = profile_result(**counts, interrupted=interrupted)
    unclaimed = [feature for feature in PROFILES[profile] if feature not in claimed]
    return {
        "name": profile,
        "result": result,
        "summary": _summary(profile, result, counts, unclaimed, interrupted),
        "statistics": counts,
        "failedTests": _tests(outcomes, "failed"),
        "skippedTests": _tests(outcomes, "skipped"),
        "notRunTests": _tests(outcomes, "notRun"),
        "notApplicableTests": _tests(outcomes, "notApplicable"),
        "unsupportedTests": _tests(outcomes, "unsupported"),
        "features": {"claimed": [f for f in PROFILES[profile] if f in claimed], "unclaimed": unclaimed},
    }


def _tests(outcomes: list[Outcome], status: str) -> list[dict]:
    return [{"id": o.id, "reason": o.reason} for o in outcomes if o.status == status]


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
    timeouts: Timeouts = Timeouts(),
    timeout_scale: float = 1.0,
    rule_coverage: list[RuleCoverage] | None = None,
    shard: dict | None = None,
) -> dict:
    """The ConformanceReport of a run. `claimed_features` None means the implementation claims every
    feature of the catalogue (harness.profiles), as the reference implementation does.
    `rule_coverage` (harness.coverage.measure) adds what the run's scenarios did per contract rule;
    `shard` ({index, count, selection}) marks the report of one shard of a sharded run."""
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
        **({"shard": shard} if shard else {}),
        "interrupted": interrupted,
        "profiles": [
            _profile_report(profile, [o for o in outcomes if o.profile == profile], claimed, interrupted)
            for profile in PROFILES
        ],
        "timings": {"wallSeconds": round(wall_seconds, 3)},
        "timeouts": {"scale": timeout_scale, "seconds": timeouts.as_camel_case()},
        **({"ruleCoverage": report_section(rule_coverage, outcomes)} if rule_coverage is not None else {}),
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
