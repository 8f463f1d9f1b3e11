"""The rules of the contract: docs/contract.md and harness/contract/rules.yaml say the same, every
rule is checked by a scenario and proven by a mutant or says why not, and the coverage refuses what
it exists to refuse."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness import coverage
from harness.catalogue import entries
from harness.contract import rules
from harness.contract.rules import Rule, RulesError
from harness.coverage import Mutant
from harness.paths import REPO
from harness.profiles import FEATURES
from harness.report.outcome import Outcome

CONTRACT = (REPO / "docs" / "contract.md").read_text()


# -- the rules of this repository -----------------------------------------------------------------


def test_the_contract_states_every_rule_of_rules_yaml_with_the_same_sentence_and_no_other():
    stated = rules.stated_in(CONTRACT)
    listed = {rule.id: rule.text for rule in rules.rules()}
    assert sorted(stated) == sorted(listed)
    assert {i: t for i, t in stated.items() if listed[i] != t} == {}
    assert [r.id for r in rules.rules()] == sorted(listed, key=lambda i: rules.by_id()[i].sort_key), "in page order"


def test_every_conformance_feature_has_rules_and_every_rule_a_known_feature():
    assert {rule.feature for rule in rules.rules()} == set(FEATURES)


def test_every_rule_is_checked_and_proven_by_a_mutant_or_says_why_not():
    """The coverage promotion-conformance coverage shows has no gap: a rule no scenario checks has
    its reason in rules.yaml, a checked one has a mutant its scenarios must kill, and a rule stricter
    than Keptn belongs to the extended profile."""
    assert coverage.problems(coverage.measure(entries())) == []


# -- what the coverage refuses --------------------------------------------------------------------


RULE = Rule("C1.1", "PromotionOrdering", "A rule of the contract.")


class Scenario:
    def __init__(self, id: str, *checks: str):
        self.id, self.rules = id, checks


@pytest.mark.parametrize("rule, catalogue, mutants, problem", [
    (RULE, [], [], "C1.1: no scenario checks it (@rule:C1.1) and rules.yaml gives no reason why not"),
    (Rule("C1.1", "PromotionOrdering", "A rule.", unchecked_why="scope", unchecked_reason="not ours"),
     [Scenario("S", "C1.1")], [Mutant("m", "C1.1", ("S",))], "C1.1: rules.yaml says it is unchecked (scope), but S check it"),
    (RULE, [Scenario("S", "C1.1")], [], "C1.1: checked by S, but no mutant of tests/mutants/matrix.yaml breaks it"),
    (RULE, [Scenario("S", "C1.1")], [Mutant("m", "C1.1", ("Other",))], "C1.1: checked by S, but no mutant"),
    (RULE, [Scenario("S", "C1.1")], [Mutant("m", "C2.2", ("S",))], "C1.1: checked by S, but no mutant"),
    (Rule("C1.1", "PromotionOrdering", "A rule.", stricter=True), [Scenario("S", "C1.1")], [Mutant("m", "C1.1", ("S",))],
     "C1.1: stricter than Keptn, so its feature must be extended, not PromotionOrdering (core)"),
    (Rule("C1.1", "NoSuchFeature", "A rule.", unchecked_why="scope", unchecked_reason="not ours"), [], [],
     "C1.1: unknown conformance feature 'NoSuchFeature'"),
])
def test_the_coverage_names_each_gap(rule, catalogue, mutants, problem):
    found = coverage.problems(coverage.measure(catalogue, mutants, (rule,)))
    assert any(p.startswith(problem) for p in found), found


def test_a_rule_checked_and_broken_by_a_killed_mutant_has_no_gap_and_is_proven():
    [item] = coverage.measure([Scenario("S", "C1.1"), Scenario("T")], [Mutant("m", "C1.1", ("S",), "killed")], (RULE,))
    assert (coverage.problems([item]), item.scenarios, item.state) == ([], ("S",), "proven")
    assert coverage.figures([item]) | {} == {"rules": 1, "checked": 1, "unchecked": 0, "neither": 0, "withMutant": 1,
                                             "proven": 1, "mutants": 1, "mutantsKilled": 1}


def test_a_mutant_that_survived_its_last_run_proves_nothing():
    [item] = coverage.measure([Scenario("S", "C1.1")], [Mutant("m", "C1.1", ("S",), "survived")], (RULE,))
    assert (item.state, item.killed) == ("mutant not run", ())


def test_the_report_says_per_rule_what_the_scenarios_that_check_it_did():
    unchecked = Rule("C1.2", "PromotionOrdering", "Another rule.", unchecked_why="outside", unchecked_reason="cannot see it")
    never_ran = Rule("C1.3", "PromotionOrdering", "A third rule.")
    measured = coverage.measure([Scenario("S", "C1.1"), Scenario("P", "C1.1"), Scenario("N", "C1.3")],
                                [Mutant("m", "C1.1", ("S",), "killed")], (RULE, unchecked, never_ran))

    def outcome(scenario_id, status):
        return Outcome(scenario_id, "PromotionOrdering", "core", status, "", 1.0, f"x::{scenario_id}")

    section = coverage.report_section(measured, [outcome("S[2-listed]", "passed"), outcome("S[5-listed]", "failed"),
                                                 outcome("P", "passed"), outcome("N", "skipped")])
    assert [(r["id"], r["result"]) for r in section["rules"]] == [("C1.1", "failed"), ("C1.2", "unchecked"), ("C1.3", "notRun")]
    assert section["rules"][1]["reason"] == "outside: cannot see it"


# -- what rules.yaml may say ----------------------------------------------------------------------


@pytest.mark.parametrize("text, error", [
    ("- id: C1.1\n  feature: F\n  text: A rule of the contract.\n- id: C1.1\n  feature: F\n  text: Again the same rule.\n",
     "rule C1.1 is listed twice"),
    ("- id: X1.1\n  feature: F\n  text: A rule of the contract.\n", "rule X1.1 field id: 'X1.1' does not match"),
    ("- id: C1.1\n  feature: F\n  text: A rule of the contract.\n  unchecked: {why: lazy, reason: no time for it}\n",
     "rule C1.1 field unchecked.why: 'lazy' is not one of"),
    ("- id: C1.1\n  feature: F\n", "rule C1.1: 'text' is a required property"),
])
def test_a_rules_file_that_says_something_impossible_is_refused_naming_the_rule_and_field(tmp_path, text, error):
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(RulesError, match=rf"rules.yaml: .*{error}" if "listed" not in error else error):
        rules.load(path)


def test_a_scenario_that_names_an_unknown_rule_is_refused_naming_its_file(tmp_path):
    from harness.catalogue import CatalogueError

    (tmp_path / "x.feature").write_text(textwrap.dedent("""\
        Feature: X
          @id:X @feature:PromotionOrdering @core @rule:C99.1
          Scenario: x
            Given nothing
        """))
    with pytest.raises(CatalogueError, match=r"x.feature:3: scenario 'x': unknown rule\(s\) C99.1"):
        entries(Path(tmp_path))
