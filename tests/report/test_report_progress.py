"""What a run prints: one line per scenario, a heartbeat while it is silent, the verdicts at the end.

Run inside real pytest sessions (pytester), alone and under pytest-xdist, with the collector of
test_report_collector's sample suite.
"""
from __future__ import annotations

import re

import pytest

from harness.report.outcome import Outcome
from harness.report.progress import PYTEST_ARGS, outcome_line, verdict_table
from test_report_collector import CONFTEST, SCENARIOS

pytest_plugins = ["pytester"]

# The progress view is registered by `promotion-conformance run` in the controlling process only.
PROGRESS = """
from harness.report.collector import SKIP_LABEL
from harness.report.progress import Progress

def pytest_configure(config):
    _configure(config)
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(Progress(sys.stdout, every=EVERY))

def pytest_collection_modifyitems(config, items):
    for item in items:  # as harness.plugin.scenarios labels a scenario whose feature is not claimed
        if item.name == "test_unclaimed":
            item.user_properties.append((SKIP_LABEL, "unsupported"))
            item.add_marker(pytest.mark.skip(reason="sample does not claim PromotionNonBlockingFailure"))
"""

MORE_SCENARIOS = """
import time
import pytest

@pytest.mark.id("PromotionFailureIsWarning")
@pytest.mark.feature("PromotionNonBlockingFailure")
@pytest.mark.extended
def test_unclaimed():
    pass

@pytest.mark.id("ExactlyOnceUnderRandomKills")
@pytest.mark.feature("PromotionExactlyOnce")
@pytest.mark.extended
def test_slow():
    time.sleep(1.5)
"""


@pytest.fixture
def suite(pytester):
    report_dir = pytester.path / "reports"
    conftest = CONFTEST.replace("def pytest_configure(config):", "def _configure(config):")
    pytester.makeconftest(f"import sys\nREPORT_DIR = {str(report_dir)!r}\nEVERY = 0.5\n" + conftest + PROGRESS)
    pytester.makepyfile(test_scenarios=SCENARIOS, test_more=MORE_SCENARIOS)
    return report_dir


def progress_lines(result) -> list[str]:
    return [line for line in result.outlines if re.match(r"\[\s*\d+/\d+\] ", line)]


def check_the_lines(result) -> None:
    lines = progress_lines(result)
    # the five scenarios that ran get a line each: n/total, result, ID, seconds, the running count
    ran = [line for line in lines if "not run:" not in line]
    assert len(ran) == 5, lines
    assert all(re.match(r"\[\d/6\] ", line) for line in ran)
    by_id = {re.search(r"\] (?:passed|FAILED|NOT RUN) +(\S+)", line).group(1): line for line in ran}
    assert re.search(r"passed\s+PromotionTasksRunInParallel\s+\d+\.\d s", by_id["PromotionTasksRunInParallel"])
    assert re.search(r"FAILED\s+PromotionWaitsForPostDeployment\s+\d+\.\d s \s+\(\d passed, 1 failed\)  promotionStatus: expected Pending, "
                     r"observed Progressing$", by_id["PromotionWaitsForPostDeployment"])
    assert "error in setup: RuntimeError: cluster did not come up" in by_id["PromotionTaskContextIsSet"]
    assert "NOT RUN" in by_id["PromotionRunsOnceAcrossRestarts"]
    # the unclaimed scenario is counted in one line, not listed one by one
    assert [line.split("] ", 1)[1] for line in lines if "not run:" in line] == ["1 not run: 1 unsupported (listed at the end)"]
    # the count runs up to the total
    assert max(int(re.match(r"\[\s*(\d+)/", line).group(1)) for line in lines) == 6


def test_one_line_per_scenario_with_its_id_result_seconds_and_the_count(pytester, suite):
    result = pytester.runpytest(*PYTEST_ARGS, "-p", "no:cacheprovider", "-m", "feature")
    check_the_lines(result)
    assert not any(re.fullmatch(r"[.FEsx]+", line.strip()) for line in result.outlines), "pytest's dots are still printed"
    result.stdout.fnmatch_lines(["*1 failed, 2 passed, 2 skipped, 1 deselected, 1 error*"])  # pytest's own counts stay
    assert not any("%]" in line for line in result.outlines), "pytest's percentages are still printed"


def test_under_xdist_the_controlling_process_prints_every_workers_scenarios(pytester, suite):
    result = pytester.runpytest_subprocess(*PYTEST_ARGS, "-n", "2", "-p", "no:cacheprovider", "-m", "feature")
    check_the_lines(result)


def test_while_nothing_finishes_a_line_every_interval_names_what_runs(pytester, suite):
    result = pytester.runpytest(*PYTEST_ARGS, "-p", "no:cacheprovider", "-m", "feature", "-k", "slow or unclaimed")
    beats = [i for i, line in enumerate(result.outlines) if line.startswith("still running the suite")]
    assert beats, result.outlines
    running = [i for i in beats if re.search(r"\(\d+s so far\): 1/2 done; running ExactlyOnceUnderRandomKills \(\d+ s\)",
                                              result.outlines[i])]
    assert running, [result.outlines[i] for i in beats]
    # a beat after the last scenario (reports, cluster teardown; seen on a loaded machine) says so
    last = next(i for i, line in enumerate(result.outlines) if line.startswith("[2/2]"))
    assert all(result.outlines[i].endswith("2/2 done; finishing") for i in beats if i > last), result.outlines
    # what was counted but not printed comes before the heartbeat that counts it
    assert result.outlines[beats[0] - 1] == "[1/2] 1 not run: 1 unsupported (listed at the end)"


def test_the_end_shows_each_profiles_verdict_and_the_failed_ids_with_their_reasons(pytester, suite):
    result = pytester.runpytest(*PYTEST_ARGS, "-p", "no:cacheprovider", "-m", "feature")
    out = result.outlines
    header = next(i for i, line in enumerate(out) if line.startswith("profile "))
    assert out[header].split() == ["profile", "result", "passed", "failed", "skipped", "unsupported", "notApplicable", "notRun"]
    assert out[header + 1].split() == ["core", "failure", "1", "2", "0", "0", "0", "0"]
    assert out[header + 2].split() == ["extended", "partial", "1", "0", "0", "1", "0", "1"]
    failed = out.index("failed (2):")
    assert out[failed + 1:failed + 5] == [
        "  PromotionWaitsForPostDeployment", "      promotionStatus: expected Pending, observed Progressing",
        "  PromotionTaskContextIsSet", "      error in setup: RuntimeError: cluster did not come up",
    ] or out[failed + 1:failed + 5] == [
        "  PromotionTaskContextIsSet", "      error in setup: RuntimeError: cluster did not come up",
        "  PromotionWaitsForPostDeployment", "      promotionStatus: expected Pending, observed Progressing",
    ]
    assert "  PromotionRunsOnceAcrossRestarts" in out[out.index("claimed but could not run (1):"):]
    unclaimed = out.index("not claimed by the implementation (1):")
    assert out[unclaimed + 1] == "  sample does not claim PromotionNonBlockingFailure: PromotionFailureIsWarning"
    assert not any(line.startswith("FAILED ") for line in out), "pytest's summary names functions, the table names IDs"


def test_the_end_table_names_the_diagnostics_folder_of_a_failed_scenario(tmp_path):
    (tmp_path / "diagnostics" / "PromotionTaskFailureFailsVersion").mkdir(parents=True)
    statistics = {"passed": 3, "failed": 1, "skipped": 0, "unsupported": 0, "notApplicable": 0, "notRun": 0}
    empty = {key: [] for key in ("failedTests", "notRunTests", "notApplicableTests", "unsupportedTests", "skippedTests")}
    report = {"interrupted": True, "profiles": [
        {"name": "core", "result": "failure", "statistics": statistics,
         **empty, "failedTests": [{"id": "PromotionTaskFailureFailsVersion", "reason": "status: expected Failed"}]}]}
    report["profiles"][0]["skippedTests"] = [{"id": f"Scenario{i}", "reason": f"Scenario{i} not selected (--scenarios)"}
                                             for i in range(30)]
    lines = verdict_table(report, tmp_path)
    skipped = lines[lines.index("left out on request (30):") + 1:]
    assert skipped[0].startswith("  not selected (--scenarios): Scenario0, Scenario1, ")  # one reason, the IDs wrapped
    assert len(skipped) == 5 and all(len(line) <= 100 for line in skipped)
    assert ", ".join(skipped).replace(",       ", ", ").count("Scenario") == 30
    assert f"      diagnostics: {tmp_path / 'diagnostics' / 'PromotionTaskFailureFailsVersion'}" in lines
    assert any(line.startswith("the run was interrupted") for line in lines)


def test_a_line_fits_the_terminal_it_is_printed_on():
    outcome = Outcome("PromotionTaskFailureFailsVersion", "PromotionBlockingFailure", "core", "failed", "x" * 300, 12.34, "n")
    assert len(outcome_line(outcome, 3, 36, {"failed": 1}, width=100)) == 100
    whole = outcome_line(outcome, 3, 36, {"failed": 1}, width=None)
    assert whole.endswith("x" * 300) and whole.startswith("[ 3/36] FAILED   PromotionTaskFailureFailsVersion")

