"""`promotion-conformance report merge DIR...`: the report folders of the N shards of one run
(`run --shard K/N`, harness.shards) made one folder, as a single run would have written it: the
ConformanceReport built again from every shard's outcomes, scenarios.json, junit.xml with every
shard's test cases, the timelines and diagnostics, and index.html.

Shards merge only when they are the shards of one run: the same implementation and version, the
same provider, selection, timeouts and shard count, each shard once and none missing, and no
scenario in two of them. Anything else is refused with exit code 2, naming the folders that differ.
"""
from __future__ import annotations

import json
import shutil
import sys
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone
from pathlib import Path

import yaml

from harness import coverage
from harness.catalogue import entries
from harness.options import new_run_dir
from harness.paths import REPORTS
from harness.report.conformance import REPORT_FILE, SCENARIOS_FILE, build_report, write_report
from harness.report.html import write_html
from harness.report.outcome import Outcome

JUNIT_FILE = "junit.xml"
FOLDERS = ("timelines", "diagnostics")  # copied as they are: one file or folder per scenario


class MergeRefused(ValueError):
    """The folders are not the shards of one run; the message names what differs and where."""


def _read(folder: Path) -> tuple[dict, list[Outcome]]:
    try:
        report = yaml.safe_load((folder / REPORT_FILE).read_text())
        outcomes = [Outcome(**{**o, "observations": tuple(o.get("observations", ()))})
                    for o in json.loads((folder / SCENARIOS_FILE).read_text())]
    except (OSError, ValueError, TypeError, yaml.YAMLError) as error:
        raise MergeRefused(f"{folder}: not a report folder of a run ({REPORT_FILE} and {SCENARIOS_FILE}): {error}") from None
    if not isinstance(report, dict) or "shard" not in report:
        raise MergeRefused(f"{folder / REPORT_FILE}: not the report of a shard (no `shard`; was it run with --shard K/N?)")
    return report, outcomes


def _same(shards: list[tuple[Path, dict]], what: str, value) -> None:
    seen: dict[str, list[str]] = {}
    for folder, report in shards:
        seen.setdefault(json.dumps(value(report), sort_keys=True), []).append(str(folder))
    if len(seen) > 1:
        raise MergeRefused(f"the shards differ in {what}: " + "; ".join(f"{text} in {', '.join(folders)}"
                                                                      for text, folders in seen.items()))


def check_shards(shards: list[tuple[Path, dict]]) -> None:
    """Refuse folders that are not the N shards of one run."""
    _same(shards, "implementation", lambda r: {k: r["implementation"].get(k) for k in ("name", "version", "organization")})
    _same(shards, "provider", lambda r: r["provider"].get("name"))
    _same(shards, "mode", lambda r: r["mode"])
    _same(shards, "selection", lambda r: r["shard"]["selection"])
    _same(shards, "shard count", lambda r: r["shard"]["count"])
    _same(shards, "timeouts", lambda r: r["timeouts"])
    count = shards[0][1]["shard"]["count"]
    indexes = [r["shard"]["index"] for _, r in shards]
    twice = sorted({i for i in indexes if indexes.count(i) > 1})
    missing = sorted(set(range(1, count + 1)) - set(indexes))
    if twice:
        raise MergeRefused(f"shard(s) {', '.join(f'{i}/{count}' for i in twice)} given more than once")
    if missing:
        raise MergeRefused(f"shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing: a merged report must "
                           f"hold every shard of the run")


def merged_outcomes(shards: list[tuple[Path, list[Outcome]]]) -> list[Outcome]:
    where: dict[str, Path] = {}
    outcomes = []
    for folder, found in shards:
        for outcome in found:
            if outcome.id in where:
                raise MergeRefused(f"scenario {outcome.id} is in {where[outcome.id]} and in {folder}: shards of one "
                                   "run never share a scenario")
            where[outcome.id] = folder
            outcomes.append(outcome)
    return outcomes


def merge_junit(folders: list[Path], path: Path) -> None:
    """One junit.xml with every shard's test cases, in one test suite."""
    suite = ElementTree.Element("testsuite", name="promotion-conformance")
    for folder in folders:
        source = folder / JUNIT_FILE
        if source.is_file():
            suite.extend(ElementTree.parse(source).getroot().iter("testcase"))
    cases = list(suite)
    suite.set("tests", str(len(cases)))
    for kind, attribute in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(attribute, str(sum(case.find(kind) is not None for case in cases)))
    suite.set("time", f"{sum(float(case.get('time', 0)) for case in cases):.3f}")
    root = ElementTree.Element("testsuites")
    root.append(suite)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def merge(folders: list[Path], output: Path) -> Path:
    """Merge the shards' folders into `output`; return its ConformanceReport's path."""
    read = [(folder, *_read(folder)) for folder in folders]
    check_shards([(folder, report) for folder, report, _ in read])
    outcomes = merged_outcomes([(folder, found) for folder, _, found in read])
    first = read[0][1]
    claimed = {f for _, report, _ in read for profile in report["profiles"] for f in profile["features"]["claimed"]}
    report = build_report(
        outcomes, implementation=first["implementation"], provider=first["provider"], claimed_features=claimed,
        mode=first["mode"], interrupted=any(r["interrupted"] for _, r, _ in read),
        wall_seconds=max(r["timings"]["wallSeconds"] for _, r, _ in read), date=datetime.now(timezone.utc),
        rule_coverage=coverage.measure(entries()))
    report["timeouts"] = first["timeouts"]  # the same in every shard (check_shards)
    output.mkdir(parents=True, exist_ok=True)
    path = write_report(report, output, outcomes)
    for folder, _, _ in read:
        for name in FOLDERS:
            if (folder / name).is_dir():
                shutil.copytree(folder / name, output / name, dirs_exist_ok=True)
    merge_junit([folder for folder, _, _ in read], output / JUNIT_FILE)
    write_html(output)
    return path


def merge_command(folders: list[str], output: str | None) -> int:
    target = Path(output) if output else Path(new_run_dir(str(REPORTS)))
    try:
        path = merge([Path(f) for f in folders], target)
    except MergeRefused as refused:
        print(f"promotion-conformance report merge: {refused}", file=sys.stderr)
        return 2
    report = yaml.safe_load(path.read_text())
    for profile in report["profiles"]:
        print(f"{profile['name']}: {profile['result']} — {profile['summary']}")
    print(f"merged {len(folders)} shards into {target} ({REPORT_FILE}, {SCENARIOS_FILE}, {JUNIT_FILE}, index.html)")
    bad = any(p["statistics"]["failed"] or p["notRunTests"] for p in report["profiles"])
    return 1 if bad else 0
