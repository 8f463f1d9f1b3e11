"""A simulation's measurements and report: journeys from evidence (pushes, Flux's applied revisions,
the stages' watched objects), lead time and its breakdown, when a journey has ended, the report
against its schema, and the picture as headless Chromium renders it."""
from __future__ import annotations

import shutil

import pytest

from harness.simulate import journeys as trips, lanes, simulation_report
from harness.gitops.history import Commit
from harness.gitops.pipeline import Pipeline, Release, Stage
from harness.library.recorder import Observation

STAGES = ["dev", "staging", "prod"]


def commit(index: int, changes: dict[str, str], previous: Commit | None = None) -> Commit:
    versions = {s: previous.version(s) for s in STAGES} if previous else {}
    versions.update(changes)
    return Commit(f"{index:040d}", (previous.sha,) if previous else (), f"commit {index}", "x", float(index),
                  {s: {"version": v} for s, v in versions.items()}, frozenset(changes))


SEED = commit(0, {s: "0.1.0" for s in STAGES})
RELEASE = commit(1, {"dev": "1.0.0"}, SEED)
TO_STAGING = commit(2, {"staging": "1.0.0"}, RELEASE)
TO_PROD = commit(3, {"prod": "1.0.0"}, TO_STAGING)
COMMITS = [SEED, RELEASE, TO_STAGING, TO_PROD]


def version_seen(at: float, uid: str, status: str = "", phase: str = "", ended: bool = False) -> Observation:
    obj = {"metadata": {"uid": uid, "name": uid}, "spec": {"version": "1.0.0"},
           "status": {"status": status, "currentPhase": phase, **({"endTime": "2026-01-01T00:00:00Z"} if ended else {})}}
    return Observation("KeptnAppVersion", "MODIFIED", obj, at)


def promotion_seen(at: float, owner: str) -> Observation:
    obj = {"metadata": {"uid": f"t-{owner}", "ownerReferences": [{"uid": owner}]}, "spec": {"checkType": "promotion"}}
    return Observation("KeptnTask", "ADDED", obj, at)


# release pushed at 100; dev applied 101, promotes at 104, staging pushed 105, applied 106, promotes 110,
# prod pushed 111, applied 112, completed 115
OBSERVATIONS = {
    "dev": [version_seen(101.5, "d", "Progressing", "AppDeploy"), promotion_seen(104, "d"),
            version_seen(104.8, "d", "Succeeded", "Completed", ended=True)],
    "staging": [version_seen(106.5, "s", "Progressing"), promotion_seen(110, "s"),
                version_seen(110.9, "s", "Succeeded", "Completed", ended=True)],
    "prod": [version_seen(112.5, "p", "Progressing"), version_seen(115, "p", "Succeeded", "Completed", ended=True)],
}
PUSHES = [(90.0, SEED.sha), (100.0, RELEASE.sha), (105.0, TO_STAGING.sha), (111.0, TO_PROD.sha)]
APPLIED = {"dev": [(95.0, SEED.sha), (101.0, RELEASE.sha), (106.2, TO_STAGING.sha)],
           "staging": [(95.0, SEED.sha), (106.0, TO_STAGING.sha)], "prod": [(95.0, SEED.sha), (112.0, TO_PROD.sha)]}


def the_journey(observations=OBSERVATIONS, commits=COMMITS) -> trips.Journey:
    return trips.journey("1.0.0", STAGES, commits, trips.push_times(commits, PUSHES), APPLIED, observations)


def test_a_journey_is_measured_from_pushes_flux_and_the_watch():
    trip = the_journey()
    dev, staging, prod = trip.visits
    assert (dev.entered, dev.applied, dev.promotion_started, dev.completed) == (100.0, 101.0, 104, 104.8)
    assert (staging.entered, staging.applied, prod.entered, prod.applied, prod.completed) == (105.0, 106.0, 111.0, 112.0, 115)
    assert trip.lead_time == 15.0
    breakdown = trip.breakdown()
    assert breakdown == {"flux": 3.0, "lifecycle": 3 + 4 + 3, "promotion": 1 + 1}
    assert sum(breakdown.values()) == trip.lead_time


def test_a_version_that_did_not_reach_the_last_stage_has_no_lead_time():
    trip = the_journey(commits=COMMITS[:3], observations={**OBSERVATIONS, "prod": []})
    assert trip.lead_time is None and trip.breakdown() is None and trip.furthest.stage == "staging"


def test_when_a_journey_ends():
    wanted = {"dev": "1.0.0", "staging": "1.0.0", "prod": "1.0.0"}
    assert trips.ended(the_journey(), wanted, now=200) == "Succeeded in prod"
    running = the_journey(observations={**OBSERVATIONS, "prod": OBSERVATIONS["prod"][:1]})
    assert trips.ended(running, wanted, now=200) is None
    assert trips.ended(running, {**wanted, "prod": "1.1.0"}, now=200) == "overtaken in prod by 1.1.0"
    stopped = the_journey(commits=COMMITS[:3], observations={**OBSERVATIONS, "prod": []})
    assert trips.ended(stopped, wanted, now=111.0) is None  # its push into prod may still come
    assert trips.ended(stopped, wanted, now=111.0 + trips.SETTLE_SECONDS).startswith("stopped after staging")
    failed = the_journey(commits=COMMITS[:3], observations={
        **OBSERVATIONS, "staging": [version_seen(110.9, "s", "Failed", "AppPostDeployEvaluations", ended=True)], "prod": []})
    assert trips.ended(failed, {**wanted, "staging": "1.1.0"}, now=111) == "failed in staging (AppPostDeployEvaluations)"


PIPELINE = Pipeline("test", "app", tuple(Stage(s) for s in STAGES), (Release("1.0.0", 0),))


def report_of(checks=()) -> dict:
    trip = the_journey()
    return simulation_report.build(PIPELINE, "pipeline.yaml", {"name": "reference", "version": "0.1.0"}, [trip],
                                   {"1.0.0": "Succeeded in prod"}, {("dev", "staging"): {"1.0.0": 1},
                                                                   ("staging", "prod"): {"1.0.0": 1}},
                                   2, list(checks), 90.0, 130.0, True)


def test_the_report_summarises_lead_times_and_matches_its_schema(tmp_path):
    report = report_of([{"name": "one commit per boundary", "passed": True, "message": "held"}])
    assert report["leadTimeSeconds"] == {"count": 1, "median": 15.0, "p90": 15.0, "min": 15.0, "max": 15.0}
    assert report["breakdownMeanSeconds"] == {"flux": 3.0, "lifecycle": 10.0, "promotion": 2.0}
    staging = report["versions"][0]["stages"][1]
    assert (staging["secondsInStage"], staging["status"], staging["enteredAfterSeconds"]) == (4.9, "Succeeded", 15.0)
    data, page = simulation_report.write(tmp_path, report, "<svg></svg>")
    assert data.exists() and "Lead time dev → prod" in page.read_text()
    with pytest.raises(ValueError, match="does not match its schema"):
        simulation_report.write(tmp_path, {**report, "kills": -1}, "")


def test_the_picture_has_a_lane_per_stage_and_the_pushes_and_kills():
    bars = lanes.lane_bars([the_journey()], [(105.0, "promote to staging"), (111.0, "promote to prod")], [107.0])
    assert [bar["row"] for bar in bars] == [*STAGES, lanes.PUSHES, lanes.PUSHES, lanes.KILLS]
    svg = lanes.lanes_svg("test", bars, 130.0)
    assert svg.count('<rect class="bar ') == len(bars)


def test_without_chromium_the_picture_is_said_unchecked_not_wrong(tmp_path, monkeypatch):
    monkeypatch.setattr(lanes.shutil, "which", lambda name: None)
    with pytest.raises(lanes.BrowserMissing, match="headless Chromium is not installed"):
        lanes.check_in_chromium(tmp_path / "index.html", tmp_path / "lanes.png", 3)


@pytest.mark.cluster
@pytest.mark.skipif(shutil.which("chromium") is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_chromium_renders_every_bar_and_a_wrong_count_is_refused(tmp_path):
    bars = lanes.lane_bars([the_journey()], [(105.0, "promote")], [])
    _, page = simulation_report.write(tmp_path, report_of(), lanes.lanes_svg("test", bars, 130.0))
    said = lanes.check_in_chromium(page, tmp_path / "lanes.png", len(bars))
    assert f"all {len(bars)} bars" in said and (tmp_path / "lanes.png").stat().st_size > 1000
    with pytest.raises(lanes.PictureError, match=f"rendered {len(bars)} bars of {len(bars) + 1}"):
        lanes.check_in_chromium(page, tmp_path / "again.png", len(bars) + 1)


def test_simulate_waits_for_a_release_made_while_it_read_the_journeys():
    """The last release lands right after the journeys were read, and the releasing thread ends:
    the run must look again rather than stop on journeys that miss it (a simulate test saw a report
    without its last version)."""
    from harness.simulate.command import until_settled

    state = {"released": ["1.0.0", "1.1.0"], "thread_done": False, "reads": 0}

    def journeys_now():
        state["reads"] += 1
        ended = {v: "Succeeded in prod" for v in state["released"] if v != "1.2.0" or state["reads"] > 2}
        seen = list(state["released"])
        if state["reads"] == 1:  # the release and the end of its thread, just after this read
            state["released"].append("1.2.0")
            state["thread_done"] = True
        return seen, ended

    journeys, ends = until_settled(lambda: state["thread_done"], journeys_now, lambda: state["reads"] > 10,
                                   lambda journeys, ends: None, lambda: None)
    assert journeys == ["1.0.0", "1.1.0", "1.2.0"] and set(ends) == set(journeys)
