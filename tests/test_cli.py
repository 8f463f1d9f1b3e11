"""What the command line tells a person: `run --help`, `list` and its filters and outputs, `cluster
down` without a name, and example IDs of an outline accepted by --scenarios and --skip."""
from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from harness.catalogue import entries, scenario_ids
from harness.cli import main
from harness.options import RunOptions
from harness.plugin.session_options import Carrier

pytest_plugins = ["pytester"]


def test_run_help_says_what_the_command_does_and_shows_every_default(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["run", "--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Run the conformance suite against an implementation" in text
    assert "Exit codes: 0 every claimed scenario passed; 1 a scenario failed or could not run; 2 a usage" in text
    for default in ("(default: auto)", "(default: reference)", "(default: all)", "(default: 1.0)",
                    "(default: reports/)", "(default: none)", "(default: as many as the machine's free cores and memory allow"):
        assert default in text, default


def test_cluster_down_help_names_its_default_and_an_unknown_name_lists_the_known_ones(capsys, monkeypatch):
    with pytest.raises(SystemExit):
        main(["cluster", "down", "--help"])
    assert "(default: promotion, the default of `cluster up`)" in " ".join(capsys.readouterr().out.split())

    class Entry:
        name, provider, owner_pid = "dev", "simulated", None

    monkeypatch.setattr("harness.clusters.registry.lookup", lambda name: None)
    monkeypatch.setattr("harness.clusters.registry.all_records", lambda say: [Entry()])
    assert main(["cluster", "down"]) == 2
    assert "no cluster named 'promotion' was created by the harness (clusters it knows: dev); pass --name" in capsys.readouterr().err


def test_list_expands_an_outline_into_one_line_per_example_as_the_reports_name_it(capsys):
    assert main(["list", "--features", "PromotionParallelism"]) == 0
    lines = capsys.readouterr().out.splitlines()
    outline = [line for line in lines if line.startswith("PromotionTasksRunInParallel")]
    assert [line.split()[0] for line in outline] == ["PromotionTasksRunInParallel[2-listed]",
                                                     "PromotionTasksRunInParallel[5-reversed]",
                                                     "PromotionTasksRunInParallel[10-listed]"]
    assert outline[0].endswith("2 promotion tasks of 5 s run in parallel")
    assert not any("<" in line for line in lines)


def test_list_filters_by_profile_and_prints_json_or_ids(capsys):
    assert main(["list", "--profile", "extended", "--output", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert runs and {run["profile"] for run in runs} == {"extended"}
    assert set(runs[0]) == {"id", "scenario", "feature", "profile", "title", "file", "line", "exclusive", "rules"}
    assert main(["list", "-o", "ids"]) == 0
    ids = capsys.readouterr().out.split()
    assert len(ids) == sum(len(e.runs()) for e in entries()) and "PromotionTasksRunInParallel[10-listed]" in ids
    assert main(["list", "--features", "NoSuchFeature"]) == 2
    assert "unknown conformance feature(s) NoSuchFeature" in capsys.readouterr().err


def test_the_ids_list_prints_are_the_ids_scenarios_and_skip_accept(capsys):
    assert main(["list", "-o", "ids"]) == 0
    assert set(capsys.readouterr().out.split()) <= scenario_ids()


OUTLINE = textwrap.dedent("""
    Feature: Parallel
      @id:TasksInParallel @feature:PromotionParallelism @core
      Scenario Outline: <count> tasks run in parallel
        Given <count> tasks

        Examples:
          | count |
          | 2     |
          | 10    |
""")
STEPS = textwrap.dedent("""
    from pytest_bdd import given, parsers, scenarios
    scenarios("parallel.feature")

    @given(parsers.parse("{count:d} tasks"))
    def tasks(count):
        pass
""")


@pytest.mark.parametrize(("selection", "ran", "skipped"), [
    ({"skip": ("TasksInParallel[10]",)}, ["TasksInParallel[2]"], {"TasksInParallel[10]": "skipped on request (--skip)"}),
    ({"scenarios": ("TasksInParallel[10]",)}, ["TasksInParallel[10]"], {"TasksInParallel[2]": "not selected (--scenarios)"}),
    ({"skip": ("TasksInParallel",)}, [], {"TasksInParallel[2]": "skipped on request (--skip)",
                                          "TasksInParallel[10]": "skipped on request (--skip)"}),
])
def test_one_example_of_an_outline_can_be_selected_or_skipped_by_its_id(pytester, tmp_path, selection, ran, skipped):
    pytester.makefile(".feature", parallel=OUTLINE)
    pytester.makepyfile(test_parallel=STEPS)
    options = RunOptions(provider="simulated", report_dir=str(tmp_path / "reports"), **selection)
    pytester.runpytest("-p", "harness.plugin", "-p", "no:cacheprovider", plugins=[Carrier(options)])
    (run_dir,) = (tmp_path / "reports").iterdir()
    outcomes = json.loads((run_dir / "scenarios.json").read_text())
    assert sorted(o["id"] for o in outcomes if o["status"] == "passed") == sorted(ran)
    assert {o["id"]: o["reason"].removeprefix(o["id"] + " ") for o in outcomes if o["status"] == "skipped"} == skipped
    assert yaml.safe_load((run_dir / "conformance-report.yaml").read_text())["profiles"][0]["statistics"]["passed"] == len(ran)
