"""The collector plugin, run inside a real pytest session (pytester), alone and under pytest-xdist."""
from __future__ import annotations

import json

import pytest
import yaml

from harness.report import validate_file

pytest_plugins = ["pytester"]

CONFTEST = """
import pytest
from harness import report

def pytest_configure(config):
    for marker in ("id(name): scenario ID", "feature(name): feature", "core: core", "extended: extended"):
        config.addinivalue_line("markers", marker)
    report.configure(
        config,
        implementation={"name": "sample", "version": "1.2.3", "organization": "tests"},
        provider=lambda: {"name": "simulated", "kubernetesVersion": "v1.31.0"},
        claimed_features=["PromotionParallelism", "PromotionOrdering", "PromotionExactlyOnce"],
        report_dir=REPORT_DIR,
    )

@pytest.fixture
def broken_cluster():
    raise RuntimeError("cluster did not come up\\nsecond line")
"""

PARALLEL = """
import pytest

@pytest.mark.id("PromotionTasksRunInParallel")
@pytest.mark.feature("PromotionParallelism")
@pytest.mark.core
def test_parallel():
    pass
"""

SCENARIOS = PARALLEL + """
@pytest.mark.id("PromotionWaitsForPostDeployment")
@pytest.mark.feature("PromotionOrdering")
@pytest.mark.core
def test_ordering():
    assert False, "promotionStatus: expected Pending, observed Progressing\\nwhile postDeploymentStatus was Progressing"

@pytest.mark.id("PromotionRunsOnceAcrossRestarts")
@pytest.mark.feature("PromotionExactlyOnce")
@pytest.mark.extended
def test_exactly_once():
    pytest.skip("needs two controller replicas")

@pytest.mark.id("PromotionTaskContextIsSet")
@pytest.mark.feature("PromotionTaskContract")
@pytest.mark.core
def test_contract(broken_cluster):
    pass

def test_not_a_scenario():
    pass
"""


# A scenario stopped by Ctrl-C (or SIGTERM, which the harness turns into the same) while it runs.
INTERRUPTED = """
import pytest

@pytest.mark.id("PromotionAfterPostDeployment")
@pytest.mark.feature("PromotionOrdering")
@pytest.mark.core
def test_interrupted():
    raise KeyboardInterrupt
"""


@pytest.fixture
def suite(pytester):
    report_dir = pytester.path / "reports"
    pytester.makeconftest(f"REPORT_DIR = {str(report_dir)!r}\n" + CONFTEST)
    pytester.makepyfile(test_scenarios=SCENARIOS)
    return report_dir


def read_report(report_dir) -> dict:
    path = report_dir / "conformance-report.yaml"
    assert validate_file(path) == []
    return yaml.safe_load(path.read_text())


def check_the_sample_report(report: dict, report_dir) -> None:
    core, extended = report["profiles"]
    assert core["name"] == "core" and core["result"] == "failure"
    assert core["statistics"] == {"passed": 1, "failed": 2, "skipped": 0, "unsupported": 0, "notApplicable": 0, "notRun": 0}
    assert sorted(core["failedTests"], key=lambda t: t["id"]) == [
        {"id": "PromotionTaskContextIsSet", "reason": "error in setup: RuntimeError: cluster did not come up"},
        {"id": "PromotionWaitsForPostDeployment", "reason": "promotionStatus: expected Pending, observed Progressing"},
    ]
    assert extended["result"] == "partial"  # a skip at run time: it could not run, which is neither a pass nor nothing to run
    assert extended["notRunTests"] == [{"id": "PromotionRunsOnceAcrossRestarts", "reason": "needs two controller replicas"}]
    assert extended["features"]["claimed"] == ["PromotionExactlyOnce"]
    assert report["implementation"]["name"] == "sample"
    assert report["provider"] == {"name": "simulated", "kubernetesVersion": "v1.31.0"}
    assert report["interrupted"] is False
    outcomes = json.loads((report_dir / "scenarios.json").read_text())
    assert sorted(o["id"] for o in outcomes) == ["PromotionRunsOnceAcrossRestarts", "PromotionTaskContextIsSet",
                                                 "PromotionTasksRunInParallel", "PromotionWaitsForPostDeployment"]
    assert (report_dir / "index.html").exists()


def test_the_collector_writes_the_report_of_passed_failed_setup_error_and_skipped_scenarios(pytester, suite):
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1, skipped=1, errors=1)
    result.stdout.fnmatch_lines([f"conformance report: {suite / 'conformance-report.yaml'}"])
    check_the_sample_report(read_report(suite), suite)


def test_under_xdist_the_controller_writes_the_report_from_the_workers_reports(pytester, suite):
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1, skipped=1, errors=1)
    check_the_sample_report(read_report(suite), suite)


def test_the_scenario_labels_also_reach_the_junit_xml(pytester, suite):
    pytester.runpytest("-p", "no:cacheprovider", f"--junitxml={pytester.path / 'junit.xml'}")
    junit = (pytester.path / "junit.xml").read_text()
    assert '<property name="conformance.id" value="PromotionTasksRunInParallel"' in junit


def test_an_interrupted_run_says_so_and_reports_what_ran(pytester, suite):
    pytester.makepyfile(test_zz_interrupt=INTERRUPTED)
    result = pytester.runpytest("-p", "no:cacheprovider", no_reraise_ctrlc=True)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    report = read_report(suite)
    assert report["interrupted"] is True
    core = report["profiles"][0]
    assert (core["statistics"]["passed"], core["statistics"]["failed"]) == (1, 2)  # the interrupted one is not counted
    assert "The run was interrupted" in core["summary"]


def test_an_interrupted_run_never_reports_a_profile_as_a_success(pytester, suite):
    pytester.makepyfile(test_scenarios=PARALLEL + """
@pytest.mark.id("PromotionAfterPostDeployment")
@pytest.mark.feature("PromotionOrdering")
@pytest.mark.core
def test_interrupted():
    raise KeyboardInterrupt
""")
    result = pytester.runpytest("-p", "no:cacheprovider", no_reraise_ctrlc=True)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    core = read_report(suite)["profiles"][0]
    assert core["statistics"]["passed"] == 1 and core["result"] == "partial"


def test_a_run_without_conformance_scenarios_writes_no_report(pytester, suite):
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "not_a_scenario")
    result.assert_outcomes(passed=1)
    assert not suite.exists()


def test_a_mis_tagged_scenario_fails_the_run_with_a_clear_message_and_no_report(pytester, suite):
    pytester.makepyfile(test_scenarios="""
import pytest

@pytest.mark.id("PromotionTasksRunInParallel")
@pytest.mark.feature("PromotionParallelism")
@pytest.mark.extended
def test_parallel():
    pass
""")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    result.stdout.fnmatch_lines(["ERROR: the conformance report was not written: scenario PromotionTasksRunInParallel *"
                                 "belongs to the 'core' profile"])
    assert not (suite / "conformance-report.yaml").exists()


def test_gherkin_tags_of_a_pytest_bdd_scenario_reach_the_report(pytester, suite):
    pytester.makepyfile(test_scenarios="")
    pytester.makeconftest(f"REPORT_DIR = {str(suite)!r}\n" + CONFTEST + '''
def pytest_bdd_apply_tag(tag, function):  # as harness.plugin.scenarios does: @key:value -> marker key("value")
    key, sep, value = tag.partition(":")
    getattr(pytest.mark, key)(value)(function) if sep else getattr(pytest.mark, tag)(function)
    return True
''')
    pytester.makefile(".feature", parallel='''
Feature: Promotion tasks run in parallel
  @id:PromotionTasksRunInParallel @feature:PromotionParallelism @core
  Scenario: Two promotion tasks overlap
    Given two promotion tasks
''')
    pytester.makepyfile(test_bdd='''
from pytest_bdd import given, scenarios

scenarios("parallel.feature")

@given("two promotion tasks")
def two_tasks():
    pass
''')
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    core = read_report(suite)["profiles"][0]
    assert (core["result"], core["statistics"]) == ("success", {"passed": 1, "failed": 0, "skipped": 0, "unsupported": 0, "notApplicable": 0, "notRun": 0})


# The cluster fails under a scenario (kube-apiserver not back after a restart): not the implementation's doing.
CLUSTER_FAILS = """
import pytest
from harness.clusters.provider import ProviderError

@pytest.mark.id("ExactlyOnceAcrossApiServerRestart")
@pytest.mark.feature("PromotionExactlyOnce")
@pytest.mark.extended
def test_restart():
    raise ProviderError("kube-apiserver of 'pc-1' did not become ready again")
"""


@pytest.mark.parametrize("workers", [(), ("-n", "2")])
def test_a_scenario_the_cluster_failed_could_not_run_it_did_not_fail(pytester, workers):
    report_dir = pytester.path / "reports"
    pytester.makeconftest(f"REPORT_DIR = {str(report_dir)!r}\n" + CONFTEST)
    pytester.makepyfile(test_scenarios=PARALLEL + CLUSTER_FAILS.replace("import pytest\n", "", 1))
    result = pytester.runpytest_subprocess(*workers, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)  # pytest's own verdict, and the exit code, stay failures
    extended = read_report(report_dir)["profiles"][1]
    assert extended["statistics"]["failed"] == 0 and extended["statistics"]["notRun"] == 1
    assert extended["result"] != "success"
    assert extended["notRunTests"] == [{"id": "ExactlyOnceAcrossApiServerRestart", "reason":
        "the cluster failed, not the implementation: harness.clusters.provider.ProviderError: kube-apiserver of 'pc-1' did not become ready again"}]


# The implementation could not be installed: every scenario that needs it could not run, with the install error.
NOT_INSTALLED = """
import pytest
from harness.session import CreationFailed

@pytest.fixture
def implementation():
    raise CreationFailed("the implementation could not be installed and started: RuntimeError: `false` exited 1")

@pytest.mark.id("PromotionTasksRunInParallel")
@pytest.mark.feature("PromotionParallelism")
@pytest.mark.core
def test_parallel(implementation):
    pass

@pytest.mark.id("PromotionRunsAfterPostDeployment")
@pytest.mark.feature("PromotionOrdering")
@pytest.mark.core
def test_ordering(implementation):
    pass
"""


@pytest.mark.parametrize("workers", [(), ("-n", "2")])
def test_an_implementation_that_could_not_be_installed_leaves_every_claimed_scenario_not_run_with_the_reason(
        pytester, workers):
    report_dir = pytester.path / "reports"
    pytester.makeconftest(f"REPORT_DIR = {str(report_dir)!r}\n" + CONFTEST)
    pytester.makepyfile(test_scenarios=NOT_INSTALLED)
    result = pytester.runpytest_subprocess(*workers, "-p", "no:cacheprovider")
    assert result.ret == 1  # the run fails: nothing the implementation claims was shown to work
    core = read_report(report_dir)["profiles"][0]
    assert (core["result"], core["statistics"]["notRun"], core["statistics"]["failed"]) == ("partial", 2, 0)
    assert {t["reason"] for t in core["notRunTests"]} == {
        "the implementation could not be installed and started: RuntimeError: `false` exited 1"}
