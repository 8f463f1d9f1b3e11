"""run_matrix.py: the scenarios that apply only to a simulated cluster of their own
(`@provider:simulated`: they restart the API server, or run Flux and a cluster per stage) never
run on the matrix's shared, existing cluster, where they would be `notApplicable` and give no
verdict; they run on a cluster of their own, and the entry's verdict reads both runs together."""
from __future__ import annotations

import textwrap
from pathlib import Path

from mutants import run_matrix
from mutants.matrix import FAIL, KILLED, MUTANT, NOT_RUN, PASS, SURVIVED, Entry

FEATURE = textwrap.dedent("""\
    Feature: some
      @id:Anywhere @feature:PromotionOrdering @core
      Scenario: anywhere
        Given a step

      @id:OwnCluster @feature:PromotionOrdering @core @provider:simulated
      Scenario: only on a simulated cluster
        Given a step

      @id:KindOrSimulated @feature:PromotionOrdering @core @provider:simulated @provider:kind
      Scenario: on either
        Given a step
    """)


def mutant(**expected: str) -> Entry:
    return Entry("m", MUTANT, Path(), "C0.1", expected, change="m:install")


def outcome(scenario: str, status: str) -> dict:
    return {"id": scenario, "status": status, "reason": "because" if status == "failed" else ""}


def test_only_scenarios_tagged_for_the_simulated_provider_alone_need_a_cluster_of_their_own(tmp_path):
    (tmp_path / "some.feature").write_text(FEATURE)
    assert run_matrix.simulated_only_scenarios(tmp_path) == {"OwnCluster"}


def test_the_gitops_and_api_server_restart_scenarios_of_this_repository_need_one():
    found = run_matrix.simulated_only_scenarios()
    assert {"ExactlyOnceAcrossApiServerRestart", "FailedEvaluationStopsTheFlow", "PromotionFlowsThroughEveryStage"} <= found
    assert "PromotionTaskContext" not in found and "CRDStaticCompatibility" not in found


def test_an_entry_is_split_into_its_shared_and_its_own_cluster_scenarios_examples_included():
    entry = mutant(OwnCluster=FAIL, Anywhere=PASS, **{"Outline[2-listed]": PASS})
    assert run_matrix.split_by_cluster([entry], {"OwnCluster", "Outline"}) == [
        (["Anywhere"], ["OwnCluster", "Outline[2-listed]"])]


def test_the_verdict_reads_the_runs_on_both_clusters_together():
    entry = mutant(OwnCluster=FAIL, Anywhere=PASS)
    runs = [run_matrix.Run(("Anywhere",), [outcome("Anywhere", "passed")], 10.0), run_matrix.Run(("OwnCluster",), [outcome("OwnCluster", "failed")], 50.0)]
    verdict = run_matrix.entry_verdict(entry, runs)
    assert (verdict.verdict, verdict.seconds) == (KILLED, 60.0)


def test_a_killer_left_to_the_shared_cluster_would_not_run_and_give_no_verdict():
    entry = mutant(OwnCluster=FAIL, Anywhere=PASS)
    not_applicable = {"id": "OwnCluster", "status": "notApplicable", "reason": "needs the simulated provider"}
    assert run_matrix.entry_verdict(entry, [run_matrix.Run(("Anywhere", "OwnCluster"), [outcome("Anywhere", "passed"), not_applicable], 10.0)]).verdict == NOT_RUN


def test_a_run_that_wrote_no_outcomes_leaves_the_entry_not_run_naming_why():
    entry = mutant(OwnCluster=FAIL, Anywhere=PASS)
    verdict = run_matrix.entry_verdict(entry, [run_matrix.Run(("Anywhere",), [outcome("Anywhere", "passed")], 10.0),
                                               run_matrix.Run(("OwnCluster",), None, 5.0, "the run wrote no scenarios.json")])
    assert verdict.verdict == NOT_RUN and verdict.problems == ("the run wrote no scenarios.json",)


def test_a_killer_that_passed_on_its_own_cluster_leaves_the_mutant_alive():
    entry = mutant(OwnCluster=FAIL, Anywhere=PASS)
    runs = [run_matrix.Run(("Anywhere",), [outcome("Anywhere", "passed")], 1.0),
            run_matrix.Run(("OwnCluster",), [outcome("OwnCluster", "passed")], 1.0)]
    assert run_matrix.entry_verdict(entry, runs).verdict == SURVIVED


def test_each_run_answers_only_for_the_scenarios_it_was_asked_to_run():
    """Each run's scenarios.json lists every scenario, those of the other run as skipped (not
    selected): read together as they are, a scenario that passed on one cluster would count as
    skipped on the other, and the entry as not run."""
    entry = mutant(OwnCluster=FAIL, Anywhere=PASS)
    skipped = {"status": "skipped", "reason": "not selected (--scenarios)"}
    runs = [run_matrix.Run(("Anywhere",), [outcome("Anywhere", "passed"), {"id": "OwnCluster", **skipped}], 10.0),
            run_matrix.Run(("OwnCluster",), [{"id": "Anywhere", **skipped}, outcome("OwnCluster", "failed")], 50.0)]
    assert run_matrix.entry_verdict(entry, runs).verdict == KILLED
