"""The ConformanceReport: built from outcomes, checked against its schema, written only when valid."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import yaml

from harness.profiles import PROFILES
from harness.report import Outcome, ReportInvalid, build_report, profile_result, validate_file, write_report
from harness.report.outcome import short_reason
from harness.report.validation import problems_of, validate_command

IMPLEMENTATION = {"name": "keptn-promotion-reference", "version": "0.1.0", "organization": "promotion-conformance",
                  "url": "https://example.org/promotion-conformance", "contact": ["@maintainers"]}
PROVIDER = {"name": "simulated", "kubernetesVersion": "v1.31.0"}


def outcome(scenario: str, feature: str, status: str, reason: str = "") -> Outcome:
    return Outcome(scenario, feature, PROFILES_OF[feature], status, reason, 1.5, f"steps/test_x.py::test_{scenario}")


PROFILES_OF = {feature: profile for profile, features in PROFILES.items() for feature in features}


def report_of(*outcomes: Outcome, **options) -> dict:
    return build_report(outcomes, implementation=IMPLEMENTATION, provider=PROVIDER,
                        date=datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc), wall_seconds=12.3456, **options)


def profile(report: dict, name: str) -> dict:
    return next(p for p in report["profiles"] if p["name"] == name)


def test_a_built_report_matches_its_schema_and_carries_the_run():
    report = report_of(outcome("PromotionTasksRunInParallel", "PromotionParallelism", "passed"),
                       outcome("PromotionRetriesReachTheJob", "PromotionRetriesAndTimeouts", "failed", "Job retried 2 times, expected 3"))
    assert problems_of(report) == []
    assert report["apiVersion"] == "promotion-conformance.keptn.sh/v1alpha1" and report["kind"] == "ConformanceReport"
    assert report["date"] == "2025-01-02T03:04:05Z"
    assert report["timings"] == {"wallSeconds": 12.346}
    assert report["interrupted"] is False and report["mode"] == "default"
    assert [p["name"] for p in report["profiles"]] == ["core", "extended"]
    assert profile(report, "extended")["failedTests"] == [{"id": "PromotionRetriesReachTheJob", "reason": "Job retried 2 times, expected 3"}]


# The result rules: "failure if any scenario of the profile failed; partial if none failed but some
# were skipped; skipped if no scenario of the profile ran; success otherwise."
@pytest.mark.parametrize(("passed", "failed", "skipped", "result"), [
    (3, 0, 0, "success"),
    (2, 0, 1, "partial"),
    (2, 1, 1, "failure"),
    (0, 1, 0, "failure"),
    (0, 0, 2, "skipped"),  # every scenario skipped: none ran
    (0, 0, 0, "skipped"),
])
def test_profile_result_rule(passed, failed, skipped, result):
    assert profile_result(passed, failed, skipped) == result


def test_a_profile_whose_scenarios_could_not_run_is_partial_never_skipped():
    """An implementation that could not be installed: every claimed scenario notRun, none passed."""
    assert profile_result(0, 0, notRun=4) == "partial"
    assert profile_result(0, 0, unsupported=3) == "skipped"


def test_each_profile_gets_its_own_result_statistics_and_lists():
    report = report_of(
        outcome("PromotionTasksRunInParallel", "PromotionParallelism", "passed"),
        outcome("PromotionAfterPostDeployment", "PromotionOrdering", "passed"),
        outcome("PromotionTaskFailsVersion", "PromotionBlockingFailure", "failed", "promotionStatus was Succeeded, expected Failed"),
        outcome("PromotionNonBlockingWarning", "PromotionNonBlockingFailure", "unsupported", "sample does not claim PromotionNonBlockingFailure"),
        outcome("PromotionRunsOnceAcrossRestarts", "PromotionExactlyOnce", "passed"),
        claimed_features=[f for f in PROFILES["core"]] + ["PromotionExactlyOnce"],
    )
    core, extended = profile(report, "core"), profile(report, "extended")
    assert (core["result"], core["statistics"]) == ("failure", counts(passed=2, failed=1))
    assert core["summary"] == "1 of 3 core scenarios failed, 2 passed."
    assert (extended["result"], extended["statistics"]) == ("partial", counts(passed=1, unsupported=1))
    assert extended["unsupportedTests"] == [{"id": "PromotionNonBlockingWarning", "reason": "sample does not claim PromotionNonBlockingFailure"}]
    assert extended["features"]["claimed"] == ["PromotionExactlyOnce"]
    assert "PromotionNonBlockingFailure" in extended["features"]["unclaimed"]
    assert extended["summary"] == "1 of 2 extended scenarios passed, 1 not claimed (features not claimed: " + \
        ", ".join(f for f in PROFILES["extended"] if f != "PromotionExactlyOnce") + ")."
    assert core["features"] == {"claimed": list(PROFILES["core"]), "unclaimed": []}


def counts(**given) -> dict:
    return {status: given.get(status, 0) for status in ("passed", "failed", "skipped", "unsupported", "notApplicable", "notRun")}


@pytest.mark.parametrize(("status", "words"), [("skipped", "left out on request"), ("notApplicable", "not applicable here"),
                                               ("notRun", "could not run"), ("unsupported", "not claimed")])
def test_a_scenario_that_did_not_run_makes_its_profile_partial_never_a_success(status, words):
    report = report_of(outcome("PromotionTasksRunInParallel", "PromotionParallelism", "passed"),
                       outcome("PromotionTaskContext", "PromotionTaskContract", status, "why"))
    core = profile(report, "core")
    assert core["result"] == "partial" and f"1 {words}" in core["summary"]
    assert problems_of(report) == []


def test_an_interrupted_run_is_partial_at_best():
    report = report_of(outcome("PromotionTasksRunInParallel", "PromotionParallelism", "passed"), interrupted=True)
    assert profile(report, "core")["result"] == "partial"
    assert "interrupted" in profile(report, "core")["summary"]


def test_a_report_whose_result_contradicts_its_statistics_is_invalid():
    report = report_of(outcome("PromotionTasksRunInParallel", "PromotionParallelism", "passed"))
    core = profile(report, "core")
    core["statistics"]["failed"] = 3
    assert problems_of(report) == [
        "$.profiles[0].result: 'success' contradicts its statistics " + str(core["statistics"]) + ", which give 'failure'",
        "$.profiles[0].failedTests: lists 0 scenario(s), its statistics.failed says 3"]


def test_the_report_records_the_effective_timeouts_and_their_scale():
    from harness.timeouts import timeouts_of

    report = report_of(outcome("PromotionTasksRunInParallel", "PromotionParallelism", "passed"),
                       timeouts=timeouts_of({"lifecycle": 200}, 1.5), timeout_scale=1.5)
    assert report["timeouts"]["scale"] == 1.5
    assert report["timeouts"]["seconds"]["lifecycle"] == 300 and report["timeouts"]["seconds"]["pollInterval"] == 0.2


def test_a_profile_without_any_scenario_is_skipped_and_one_with_all_passed_is_success():
    report = report_of(outcome("PromotionTasksRunInParallel", "PromotionParallelism", "passed"))
    assert profile(report, "core")["result"] == "success"
    assert profile(report, "core")["summary"] == "All 1 core scenario passed."
    assert (profile(report, "extended")["result"], profile(report, "extended")["summary"]) == ("skipped", "No extended scenario ran.")


def test_a_scenario_tagged_with_the_wrong_profile_is_refused_naming_it():
    wrong = Outcome("PromotionTasksRunInParallel", "PromotionParallelism", "extended", "passed", "", 1.0, "steps/test_p.py::test_parallel")
    with pytest.raises(ValueError, match=r"PromotionTasksRunInParallel \(steps/test_p.py::test_parallel\).*'extended'.*'core' profile"):
        report_of(wrong)


def test_an_unknown_feature_is_refused_naming_the_scenario():
    unknown = Outcome("Something", "PromotionTeleportation", "core", "passed", "", 1.0, "steps/test_p.py::test_s")
    with pytest.raises(ValueError, match="scenario Something .*unknown conformance feature 'PromotionTeleportation'"):
        report_of(unknown)


def test_an_unknown_claimed_feature_is_refused():
    with pytest.raises(ValueError, match="unknown conformance feature 'PromotionMagic'"):
        report_of(claimed_features=["PromotionMagic"])


def test_a_report_is_written_as_yaml_that_reads_back_equal(tmp_path):
    report = report_of(outcome("PromotionTasksRunInParallel", "PromotionParallelism", "passed"), interrupted=True)
    path = write_report(report, tmp_path / "reports")
    assert path == tmp_path / "reports" / "conformance-report.yaml"
    assert yaml.safe_load(path.read_text()) == report
    assert validate_file(path) == []


def test_an_invalid_report_is_refused_before_writing_naming_the_path(tmp_path):
    report = report_of(outcome("PromotionTasksRunInParallel", "PromotionParallelism", "passed"))
    report["profiles"][1]["result"] = "mostly"
    del report["implementation"]["version"]
    with pytest.raises(ReportInvalid) as refused:
        write_report(report, tmp_path)
    assert refused.value.problems == [
        "$.implementation: 'version' is a required property",
        "$.profiles[1].result: 'mostly' is not one of ['success', 'partial', 'failure', 'skipped']",
    ]
    assert list(tmp_path.iterdir()) == []


def test_validate_file_finds_no_problem_in_a_good_report_even_with_an_unquoted_date(tmp_path):
    text = yaml.safe_dump(report_of()).replace("'2025-01-02T03:04:05Z'", "2025-01-02T03:04:05Z")
    assert "date: 2025-01-02T03:04:05Z" in text
    (tmp_path / "good.yaml").write_text(text)
    assert validate_file(tmp_path / "good.yaml") == []


def test_validate_file_lists_a_wrong_kind_and_a_missing_implementation_name(tmp_path):
    report = report_of()
    report["kind"] = "GatewayConformanceReport"
    del report["implementation"]["name"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(report))
    assert validate_file(tmp_path / "bad.yaml") == [
        "$.implementation: 'name' is a required property",
        "$.kind: 'ConformanceReport' was expected",
    ]


def test_validate_command_exit_codes_and_messages(tmp_path, capsys):
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(report_of()))
    assert validate_command(str(tmp_path / "good.yaml")) == 0
    assert "valid ConformanceReport" in capsys.readouterr().out

    report = report_of()
    report["kind"] = "Other"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(report))
    assert validate_command(str(tmp_path / "bad.yaml")) == 1
    assert "  $.kind: 'ConformanceReport' was expected" in capsys.readouterr().err

    (tmp_path / "garbage.yaml").write_text("apiVersion: x\nkind: [unclosed\n  - : :\n")
    assert validate_command(str(tmp_path / "garbage.yaml")) == 2
    error = capsys.readouterr().err
    assert f"{tmp_path / 'garbage.yaml'}:" in error and "not YAML" in error

    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    assert validate_command(str(tmp_path / "binary.yaml")) == 2
    assert "cannot read" in capsys.readouterr().err

    assert validate_command(str(tmp_path / "missing.yaml")) == 2
    assert "missing.yaml: cannot read" in capsys.readouterr().err


def test_a_yaml_scalar_or_an_empty_file_is_not_a_report(tmp_path):
    (tmp_path / "scalar.yaml").write_text("just words\n")
    assert validate_file(tmp_path / "scalar.yaml") == ["$: 'just words' is not of type 'object'"]
    (tmp_path / "empty.yaml").write_text("")
    assert validate_file(tmp_path / "empty.yaml") == ["$: the file holds no YAML document; expected a ConformanceReport"]


def test_a_reason_is_the_first_line_of_the_message_without_assertion_error_and_at_most_300_characters():
    assert short_reason("AssertionError: promotionStatus: expected Failed, observed Succeeded\nassert 'a' == 'b'") == (
        "promotionStatus: expected Failed, observed Succeeded")
    assert short_reason("\n  TimeoutError: waited 60s for Job x\n") == "TimeoutError: waited 60s for Job x"
    cut = short_reason("x" * 1000)
    assert len(cut) == 300 and cut.endswith("…")


def test_cluster_observations_travel_beside_the_verdict_not_in_it():
    seen = Outcome("ExactlyOnceAcrossApiServerRestart", "PromotionExactlyOnce", "extended", "passed", "", 40.0,
                   "steps/test_r.py::test_restart", ("Job promote-1 had 2 pods (a, b): the Job controller's doing",))
    report = report_of(seen)
    assert problems_of(report) == []
    assert profile(report, "extended")["result"] == "success"
    assert report["observations"] == [{"id": "ExactlyOnceAcrossApiServerRestart",
                                       "observation": "Job promote-1 had 2 pods (a, b): the Job controller's doing"}]
