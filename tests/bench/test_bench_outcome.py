"""How a benchmark sorts the versions it started (issue 8: "no version stuck" — a version stuck is
reported with its name, never waited on for ever; only versions that ran the measured lifecycle
are measured)."""
from __future__ import annotations

from types import SimpleNamespace

from harness.bench.workload import Outcome

LISTS = {"postDeploymentTasks": ["post-0s"], "promotionTasks": ["promote-a"]}


def _space(versions: dict[str, dict | None]):
    return SimpleNamespace(contexts={app: LISTS for app in versions}, version_of=versions.get)


def _version(app: str, status: dict | None, spec_lists: dict | None = None) -> dict:
    return {"spec": {"appName": app, **(LISTS if spec_lists is None else spec_lists)}, "status": status}


def test_versions_are_sorted_into_succeeded_failed_and_stuck_with_their_phase():
    space = _space({
        "ok": _version("ok", {"status": "Succeeded", "currentPhase": "Completed"}),
        "bad": _version("bad", {"status": "Failed", "currentPhase": "PromotionTasks"}),
        "slow": _version("slow", {"status": "Progressing", "currentPhase": "PromotionTasks"}),
        "new": _version("new", None),
        "never": None,
    })
    outcome = Outcome()
    for app in ("ok", "bad", "slow", "new", "never"):
        outcome.add_final(space, app)
    report = outcome.report()
    assert report["succeeded"] == 1 and report["failed"] == ["bad"]
    assert report["stuck"] == {"count": 3, "versions": [
        {"app": "slow", "phase": "PromotionTasks"}, {"app": "new", "phase": "no status"},
        {"app": "never", "phase": "no KeptnAppVersion"}]}
    assert outcome.started == 5


def test_a_version_without_its_contexts_lists_is_reported_and_not_measured():
    space = _space({"raced": _version("raced", {"status": "Succeeded"}, spec_lists={})})
    outcome = Outcome()
    outcome.add_final(space, "raced")
    assert outcome.succeeded == []
    assert outcome.report()["withoutContext"] == [{"app": "raced", "missing": ["postDeploymentTasks", "promotionTasks"]}]


def test_outcomes_of_blocks_add_up():
    first, second = Outcome(failed=["a"]), Outcome(stuck=[{"app": "b", "phase": "AppDeploy"}], not_started=["c"])
    first.extend(second)
    assert first.started == 2 and first.report()["notStarted"] == 1
