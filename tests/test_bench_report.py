"""The BenchmarkReport (issue 8: `reports/bench/<run-id>.json` plus a one-page text summary):
its JSON shape, the targets it reports without enforcing, and the summary's wording."""
from __future__ import annotations

import copy
import json

import pytest

from harness.bench import report, summary
from harness.bench.targets import evaluate


def _stats(median: float, p99: float, count: int = 50) -> dict:
    return {"count": count, "median": median, "p50": median, "p99": p99, "min": median / 2, "max": p99}


def _versions(succeeded: int, stuck: list[dict] | None = None, failed: list[str] | None = None,
              without_context: list[dict] | None = None) -> dict:
    stuck = stuck or []
    return {"succeeded": succeeded, "withoutContext": without_context or [], "failed": failed or [],
            "stuck": {"count": len(stuck), "versions": stuck}, "notStarted": 0}


def _stages() -> dict:
    return {
        "overhead": {
            "versionsPerSetting": 50, "tasks": "one 0-second pre- and one post-deployment task",
            "flagOff": {"lifecycleSeconds": _stats(2.40, 2.9), "tailSeconds": _stats(0.020, 0.1),
                        "versions": _versions(50)},
            "flagOnEmptyPhase": {"lifecycleSeconds": _stats(2.43, 3.0), "tailSeconds": _stats(0.031, 0.2),
                                 "versions": _versions(49, without_context=[
                                     {"app": "on-001", "missing": ["preDeploymentTasks", "postDeploymentTasks"]}])},
            "difference": {"lifecycleSeconds": 0.03, "tailSeconds": 0.011},
        },
        "latency": {
            "versions": _versions(50), "promotionTasksPerVersion": 2, "unmeasured": [],
            "reported": "evaluationEndToLastJobWatchSeconds",
            "evaluationEndToLastJobWatchSeconds": _stats(0.120, 0.640),
            "evaluationEndToFirstTaskWatchSeconds": _stats(0.080, 0.400),
            "evaluationEndToLastJobCreationTimestampSeconds": _stats(0.0, 0.9),
        },
        "parallelism": {"taskSeconds": 5.0, "runs": [
            {"tasks": n, "versions": _versions(1), "phaseSeconds": 5 * ratio, "ratio": ratio,
             "controllerPhaseSeconds": 5 * ratio - 0.1, "floorRatio": ratio - 0.25,
             "breakdown": {"lastTaskSeen": n * 0.05, "lastJobSeen": n * 0.08, "lastTaskEnded": 5 * ratio - 0.2}}
            for n, ratio in ((1, 1.2), (10, 1.25), (50, 1.5))]},
        "scale": {
            "versions": _versions(198, stuck=[{"app": "scale-007", "phase": "PromotionTasks"}], failed=["scale-100"]),
            "versionsStarted": 200, "tasksPerVersion": {"pre": 1, "post": 1, "promotion": 3, "seconds": 0},
            "createSeconds": 3.2, "windowSeconds": 150.0, "versionsPerMinute": 80.0,
            "lifecycleSeconds": _stats(60.0, 140.0, 198),
            "controller": {"cpuSeconds": 61.0, "cpuSecondsPerVersion": 0.305, "rssAtStartMiB": 70.0,
                           "peakRssMiB": 120.5, "profiled": False},
            "apiRequests": {"writesPerVersion": 48.0, "readsPerVersion": 8.0, "events": 2400, "conflicts": 9,
                            "refused": {"PATCH keptnappversions/status 409": 9},
                            "writes": {"POST keptntasks": 1000, "PATCH keptnappversions/status": 1540},
                            "reads": {"LIST jobs": 1000}, "harnessOwnSubtracted": {"POST keptnapps": 200}},
            "controllerWritesPerSecond": 64.0, "profile": None,
        },
        "ceiling": {"objects": 300, "createsPerSecond": 90.0, "statusUpdatesPerSecond": 110.0, "writesPerSecond": 99.0},
    }


def _report(stages: dict | None = None) -> dict:
    return report.build(
        run_id="20260101-000000-1", mode="full", command="promotion-conformance bench",
        started="2026-01-01T00:00:00Z", finished="2026-01-01T00:15:00Z",
        source={"commit": "ee91468", "changedFiles": ["harness/controller/kube.py"]},
        machine={"cpus": 2, "memoryBytes": 24 * 2**30, "cpuModel": "AMD EPYC", "kernel": "6.1", "python": "3.11.7",
                 "loadAverage": {"start": 7.4, "end": 6.1}},
        cluster={"provider": "simulated", "name": "bench-1", "kubernetesVersion": "v1.36.3",
                 "createToReadySeconds": 7.8},
        stages=_stages() if stages is None else stages,
    )


def test_a_complete_report_matches_its_schema_and_survives_json():
    built = _report()
    assert built["kind"] == "BenchmarkReport" and built["apiVersion"] == report.API_VERSION
    report.validate(json.loads(json.dumps(built)))


def test_throughput_is_the_controllers_write_rate_as_a_share_of_the_ceiling():
    # issue 8 item 5: "the controller's throughput as a ratio of it"
    assert _report()["throughput"] == {"controllerWritesPerSecond": 64.0, "ceilingWritesPerSecond": 99.0,
                                       "ratio": 0.646}


def test_without_a_ceiling_there_is_no_ratio():
    stages = _stages()
    del stages["ceiling"]
    assert _report(stages)["throughput"]["ratio"] is None


def test_a_stage_that_stopped_with_an_error_is_a_valid_section():
    stages = _stages()
    stages["latency"] = {"error": "ApiException: (500)"}
    assert _report(stages)["stages"]["latency"] == {"error": "ApiException: (500)"}


@pytest.mark.parametrize(("change", "field"), [
    (lambda r: r["stages"]["scale"]["controller"].pop("peakRssMiB"), "stages.scale"),
    (lambda r: r["stages"].update(warmup={}), "stages"),
    (lambda r: r.update(mode="slow"), "mode"),
    (lambda r: r["stages"]["latency"]["evaluationEndToLastJobWatchSeconds"].update(count=0), "stages.latency"),
    (lambda r: r["stages"]["scale"]["apiRequests"]["writes"].update({"posted jobs": 3}), "stages.scale"),
])
def test_a_report_of_the_wrong_shape_is_refused_naming_the_field(change, field):
    broken = copy.deepcopy(_report())
    change(broken)
    with pytest.raises(report.ReportError, match=f"field {field}"):
        report.validate(broken)


def test_write_puts_the_json_and_the_summary_side_by_side(tmp_path):
    data, text = report.write(_report(), tmp_path / "bench")
    assert data.name == "20260101-000000-1.json" and text.name == "20260101-000000-1.txt"
    assert json.loads(data.read_text())["runId"] == "20260101-000000-1"
    assert text.read_text() == summary.render(_report())


# -- targets (issue 8), reported and never enforced ----------------------------------------

def test_targets_say_met_missed_or_not_measured():
    rows = {row["figure"]: row for row in evaluate(_stages())}
    assert rows["promotion overhead (difference of median lifecycles)"]["met"] is True  # 30 ms < 50 ms
    assert rows["phase latency p50"] == {"figure": "phase latency p50", "target": "< 0.1 s", "value": 0.12,
                                         "met": False}
    assert rows["parallelism at N=50 (phase ÷ task duration)"]["value"] == 1.5  # at most 1.2: missed
    assert rows["parallelism at N=50 (phase ÷ task duration)"]["met"] is False
    assert rows["scale: controller peak RSS"]["met"] is True  # under 150 MB
    assert rows["scale: versions stuck"]["met"] is False  # "no version stuck"


def test_a_quick_run_without_n_50_leaves_that_target_unmeasured():
    stages = _stages()
    stages["parallelism"]["runs"] = stages["parallelism"]["runs"][:1]
    del stages["scale"]
    rows = {row["figure"]: row for row in evaluate(stages)}
    assert rows["parallelism at N=50 (phase ÷ task duration)"] == {
        "figure": "parallelism at N=50 (phase ÷ task duration)", "target": "<= 1.2", "value": None, "met": None}
    assert rows["scale: versions stuck"]["met"] is None


# -- the one-page summary --------------------------------------------------------------------

def test_the_summary_names_the_machine_its_load_and_says_figures_are_noisy():
    text = summary.render(_report())
    assert "code: commit ee91468, with 1 changed file(s) under harness/ in the working tree" in text
    assert "machine: 2 CPUs (AMD EPYC), 24.0 GiB; load average 7.4 at start, 6.1 at end" in text
    assert "shared machine" in text
    assert "create → ready 7.8 s" in text


def test_the_summary_shows_each_figure_once_with_its_unit():
    text = summary.render(_report())
    assert "difference of medians                      +0.030 s" in text
    assert "last Job seen by a watch (reported)         0.120 s    0.640 s   (n=50)" in text
    assert "  50    7.500 s     1.50   1.25                7.400 s   2.50 s, 4.00 s, 7.30 s" in text
    assert "versions completed per minute: 80.0" in text
    assert "peak RSS 120.5 MiB" in text
    assert "0.65 of this ceiling" in text


def test_the_summary_names_stuck_and_failed_versions():
    text = summary.render(_report())
    assert "versions: 198 succeeded, 1 failed, 1 stuck" in text
    assert "stuck: scale-007 (in PromotionTasks)" in text
    assert "failed: scale-100" in text


def test_the_summary_names_versions_that_ran_without_their_context():
    text = summary.render(_report())
    assert ("1 more succeeded without their KeptnAppContext's lists (not measured): "
            "on-001 (no preDeploymentTasks, postDeploymentTasks)") in text


def test_the_summary_gives_writes_per_version_largest_first():
    text = summary.render(_report())
    assert "writes per version: PATCH keptnappversions/status 7.70, POST keptntasks 5.00" in text


def test_the_summary_says_which_stages_did_not_run_or_broke():
    stages = _stages()
    del stages["overhead"]
    stages["ceiling"] = {"error": "ApiException: (500)"}
    text = summary.render(_report(stages))
    assert "1. Promotion overhead: not run" in text
    assert "5. Ceiling: the stage stopped with an error: ApiException: (500)" in text


def test_the_summary_lists_every_target_with_its_verdict():
    lines = [line for line in summary.render(_report()).splitlines() if "target " in line]
    assert len(lines) == 6
    assert any("phase latency p99" in line and line.endswith("missed") for line in lines)
    assert any("scale: controller peak RSS" in line and line.endswith("met") for line in lines)


def test_the_summary_shows_the_profiles_hot_spots_when_the_scale_stage_was_profiled():
    stages = _stages()
    stages["scale"]["controller"]["profiled"] = True
    stages["scale"]["profile"] = {
        "samples": 1000, "rateHz": 100,
        "self": [{"function": "SSLSocket.do_handshake (ssl.py)", "samples": 111, "share": 0.111}],
        "project": [{"function": "EventRecorder.emit (harness/controller/events.py)", "samples": 228, "share": 0.228}],
    }
    text = summary.render(_report(stages))
    assert "— profiled while measured" in text
    assert "profile (py-spy, 1000 non-idle samples) — innermost functions:\n      11.1%  SSLSocket.do_handshake (ssl.py)" in text
    assert "22.8%  EventRecorder.emit (harness/controller/events.py)" in text
