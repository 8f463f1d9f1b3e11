"""JUnit XML names each scenario's test case by its ID and its conformance feature, and an
interrupted run shows as one, in real pytest sessions (pytester), alone and under pytest-xdist."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from harness.report.junit import INTERRUPTED_CASE
from test_report_collector import CONFTEST, INTERRUPTED, PARALLEL, SCENARIOS

pytest_plugins = ["pytester"]

OUTLINE = """
import pytest

@pytest.mark.id("PromotionTasksRunInParallel")
@pytest.mark.feature("PromotionParallelism")
@pytest.mark.core
@pytest.mark.parametrize("count", ["2-listed", "10-listed"])
def test_count_promotion_tasks_of_5_s_run_in_parallel(count):
    pass
"""


@pytest.fixture
def suite(pytester):
    pytester.makeconftest(f"REPORT_DIR = {str(pytester.path / 'reports')!r}\n" + CONFTEST)
    # the outline stands in for the sample's PromotionTasksRunInParallel
    pytester.makepyfile(test_scenarios="import pytest\n" + SCENARIOS.removeprefix(PARALLEL), test_outline=OUTLINE)
    return pytester.path / "junit.xml"


def cases(path) -> dict[str, ElementTree.Element]:
    return {case.get("name"): case for case in ElementTree.parse(path).getroot().iter("testcase")}


def check_the_names(junit) -> None:
    named = cases(junit)
    assert sorted(named) == ["PromotionRunsOnceAcrossRestarts", "PromotionTaskContextIsSet",
                             "PromotionTasksRunInParallel[10-listed]", "PromotionTasksRunInParallel[2-listed]",
                             "PromotionWaitsForPostDeployment", "test_not_a_scenario"]
    parallel = named["PromotionTasksRunInParallel[10-listed]"]
    assert parallel.get("classname") == "PromotionParallelism"
    assert {p.get("name"): p.get("value") for p in parallel.iter("property")}["pytest.name"] == (
        "test_outline::test_count_promotion_tasks_of_5_s_run_in_parallel[10-listed]")
    assert named["PromotionWaitsForPostDeployment"].get("classname") == "PromotionOrdering"
    assert named["PromotionWaitsForPostDeployment"].find("failure") is not None  # the verdict is untouched
    assert named["test_not_a_scenario"].get("classname") == "test_scenarios"  # not a scenario: as pytest named it


def test_testcase_names_are_scenario_ids_and_classnames_their_features(pytester, suite):
    pytester.runpytest("-p", "no:cacheprovider", "-p", "harness.report.junit", f"--junitxml={suite}")
    check_the_names(suite)


def test_under_xdist_too(pytester, suite):
    pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "-p", "harness.report.junit", f"--junitxml={suite}")
    check_the_names(suite)


def test_an_interrupted_run_shows_as_an_error_not_as_a_shorter_clean_run(pytester, suite):
    pytester.makepyfile(test_scenarios=INTERRUPTED)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "harness.report.junit", f"--junitxml={suite}",
                                no_reraise_ctrlc=True)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    suite_element = ElementTree.parse(suite).getroot().find("testsuite")
    interrupted = cases(suite)[INTERRUPTED_CASE]
    assert interrupted.find("error").get("message").startswith("the run was interrupted")
    assert int(suite_element.get("errors")) == 1
    assert int(suite_element.get("tests")) == len(list(suite_element.iter("testcase")))


def test_a_run_that_ended_normally_gets_no_interruption_case(pytester, suite):
    pytester.runpytest("-p", "no:cacheprovider", "-p", "harness.report.junit", f"--junitxml={suite}")
    assert INTERRUPTED_CASE not in cases(suite)
