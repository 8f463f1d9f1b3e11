"""Shards of a run (`run --shard K/N`) and their merge (`report merge`): every scenario in exactly
one shard, the same split on every machine, balanced by recorded durations; and a merge that
equals a single run, refusing folders that are not the shards of one run."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from harness import shards
from harness.options import RunOptions, check
from harness.report.conformance import build_report, write_report
from harness.report.merge import MergeRefused, merge
from harness.report.outcome import Outcome
from harness.validated_yaml import ConfigError

SECONDS = {"A": 100.0, "B": 90.0, "C": 40.0, "D": 30.0, "E": 20.0, "F": 10.0, "G[2-listed]": 5.0}


# -- the split ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "2/0", " /4"])
def test_a_shard_that_is_not_K_of_N_is_refused_naming_the_option(text):
    with pytest.raises(ConfigError, match=r"--shard: .* is not a shard; expected K/N"):
        shards.parse(text)


def test_every_scenario_is_in_exactly_one_shard_and_the_split_does_not_depend_on_order():
    ids = list(SECONDS)
    split = shards.assign(ids, SECONDS, 3)
    assert sorted(i for shard in split for i in shard) == sorted(ids)
    assert shards.assign(list(reversed(ids)), SECONDS, 3) == split


def test_the_split_is_balanced_by_the_recorded_durations():
    split = shards.assign(list(SECONDS), SECONDS, 2)
    totals = sorted(sum(SECONDS[i] for i in shard) for shard in split)
    assert totals == [145.0, 150.0]  # longest first, each into the lighter shard: A+D+E+G / B+C+F
    assert shards.members(shards.Shard(1, 2), list(SECONDS), SECONDS) == set(split[0])


def test_a_scenario_without_a_recorded_duration_counts_as_the_median():
    split = shards.assign(["A", "new-1", "new-2", "F"], {"A": 100.0, "F": 10.0}, 2)
    assert split == [["A", "F"], ["new-1", "new-2"]]  # the new ones weigh 55 s each: 110 s per shard


def test_durations_come_from_a_runs_scenarios_json_or_a_map_and_nothing_else(tmp_path):
    (tmp_path / "scenarios.json").write_text(json.dumps([{"id": "A", "duration": 3.5, "status": "passed"}]))
    (tmp_path / "map.json").write_text(json.dumps({"A": 2}))
    (tmp_path / "bad.json").write_text(json.dumps({"A": "slow"}))
    assert shards.durations(tmp_path / "scenarios.json") == {"A": 3.5}
    assert shards.durations(tmp_path / "map.json") == {"A": 2.0}
    with pytest.raises(ConfigError, match=r"--shard-durations: .*bad.json: expected a run's scenarios.json"):
        shards.durations(tmp_path / "bad.json")
    with pytest.raises(ConfigError, match=r"--shard-durations: .*missing.json: cannot be read"):
        shards.durations(tmp_path / "missing.json")


def test_durations_without_a_shard_are_refused():
    with pytest.raises(ConfigError, match="--shard-durations balances shards: it goes with --shard K/N"):
        check(RunOptions(shard_durations="x.json"))
    with pytest.raises(ConfigError, match="--shard: '3/2' is not a shard"):
        check(RunOptions(shard="3/2"))


# -- the merge ------------------------------------------------------------------------------------


def outcome(scenario_id: str, status: str = "passed", feature: str = "PromotionOrdering", profile: str = "core") -> Outcome:
    return Outcome(scenario_id, feature, profile, status, "" if status == "passed" else "why", 2.0, f"steps::{scenario_id}")


OUTCOMES = [outcome("PromotionRunsAfterPostDeployment"), outcome("EmptyPromotionTasksSucceed", "failed"),
            outcome("PromotionTaskTimeout", feature="PromotionRetriesAndTimeouts", profile="extended"),
            outcome("ExactlyOnceWithTwoReplicas", "unsupported", "PromotionExactlyOnce", "extended")]
CLAIMED = ["PromotionOrdering", "PromotionRetriesAndTimeouts"]


def write_shard(folder: Path, index: int, count: int, outcomes: list[Outcome], implementation: str = "sample",
                selection: dict | None = None) -> Path:
    report = build_report(outcomes, implementation={"name": implementation, "version": "1.0", "organization": "t"},
                          provider={"name": "simulated"}, claimed_features=CLAIMED,
                          date=datetime(2026, 12, 7, tzinfo=timezone.utc),
                          shard={"index": index, "count": count, "selection": selection or {"profile": "all"}})
    write_report(report, folder, outcomes)
    cases = "".join(f'<testcase classname="{o.feature}" name="{o.id}" time="2.0">'
                    + ("<failure message='why'/>" if o.status == "failed" else "") + "</testcase>" for o in outcomes)
    (folder / "junit.xml").write_text(f'<testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>')
    (folder / "timelines").mkdir()
    (folder / "timelines" / f"{outcomes[0].id}.json").write_text(json.dumps({"scenario": outcomes[0].id, "bars": []}))
    return folder


def test_the_merged_report_is_the_report_of_a_single_run_of_every_shards_scenarios(tmp_path):
    folders = [write_shard(tmp_path / "s1", 1, 2, OUTCOMES[:2]), write_shard(tmp_path / "s2", 2, 2, OUTCOMES[2:])]
    merged = yaml.safe_load(merge(folders, tmp_path / "merged").read_text())
    single = build_report(OUTCOMES, implementation={"name": "sample", "version": "1.0", "organization": "t"},
                          provider={"name": "simulated"}, claimed_features=CLAIMED)
    assert merged["profiles"] == single["profiles"]
    assert "shard" not in merged and merged["ruleCoverage"]["rules"]
    assert sorted(o["id"] for o in json.loads((tmp_path / "merged" / "scenarios.json").read_text())) == sorted(
        o.id for o in OUTCOMES)
    suite = ElementTree.parse(tmp_path / "merged" / "junit.xml").getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("4", "1")
    assert {p.name for p in (tmp_path / "merged" / "timelines").iterdir()} == {
        "PromotionRunsAfterPostDeployment.json", "PromotionTaskTimeout.json"}
    assert (tmp_path / "merged" / "index.html").is_file()


@pytest.mark.parametrize("shape, refused", [
    ({"implementation": "other"}, r"the shards differ in implementation: .*other"),
    ({"selection": {"profile": "core"}}, r"the shards differ in selection"),
    ({"index": 1}, r"shard\(s\) 1/2 given more than once"),
    ({"count": 3}, r"the shards differ in shard count"),
    ({"same_scenario": True}, r"scenario PromotionRunsAfterPostDeployment is in .*s1 and in .*s2"),
])
def test_folders_that_are_not_the_shards_of_one_run_are_refused(tmp_path, shape, refused):
    first = write_shard(tmp_path / "s1", 1, 2, OUTCOMES[:2])
    second = write_shard(tmp_path / "s2", shape.get("index", 2), shape.get("count", 2),
                         OUTCOMES[:1] if shape.get("same_scenario") else OUTCOMES[2:],
                         shape.get("implementation", "sample"), shape.get("selection"))
    with pytest.raises(MergeRefused, match=refused):
        merge([first, second], tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_a_missing_shard_or_a_folder_of_an_unsharded_run_is_refused(tmp_path):
    first = write_shard(tmp_path / "s1", 1, 3, OUTCOMES[:2])
    with pytest.raises(MergeRefused, match=r"shard\(s\) 2/3, 3/3 missing"):
        merge([first], tmp_path / "merged")
    plain = tmp_path / "plain"
    write_report(build_report(OUTCOMES, implementation={"name": "s", "version": "1", "organization": "t"},
                              provider={"name": "simulated"}), plain, OUTCOMES)
    with pytest.raises(MergeRefused, match=r"not the report of a shard"):
        merge([plain], tmp_path / "merged")
