"""The BenchmarkReport (issues 8 and 16: `reports/bench/<run-id>.json` plus a text summary): one
column per implementation, the side-by-side comparison with ratios and with cells the harness
could not measure, its JSON shape, the goals it reports without enforcing, and the summary."""
from __future__ import annotations

import copy
import json

import pytest

from harness.bench import benchmark_report, summary
from harness.bench.plan import FULL, QUICK
from harness.bench.targets import evaluate

POLLING_WHY = "polling-variant runs in the cluster (in-cluster mode): the harness sees no process of it"


def _stats(median: float, p99: float, count: int = 50) -> dict:
    return {"count": count, "median": median, "p50": median, "p99": p99, "min": median / 2, "max": p99}


def _versions(succeeded: int, stuck: list[dict] | None = None, failed: list[str] | None = None,
              without_context: list[dict] | None = None) -> dict:
    stuck = stuck or []
    return {"succeeded": succeeded, "withoutContext": without_context or [], "failed": failed or [],
            "stuck": {"count": len(stuck), "versions": stuck}, "notStarted": 0}


def _scale_run(count: int, per_minute: float, writes_per_second: float, rss: float, stuck: int = 0) -> dict:
    stuck_versions = [{"app": f"scale-{i:04d}", "phase": "PromotionTasks"} for i in range(stuck)]
    return {
        "versionsStarted": count, "versions": _versions(count - stuck, stuck=stuck_versions),
        "tasksPerVersion": {"pre": 1, "post": 1, "promotion": 3, "seconds": 0},
        "createSeconds": 3.2, "windowSeconds": 150.0, "loadAverage": {"start": 3.0, "end": 5.5},
        "harnessCpuSeconds": 12.5, "versionsPerMinute": per_minute, "lifecycleSeconds": _stats(60.0, 140.0, count),
        "implementation": {"cpuSeconds": 0.2 * count, "cpuSecondsPerVersion": 0.2, "rssAtStartMiB": 70.0,
                           "peakRssMiB": rss, "processes": 1, "profiled": False},
        "apiRequests": {"writesPerVersion": 46.0, "readsPerVersion": 0.0, "events": 12 * count, "conflicts": 0,
                        "refused": {}, "writes": {"POST keptntasks": 5 * count, "PATCH keptnappversions/status": 7 * count},
                        "reads": {}, "harnessOwnSubtracted": {"POST keptnapps": count}},
        "writesPerSecond": writes_per_second, "profile": None,
    }


def _stages(latency_p50: float = 0.040, over_floor_50: float = 1.08, share: float = 85.0) -> dict:
    return {
        "overhead": {
            "versionsPerSetting": 50, "tasks": "one 0-second pre- and one post-deployment task",
            "flagOff": {"lifecycleSeconds": _stats(2.40, 2.9), "tailSeconds": _stats(0.020, 0.1),
                        "versions": _versions(50), "unmeasured": []},
            "flagOnEmptyPhase": {"lifecycleSeconds": _stats(2.43, 3.0), "tailSeconds": _stats(0.031, 0.2),
                                 "versions": _versions(49, without_context=[
                                     {"app": "on-001", "missing": ["preDeploymentTasks", "postDeploymentTasks"]}]),
                                 "unmeasured": [{"app": "on-002", "why": "the watch never saw it end"}]},
            "difference": {"lifecycleSeconds": 0.03, "tailSeconds": 0.011},
        },
        "latency": {
            "versions": _versions(50), "promotionTasksPerVersion": 2, "unmeasured": [],
            "reported": "postJobFinishedToFirstTaskSeconds",
            "postJobFinishedToFirstTaskSeconds": _stats(latency_p50, latency_p50 * 3),
            "postJobFinishedToLastJobSeconds": _stats(latency_p50 * 2, latency_p50 * 5),
        },
        "parallelism": {"taskSeconds": 5.0, "runs": [
            {"tasks": n, "versions": _versions(1), "phaseSeconds": 6.0 * over, "ratio": round(6.0 * over / 5, 3),
             "floorSeconds": 6.0, "floorRatio": 1.2, "overFloor": over, "floorLastCreated": n * 0.01,
             "breakdown": {"firstTask": 0.03, "lastTask": n * 0.01, "lastJob": n * 0.03, "lastJobFinished": 6.0 * over - 0.05,
                           "versionEnded": 6.0 * over}}
            for n, over in ((1, 1.01), (10, 1.03), (50, over_floor_50), (100, 1.1))]},
        "scale": {"runs": [_scale_run(200, 190.0, share * 0.9, 120.5), _scale_run(1000, 180.0, share, 180.0, stuck=1)]},
        "ceiling": {"objects": 300, "createsPerSecond": 90.0, "statusUpdatesPerSecond": 110.0, "writesPerSecond": 100.0},
    }


def _column(name: str, stages: dict, mode: str = "process") -> dict:
    return {"name": name, "adapter": f"/adapters/{name}.yaml", "mode": mode,
            "implementation": {"name": f"{name} controller", "version": "0.1.0"},
            "cluster": {"provider": "simulated", "name": f"bench-{name}", "kubernetesVersion": "v1.36.3",
                        "createToReadySeconds": 7.8},
            "loadAverage": {"start": 4.0, "end": 6.0}, "stages": stages}


def _polling_stages() -> dict:
    stages = _stages(latency_p50=2.5, over_floor_50=2.2, share=20.0)
    for run in stages["scale"]["runs"]:
        run["implementation"] = {"notMeasurable": POLLING_WHY}
    stages["overhead"] = {"notMeasurable": "the adapter /adapters/polling.yaml gives no featureFlag"}
    return stages


def _report(columns: list[dict] | None = None, plan=FULL) -> dict:
    return benchmark_report.build(
        run_id="20260101-000000-1", plan=plan, command="promotion-conformance bench --impl reference --impl polling.yaml",
        started="2026-01-01T00:00:00Z", finished="2026-01-01T00:45:00Z",
        source={"commit": "ee91468", "changedFiles": ["harness/controller/api_calls.py"]},
        machine={"cpus": 2, "memoryBytes": 24 * 2**30, "cpuModel": "AMD EPYC", "kernel": "6.1", "python": "3.11.7",
                 "loadAverage": {"start": 7.4, "end": 6.1}},
        provider="simulated",
        implementations=columns if columns is not None else [_column("reference", _stages()),
                                                              _column("polling-variant", _polling_stages(), "in-cluster")],
    )


def _row(built: dict, key: str) -> dict:
    return next(row for row in built["comparison"]["figures"] if row["key"] == key)


def test_a_complete_report_matches_its_schema_and_survives_json():
    built = _report()
    assert built["kind"] == "BenchmarkReport" and built["apiVersion"] == benchmark_report.API_VERSION
    benchmark_report.validate(json.loads(json.dumps(built)))


# -- side by side --------------------------------------------------------------------------

def test_each_figure_is_given_per_implementation_with_the_ratio_to_the_first():
    built = _report()
    assert built["comparison"]["baseline"] == "reference"
    latency = _row(built, "latencyP50")
    assert latency["cells"] == {"reference": {"value": 40.0, "why": None}, "polling-variant": {"value": 2500.0, "why": None}}
    assert latency["unit"] == "ms"
    assert latency["ratios"] == {"polling-variant": 62.5}
    assert _row(built, "overFloor50")["ratios"] == {"polling-variant": round(2.2 / 1.08, 3)}
    assert _row(built, "share1000")["cells"]["reference"]["value"] == 0.85  # 85 writes/s ÷ ceiling 100/s


def test_a_figure_the_harness_cannot_get_says_why_and_has_no_ratio():
    built = _report()
    rss = _row(built, "rss1000")
    assert rss["cells"]["polling-variant"] == {"value": None, "why": POLLING_WHY}
    assert rss["ratios"] == {"polling-variant": None}
    overhead = _row(built, "overhead")["cells"]["polling-variant"]
    assert overhead["value"] is None and "gives no featureFlag" in overhead["why"]


def test_a_stage_not_run_or_broken_says_so_in_its_cells():
    polling = _polling_stages()
    del polling["latency"]
    polling["ceiling"] = {"error": "ApiException: (500)"}
    built = _report([_column("reference", _stages()), _column("polling-variant", polling)])
    assert _row(built, "latencyP50")["cells"]["polling-variant"]["why"] == "the latency stage was not run"
    assert "the ceiling stage stopped with an error: ApiException: (500)" in \
        _row(built, "share200")["cells"]["polling-variant"]["why"]


def test_an_implementation_that_could_not_be_brought_up_says_so_in_every_cell():
    broken = {**_column("broken", {}), "error": "broken: start step `helm install` failed (exit 1):\nno chart"}
    built = _report([_column("reference", _stages()), broken])
    assert {row["cells"]["broken"]["why"] for row in built["comparison"]["figures"]} == {
        "broken could not be measured: broken: start step `helm install` failed (exit 1):"}


def test_an_interrupted_implementation_keeps_the_figures_of_the_stages_it_finished():
    stages = {"latency": _stages()["latency"], "parallelism": {"error": "interrupted"}}
    cut = {**_column("reference", stages), "error": "interrupted (SIGTERM) during the run"}
    built = _report([cut])
    assert _row(built, "latencyP50")["cells"]["reference"] == {"value": 40.0, "why": None}
    assert _row(built, "overFloor50")["cells"]["reference"]["why"] == "the parallelism stage stopped with an error: interrupted"
    assert "could not be measured: interrupted (SIGTERM) during the run" in summary.render(built)


def test_no_ratio_against_a_first_figure_at_or_below_zero():
    stages = _stages()
    stages["overhead"]["difference"]["lifecycleSeconds"] = -0.004  # noise around zero
    polling = _stages()
    built = _report([_column("reference", stages), _column("polling-variant", polling)])
    assert _row(built, "overhead")["ratios"] == {"polling-variant": None}
    assert _row(built, "stuck200")["ratios"] == {"polling-variant": None}  # 0 stuck: nothing to divide by


def test_a_scale_run_that_stopped_says_why_in_its_cells_and_the_summary():
    stages = _stages()
    stages["scale"]["runs"][1] = {"versionsStarted": 1000, "error": "reference exited; its log: ERROR lost the Lease"}
    built = _report([_column("reference", stages)])
    assert _row(built, "rss1000")["cells"]["reference"]["why"] == \
        "the run of 1000 versions stopped: reference exited; its log: ERROR lost the Lease"
    assert [row["versions"] for row in built["implementations"][0]["throughput"]] == [200]
    assert "4. Scale — 1000 versions: the run stopped: reference exited; its log: ERROR lost the Lease" in \
        summary.render(built)


def test_a_count_the_plan_did_not_run_is_not_compared():
    keys = [row["key"] for row in _report(plan=QUICK, columns=[_column("reference", {})])["comparison"]["figures"]]
    assert "overFloor3" in keys and "overFloor50" not in keys and "rss10" in keys and "rss1000" not in keys


def test_throughput_is_each_scale_runs_write_rate_as_a_share_of_the_same_clusters_ceiling():
    column = _report()["implementations"][0]
    assert column["throughput"] == [
        {"versions": 200, "writesPerSecond": 76.5, "ceilingWritesPerSecond": 100.0, "share": 0.765},
        {"versions": 1000, "writesPerSecond": 85.0, "ceilingWritesPerSecond": 100.0, "share": 0.85}]


def test_without_a_ceiling_there_is_no_share():
    stages = _stages()
    del stages["ceiling"]
    assert {row["share"] for row in _report([_column("reference", stages)])["implementations"][0]["throughput"]} == {None}


# -- shape ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    (lambda r: r["implementations"][0]["stages"]["scale"]["runs"][0]["implementation"].pop("peakRssMiB"),
     "implementations.0.stages.scale"),
    (lambda r: r["implementations"][0]["stages"].update(warmup={}), "implementations.0.stages"),
    (lambda r: r.update(mode="slow"), "mode"),
    (lambda r: r["implementations"][0]["stages"]["latency"]["postJobFinishedToFirstTaskSeconds"].update(count=0),
     "implementations.0.stages.latency"),
    (lambda r: r["implementations"][1]["stages"]["scale"]["runs"][0]["apiRequests"]["writes"].update({"posted jobs": 3}),
     "implementations.1.stages.scale"),
    (lambda r: r["comparison"]["figures"][0]["cells"]["reference"].update(value=None, why=None), "comparison.figures.0"),
    (lambda r: r["implementations"].clear(), "implementations"),
])
def test_a_report_of_the_wrong_shape_is_refused_naming_the_field(change, field):
    broken = copy.deepcopy(_report())
    change(broken)
    with pytest.raises(benchmark_report.ReportError, match=f"field {field}"):
        benchmark_report.validate(broken)


def test_write_puts_the_json_and_the_summary_side_by_side(tmp_path):
    data, text = benchmark_report.write(_report(), tmp_path / "bench")
    assert data.name == "20260101-000000-1.json" and text.name == "20260101-000000-1.txt"
    assert json.loads(data.read_text())["runId"] == "20260101-000000-1"
    assert text.read_text() == summary.render(_report())


# -- goals, reported and never enforced ------------------------------------------------------

def test_goals_say_met_missed_or_not_measured_and_why():
    rows = {row["figure"]: row for row in evaluate(_stages())}
    assert rows["promotion overhead (difference of median lifecycles)"]["met"] is True  # 30 ms < 50 ms
    assert rows["phase latency p50"] == {"figure": "phase latency p50", "target": "< 0.1 s", "value": 0.04,
                                         "met": True, "why": None}
    assert rows["parallelism at N=50: phase ÷ the cluster's floor"]["value"] == 1.08  # at most 1.05: missed
    assert rows["parallelism at N=50: phase ÷ the cluster's floor"]["met"] is False
    assert rows["scale 1000: peak RSS"]["met"] is True  # 180 < 200 MiB
    assert rows["scale 1000: versions stuck"]["met"] is False  # one stuck
    assert rows["scale 1000: writes per second ÷ the API ceiling"]["met"] is False  # 0.85 < 0.9


def test_a_quick_run_leaves_the_goals_of_n_50_and_1000_versions_unmeasured_saying_why():
    stages = _stages()
    stages["parallelism"]["runs"] = stages["parallelism"]["runs"][:1]
    stages["scale"]["runs"] = stages["scale"]["runs"][:1]
    rows = {row["figure"]: row for row in evaluate(stages)}
    assert rows["parallelism at N=50: phase ÷ the cluster's floor"] == {
        "figure": "parallelism at N=50: phase ÷ the cluster's floor", "target": "<= 1.05", "value": None, "met": None,
        "why": "N = 50 was not run"}
    assert rows["scale 1000: versions stuck"]["why"] == "1000 versions were not run"


def test_memory_of_an_implementation_in_the_cluster_is_not_measured_saying_why():
    rows = {row["figure"]: row for row in evaluate(_polling_stages())}
    assert rows["scale 1000: peak RSS"] == {"figure": "scale 1000: peak RSS", "target": "< 200 MiB", "value": None,
                                            "met": None, "why": POLLING_WHY}


# -- the summary -------------------------------------------------------------------------------

def test_the_summary_names_the_machine_its_load_and_each_implementations_cluster():
    text = summary.render(_report())
    assert "code: commit ee91468, with 1 changed file(s) under harness/ in the working tree" in text
    assert "machine: 2 CPUs (AMD EPYC), 24.0 GiB; load average 7.4 at start, 6.1 at end" in text
    assert "shared machine" in text
    assert "each implementation on a fresh simulated cluster: reference (process, load 4 → 6); " \
           "polling-variant (in-cluster, load 4 → 6)" in text
    assert "create → ready 7.8 s" in text
    assert ("plan: overhead up to 50 versions per setting, latency up to 50, N = 1, 10, 50, 100, scale 200, 1000 "
            "versions; one-by-one stages stop starting versions after 480 s, a scale run waits 900 s") in text


def test_the_summary_puts_the_implementations_side_by_side_with_ratios_and_reasons():
    lines = summary.side_by_side(_report())
    assert lines[1].split() == ["figure", "reference", "polling-variant", "polling-va", "÷", "reference"]
    latency = next(line for line in lines if line.startswith("phase latency p50"))
    assert latency.split()[-3:] == ["40", "2500", "62.50×"]
    rss = next(line for line in lines if line.startswith("scale 1000: peak RSS"))
    assert rss.split()[-4:] == ["180", "n/a", "[2]", "—"]
    assert f"  [2] {POLLING_WHY}" in lines
    assert any(line.startswith("  [1] the adapter /adapters/polling.yaml gives no featureFlag") for line in lines)


def test_the_summary_shows_each_stage_of_each_implementation():
    text = summary.render(_report())
    assert "=== reference — reference controller 0.1.0 (process; adapter /adapters/reference.yaml)" in text
    assert "1. Promotion overhead: not measurable: the adapter /adapters/polling.yaml gives no featureFlag" in text
    assert "difference of medians                          +0.030 s" in text
    assert "first promotion KeptnTask (reported)            0.040 s    0.120 s   (n=50)" in text
    assert "     50    6.480 s    6.000 s    1.080    1.30   0.03, 0.50, 1.50, 6.43, 6.48" in text
    assert "        floor: the last of its 50 Jobs created 0.50 s after the first" in text
    assert "versions completed per minute: 180.0" in text
    assert "peak RSS 180.0 MiB" in text
    assert "writes per second: 85.0 = 0.85 of the ceiling" in text
    assert f"CPU and memory: not measurable: {POLLING_WHY}" in text


def test_the_summary_names_stuck_failed_and_unmeasured_versions():
    text = summary.render(_report())
    assert "versions: 999 succeeded, 0 failed, 1 stuck" in text
    assert "stuck: scale-0000 (in PromotionTasks)" in text
    assert ("1 more succeeded without their KeptnAppContext's lists (not measured): "
            "on-001 (no preDeploymentTasks, postDeploymentTasks)") in text
    assert "not measured: on-002: the watch never saw it end" in text


def test_the_summary_says_which_stages_did_not_run_or_broke():
    stages = _stages()
    del stages["overhead"]
    stages["ceiling"] = {"error": "ApiException: (500)"}
    text = summary.render(_report([_column("reference", stages)]))
    assert "1. Promotion overhead: not run" in text
    assert "5. Ceiling: the stage stopped with an error: ApiException: (500)" in text


def test_the_summary_lists_every_goal_of_every_implementation_with_its_verdict():
    lines = [line for line in summary.render(_report()).splitlines() if "  goal " in line]
    assert len(lines) == 2 * 7
    assert any("phase latency p99" in line and line.endswith("met") for line in lines)
    assert any("scale 1000: peak RSS" in line and line.endswith("not measured") for line in lines)


def test_the_summary_shows_the_profiles_hot_spots_when_a_scale_run_was_profiled():
    stages = _stages()
    run = stages["scale"]["runs"][0]
    run["implementation"]["profiled"] = True
    run["profile"] = {
        "samples": 1000, "rateHz": 100,
        "self": [{"function": "SSLSocket.do_handshake (ssl.py)", "samples": 111, "share": 0.111}],
        "project": [{"function": "EventRecorder.emit (harness/controller/events.py)", "samples": 228, "share": 0.228}],
    }
    text = summary.render(_report([_column("reference", stages)]))
    assert "— profiled while measured" in text
    assert "profile (py-spy, 1000 non-idle samples) — innermost functions:\n      11.1%  SSLSocket.do_handshake (ssl.py)" in text
    assert "22.8%  EventRecorder.emit (harness/controller/events.py)" in text


def test_a_parallelism_run_that_stopped_keeps_the_other_rows_and_says_why_in_its_cells_and_the_summary():
    stages = _stages()
    kept = stages["parallelism"]["runs"][0]
    stopped = stages["parallelism"]["runs"][-1]["tasks"]
    stages["parallelism"]["runs"][-1] = {"tasks": stopped, "error": "ApiException: (500) etcdserver: request timed out"}
    built = _report([_column("reference", stages)])
    benchmark_report.validate(json.loads(json.dumps(built)))
    assert _row(built, f"overFloor{stopped}")["cells"]["reference"]["why"] == \
        f"the run of N = {stopped} stopped: ApiException: (500) etcdserver: request timed out"
    assert _row(built, f"overFloor{kept['tasks']}")["cells"]["reference"].get("value") == kept["overFloor"]
    assert f"{stopped:>4} the run stopped: ApiException: (500) etcdserver: request timed out" in summary.render(built)
