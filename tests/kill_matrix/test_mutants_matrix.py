"""The kill matrix (tests/mutants): what matrix.yaml may say, and the verdicts on a run's outcomes.

Every verdict is shown failing on the input it exists to refuse: a mutant no killer caught
survived, a sentinel that failed is an unexpected failure, a variant that fails is one too.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.implementations import adapter as adapters
from harness.contract import rules
from mutants import adapters as mutant_adapters
from mutants import compose, matrix, matrix_report
from mutants.matrix import (FAIL, KILLED, MUTANT, NOT_RUN, PARTLY_KILLED, PASS, PASSED, REFERENCE, SURVIVED,
                            UNEXPECTED, UNFAIR, VARIANT, Entry)

KNOWN = {"Kills", "AlsoKills", "Sentinel", "Other"}
RULES = {"C0.1"}


def outcome(scenario: str, status: str, reason: str = "") -> dict:
    return {"id": scenario, "status": status, "reason": reason}


def mutant(**expected: str) -> Entry:
    return Entry("m", MUTANT, Path(), "C0.1", expected, change="m:install")


def variant(unfair: dict | None = None, **expected: str) -> Entry:
    return Entry("v", VARIANT, Path("v.yaml"), "", expected, unfair or {})


# -- the matrix of this repository ------------------------------------------------------------------


def test_the_matrix_names_at_least_14_mutants_each_naming_the_rule_it_breaks_and_a_variant():
    entries = matrix.load()
    mutants = [e for e in entries if e.kind == MUTANT]
    assert len(mutants) >= 14
    assert all(e.rule in rules.by_id() and FAIL in e.expected.values() for e in mutants)
    assert any(e.kind == VARIANT for e in entries)
    reference = entries[-1]
    assert reference.kind == REFERENCE
    assert set(reference.expected) == {i for e in entries[:-1] for i in e.expected}
    assert set(reference.expected.values()) == {PASS}


def test_the_ci_subset_runs_the_reference_on_the_scenarios_of_its_entries_only():
    entries = matrix.ci_subset(matrix.load())
    chosen, reference = entries[:-1], entries[-1]
    assert chosen and all(e.ci for e in chosen)
    assert set(reference.expected) == {i for e in chosen for i in e.expected}


def test_every_mutant_runs_like_the_reference_but_for_its_change_and_its_neutral_name(tmp_path):
    """A mutant's generated adapter differs from the reference's only where it must: the same env
    (lease timings included), install and features, so that a kill is the broken rule's doing."""
    reference = adapters.load(matrix.REFERENCE_ADAPTER).spec
    for entry in (e for e in matrix.load() if e.kind == MUTANT):
        adapter = adapters.load(mutant_adapters.write(entry.name, entry.change, entry.crd_change, tmp_path / entry.name))
        spec = dict(adapter.spec)
        command = spec["run"]["command"]
        if entry.change:
            assert command[1].endswith("launch.py") and command[2] == f"mutants.{entry.change}", entry.name
            assert command[3:] == reference["run"]["command"][3:], entry.name
        else:
            assert command == reference["run"]["command"] and spec["install"]["crds"] == ["{adapter_dir}/crds"], entry.name
        assert {**spec, "run": {**spec["run"], "command": None}, "install": None, "implementation": None} == {
            **reference, "run": {**reference["run"], "command": None}, "install": None, "implementation": None}, entry.name
        assert adapter.name == "promotion-controller"


def test_every_mutant_and_variant_installs_against_the_reference_as_it_is_now():
    """Each install() replaces names the reference has (compose refuses others), in a fresh process."""
    changes = [f"mutants.{e.change}" for e in matrix.load() if e.kind == MUTANT and e.change] + ["mutants.variants.polling:install"]
    script = ("import importlib, sys\nfor change in sys.argv[1:]:\n    module, function = change.split(':')\n"
              "    getattr(importlib.import_module(module), function)()\n")
    tests = Path(__file__).parents[1]
    done = subprocess.run([sys.executable, "-c", script, *changes], cwd=tests, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tests), "PATH": ""})
    assert done.returncode == 0, done.stderr


# -- what matrix.yaml may say ---------------------------------------------------------------------


def write_matrix(folder: Path, text: str) -> Path:
    (folder / "m.py").write_text('"""Breaks rule C0.1."""\n')
    path = folder / "matrix.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_matrix_entry_is_loaded_with_its_rule_killers_and_sentinels(tmp_path):
    path = write_matrix(tmp_path, """\
        mutants:
          - name: m
            breaks: C0.1
            kills: [Kills]
            sentinels: [Sentinel]
        variants: []
        """)
    m, reference = matrix.load(path, KNOWN, RULES)
    assert (m.rule, m.change, m.expected) == ("C0.1", "m:install", {"Kills": FAIL, "Sentinel": PASS})
    assert reference.expected == {"Kills": PASS, "Sentinel": PASS}


@pytest.mark.parametrize("text, error", [
    ("mutants:\n  - name: m\n    breaks: C0.1\n    kills: [Nope]\n    sentinels: []\nvariants: []\n",
     r"matrix.yaml:4: field mutants.0.kills: unknown scenario ID\(s\) Nope"),
    ("mutants:\n  - name: m\n    breaks: C0.1\n    kills: []\n    sentinels: []\nvariants: []\n",
     r"matrix.yaml:4: field mutants.0.kills: \[\] should be non-empty"),
    ("mutants:\n  - name: m\n    breaks: C0.1\n    kills: [Kills]\n    sentinels: [Kills]\nvariants: []\n",
     r"matrix.yaml:5: field mutants.0.sentinels: Kills cannot both kill m and be passed by it"),
    ("mutants:\n  - name: gone\n    breaks: C0.1\n    kills: [Kills]\n    sentinels: []\nvariants: []\n",
     r"matrix.yaml:2: field mutants.0.name: mutant gone needs tests/mutants/gone.py"),
    ("mutants:\n  - name: m\n    breaks: C9.9\n    kills: [Kills]\n    sentinels: []\nvariants: []\n",
     r"matrix.yaml:3: field mutants.0.breaks: unknown rule C9.9"),
    ("mutants:\n  - name: m\n    kills: [Kills]\n    sentinels: []\nvariants: []\n",
     r"matrix.yaml:2: field mutants.0: 'breaks' is a required property"),
    ("mutants:\n  - name: m\n    breaks: C0.1\n    kills: [Kills]\n    sentinels: []\nvariants:\n  - name: v\n    adapter: m.py\n"
     "    passes: [Other]\n    unfairJudges: {Kills: why}\n",
     r"matrix.yaml:10: field variants.0.unfairJudges: Kills: not among the scenarios it runs"),
])
def test_a_matrix_that_says_something_impossible_is_refused_naming_the_line_and_field(tmp_path, text, error):
    path = write_matrix(tmp_path, text)
    with pytest.raises(matrix.MatrixError, match=error):
        matrix.load(path, KNOWN, RULES)


# -- verdicts on a mutant -------------------------------------------------------------------------


def test_a_mutant_is_killed_when_every_killer_failed_and_every_sentinel_passed():
    found = matrix.verdict(mutant(Kills=FAIL, AlsoKills=FAIL, Sentinel=PASS),
                           [outcome("Kills", "failed", "x"), outcome("AlsoKills", "failed"), outcome("Sentinel", "passed")])
    assert (found.verdict, found.good, found.problems) == (KILLED, True, ())
    assert all(cell.matches for cell in found.cells)


def test_a_mutant_no_killer_caught_survived():
    found = matrix.verdict(mutant(Kills=FAIL, AlsoKills=FAIL, Sentinel=PASS),
                           [outcome("Kills", "passed"), outcome("AlsoKills", "passed"), outcome("Sentinel", "passed")])
    assert (found.verdict, found.good) == (SURVIVED, False)
    assert found.problems == ("no killer failed: Kills, AlsoKills passed",)


def test_a_sentinel_that_failed_is_an_unexpected_failure_even_when_the_mutant_was_killed():
    found = matrix.verdict(mutant(Kills=FAIL, Sentinel=PASS),
                           [outcome("Kills", "failed"), outcome("Sentinel", "failed", "the version never completed")])
    assert (found.verdict, found.good) == (UNEXPECTED, False)
    assert found.problems == ("sentinel Sentinel failed: the version never completed",)


def test_a_killer_that_passed_while_another_failed_leaves_the_mutant_partly_killed():
    found = matrix.verdict(mutant(Kills=FAIL, AlsoKills=FAIL), [outcome("Kills", "failed"), outcome("AlsoKills", "passed")])
    assert (found.verdict, found.good) == (PARTLY_KILLED, False)
    assert [c.matches for c in found.cells] == [True, False]


@pytest.mark.parametrize("status", ["skipped", "notRun", "notApplicable", "unsupported", None])
def test_a_scenario_that_did_not_run_gives_no_verdict(status):
    outcomes = [outcome("Kills", "failed")] + ([outcome("Sentinel", status, "why")] if status else [])
    found = matrix.verdict(mutant(Kills=FAIL, Sentinel=PASS), outcomes)
    assert (found.verdict, found.good) == (NOT_RUN, False)
    assert found.problems[0].startswith("Sentinel did not run")


def test_the_examples_of_an_outline_count_as_one_scenario_failed_when_one_example_failed():
    seen = matrix.observed([outcome("Kills[2-listed]", "passed"), outcome("Kills[10-listed]", "failed", "late"),
                            outcome("Sentinel[a]", "passed"), outcome("Sentinel[b]", "passed")])
    assert seen == {"Kills": ("failed", "Kills[10-listed]: late"), "Sentinel": ("passed", "")}
    assert matrix.verdict(mutant(Kills=FAIL, Sentinel=PASS), [outcome("Kills[2-listed]", "passed"),
                                                            outcome("Sentinel[a]", "passed")]).verdict == SURVIVED


# -- verdicts on a variant and the reference -------------------------------------------------------


def test_a_variant_passes_when_every_scenario_passed():
    found = matrix.verdict(variant(Sentinel=PASS, Other=PASS), [outcome("Sentinel", "passed"), outcome("Other", "passed")])
    assert (found.verdict, found.good) == (PASSED, True)


def test_a_variant_that_fails_a_scenario_is_an_unexpected_failure():
    found = matrix.verdict(variant(Sentinel=PASS), [outcome("Sentinel", "failed", "shows no reason")])
    assert (found.verdict, found.good, found.problems) == (UNEXPECTED, False, ("Sentinel failed: shows no reason",))


def test_a_scenario_with_an_unfair_judge_may_fail_a_variant_or_pass_it_but_must_run():
    entry = variant({"Other": "bakes in the reference's words"}, Sentinel=PASS, Other=UNFAIR)
    for status in ("failed", "passed"):
        assert matrix.verdict(entry, [outcome("Sentinel", "passed"), outcome("Other", status)]).verdict == PASSED
    assert matrix.verdict(entry, [outcome("Sentinel", "passed"), outcome("Other", "skipped")]).verdict == NOT_RUN
    assert matrix.verdict(entry, [outcome("Sentinel", "failed"), outcome("Other", "failed")]).verdict == UNEXPECTED


def test_the_reference_fails_the_matrix_when_one_scenario_fails():
    reference = Entry("reference", REFERENCE, Path("reference.yaml"), "", {"Kills": PASS, "Sentinel": PASS})
    found = matrix.verdict(reference, [outcome("Kills", "passed"), outcome("Sentinel", "failed", "slow")])
    assert (found.verdict, found.good) == (UNEXPECTED, False)


# -- the report -----------------------------------------------------------------------------------


def test_the_markdown_matrix_shows_expected_against_observed_and_what_killed_each_mutant():
    entries = [mutant(Kills=FAIL, Sentinel=PASS), variant(Sentinel=PASS)]
    verdicts = [matrix.verdict(entries[0], [outcome("Kills", "passed"), outcome("Sentinel", "failed", "late")]),
                matrix.verdict(entries[1], [outcome("Sentinel", "passed")])]
    run = {"id": "r", "command": "make mutants", "date": "today", "commit": "f00ba47", "machine": "2 vCPUs",
           "seconds": 75, "load_before": "1.0", "load_after": "2.0"}
    text = matrix_report.as_markdown(run, entries, verdicts)
    assert "| Kills | **✓ missed** |  |" in text
    assert "| Sentinel | **✗ unexpected** | ✓ |" in text
    assert "0 of 1 mutants killed" in text and "**not as expected**: m: survived" in text
    assert "wall time **1 min 15 s**" in text
    assert "f00ba47" not in text  # the page names its run and date; the commit stays in matrix.json


# -- composition ----------------------------------------------------------------------------------


def test_compose_replaces_a_name_of_a_module_or_table_and_refuses_one_the_reference_does_not_have():
    module = type(sys)("reference_like")
    module.decide = lambda: "reference"
    table = {"KeptnTask": "reconcile"}
    assert compose.replace(module, "decide", lambda: "mutant")() == "reference"
    assert module.decide() == "mutant"
    compose.wrap(table, "KeptnTask", lambda original: original + " wrapped")
    assert table == {"KeptnTask": "reconcile wrapped"}
    with pytest.raises(AttributeError, match="has no 'decied' to replace"):
        compose.replace(module, "decied", None)
    with pytest.raises(KeyError, match="no 'KeptnTsk' to replace"):
        compose.wrap(table, "KeptnTsk", lambda original: original)


def test_the_runner_refuses_an_entry_the_matrix_does_not_have_before_any_cluster_work(capsys):
    from mutants import run_matrix

    assert run_matrix.main(["--only", "no_such_mutant"]) == 2
    assert "--only: no entry no_such_mutant in" in capsys.readouterr().err


def test_a_long_rule_is_cut_after_a_whole_word_never_inside_a_name():
    text = "C3.9: The promotion phase runs only when the implementation's feature flag `PROMOTION_TASKS_ENABLED` is on"
    cut = matrix_report.shortened(text, 80)
    assert cut.endswith("…") and "PROMOTION_TASKS_ENA…" not in cut and len(cut) <= 80
    assert text.startswith(cut[:-1])
    assert matrix_report.shortened("short", 80) == "short"
