"""The judges of the gitops scenarios (harness/judges/stages.py), each shown failing on the input it
exists to refuse: two commits across one boundary, a prod that went back, a commit never applied,
a context without the commit, an unlinked trace."""
from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest

from harness import timeouts
from harness.eventually import WaitTimedOut
from harness.gitops.history import Commit
from harness.judges import app_versions, lifecycle, stages
from harness.library.recorder import Observation

STAGES = ("dev", "staging", "prod")
BOUNDARIES = [("dev", "staging"), ("staging", "prod")]


def history(*steps: tuple[str, dict[str, str]]) -> list[Commit]:
    """Commits c0, c1, ... in a line; each step is (subject, the stages' versions it sets)."""
    commits, versions = [], {}
    for index, (subject, changes) in enumerate(steps):
        versions = {**versions, **changes}
        releases = {stage: {"version": versions.get(stage, "")} for stage in STAGES}
        parents = (f"c{index - 1}".ljust(40, "0"),) if index else ()
        commits.append(Commit(f"c{index}".ljust(40, "0"), parents, subject, "someone", float(index), releases,
                              frozenset(changes)))
    return commits


SEED = ("seed", {"dev": "0.1.0", "staging": "0.1.0", "prod": "0.1.0"})
GOOD = history(SEED, ("release", {"dev": "1.0.0"}), ("promote", {"staging": "1.0.0"}), ("promote", {"prod": "1.0.0"}))


def sha(index: int) -> str:
    return f"c{index}".ljust(40, "0")


def test_one_commit_per_boundary_holds_for_a_clean_flow():
    stages.each_boundary_must_have_one_commit(GOOD, BOUNDARIES, "1.0.0")


def test_two_commits_across_a_boundary_fail():
    twice = history(*[(c.subject, {s: c.version(s) for s in c.changed}) for c in GOOD],
                    ("confirm", {"staging": "1.0.0"}))
    twice[-1] = Commit(twice[-1].sha, twice[-1].parents, "confirm", "x", 9.0,
                       {**twice[-1].releases, "staging": {"version": "1.0.0", "note": "again"}}, frozenset({"staging"}))
    with pytest.raises(AssertionError, match="dev → staging: 2 commits"):
        stages.each_boundary_must_have_one_commit(twice, BOUNDARIES, "1.0.0")
    with pytest.raises(AssertionError, match="promoted more than once"):
        stages.must_not_be_promoted_twice(twice, BOUNDARIES, "1.0.0")


def test_a_missing_promotion_commit_fails():
    stopped = GOOD[:3]
    with pytest.raises(AssertionError, match="staging → prod: 0 commits"):
        stages.each_boundary_must_have_one_commit(stopped, BOUNDARIES, "1.0.0")
    stages.must_not_be_promoted_twice(stopped, BOUNDARIES, "1.0.0")  # stopping before a boundary is no double


def test_the_seed_is_no_promotion_commit():
    assert stages.promotion_commits(GOOD, "prod", "0.1.0") == []


def test_a_version_that_reached_a_stage_it_must_not_fails():
    with pytest.raises(AssertionError, match="must never have been promoted to prod"):
        stages.stage_must_not_receive(GOOD, "prod", "1.0.0")
    stages.stage_must_not_receive(GOOD[:3], "prod", "1.0.0")


def test_a_stage_ending_elsewhere_fails():
    stages.stage_must_end_at(GOOD, "prod", "1.0.0")
    with pytest.raises(AssertionError, match="prod should end at 1.1.0"):
        stages.stage_must_end_at(GOOD, "prod", "1.1.0")


def test_prod_going_back_fails_in_the_history_and_in_what_flux_applied():
    back = history(SEED, ("promote", {"prod": "1.1.0"}), ("promote", {"prod": "1.0.0"}))
    with pytest.raises(AssertionError, match="went back from 1.1.0 .* to 1.0.0"):
        stages.must_never_go_back(stages.history_versions(back, "prod"), "prod in the repository")
    applied = [(1.0, sha(0)), (2.0, sha(1)), (3.0, sha(2))]
    with pytest.raises(AssertionError, match="went back"):
        stages.must_never_go_back(stages.applied_versions(back, applied, "prod"), "prod as Flux applied it")
    stages.must_never_go_back(stages.history_versions(GOOD, "prod"), "prod")


def test_versions_compare_by_number_not_by_text():
    stages.must_never_go_back([("a", "1.9.0"), ("b", "1.10.0")], "prod")
    with pytest.raises(AssertionError):
        stages.must_never_go_back([("a", "1.10.0"), ("b", "1.9.0")], "prod")


def test_a_keptn_app_that_went_back_fails():
    def seen(version: str, generation: int) -> Observation:
        return Observation("KeptnApp", "MODIFIED", {"metadata": {"generation": generation}, "spec": {"version": version}}, 0.0)

    observed = stages.keptn_app_versions([seen("1.0.0", 1), seen("1.0.0", 1), seen("1.1.0", 2), seen("1.0.0", 3)])
    assert [v for _, v in observed] == ["1.0.0", "1.1.0", "1.0.0"]
    with pytest.raises(AssertionError, match="generation 3"):
        stages.must_never_go_back(observed, "the KeptnApp of prod")


def test_flux_applied_judges():
    applied = [(5.0, sha(0)), (7.0, sha(2))]
    assert stages.flux_must_have_applied(GOOD, applied, "staging", "1.0.0") == 7.0
    with pytest.raises(AssertionError, match="never applied 1.0.0 in prod"):
        stages.flux_must_have_applied(GOOD, applied, "prod", "1.0.0")
    with pytest.raises(AssertionError, match="Flux applied 1.0.0 in staging"):
        stages.flux_must_not_have_applied(GOOD, applied, "staging", "1.0.0")
    with pytest.raises(AssertionError, match="does not have"):
        stages.applied_versions(GOOD, [(1.0, "f" * 40)], "dev")


def app_version(name: str, version: str, commit: str | None = None) -> dict:
    spec = {"version": version}
    if commit is not None:
        spec["metadata"] = {"commitID": commit}
    return {"metadata": {"name": name, "uid": name}, "spec": spec}


def test_the_next_stage_must_name_the_commit_flux_applied_in_the_stage_before():
    applied_in_dev = [(1.0, sha(1)), (2.0, sha(2))]  # c2 keeps dev's release of c1
    assert stages.commit_must_be_visible(GOOD, applied_in_dev, "dev", app_version("s", "1.0.0", sha(1))) == sha(1)
    with pytest.raises(AssertionError, match="not a commit of the repository"):
        stages.commit_must_be_visible(GOOD, applied_in_dev, "dev", app_version("s", "1.0.0", "none"))
    with pytest.raises(AssertionError, match="where dev runs 0.1.0"):
        stages.commit_must_be_visible(GOOD, applied_in_dev, "dev", app_version("s", "1.0.0", sha(0)))
    with pytest.raises(AssertionError, match="never applied by Flux in dev"):
        stages.commit_must_be_visible(GOOD, [(1.0, sha(0))], "dev", app_version("s", "1.0.0", sha(1)))


def job_with_context(context) -> dict:
    env = [{"name": "KEPTN_CONTEXT", "value": context if isinstance(context, str) else json.dumps(context)}]
    return {"metadata": {"name": "job"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "env": env}]}}}}


def test_the_task_context_must_carry_the_commit():
    stages.context_must_carry(job_with_context({"metadata": {"commitID": "abc"}}), "commitID", "abc")
    with pytest.raises(AssertionError, match="should be 'abc', is 'def'"):
        stages.context_must_carry(job_with_context({"metadata": {"commitID": "def"}}), "commitID", "abc")
    with pytest.raises(AssertionError, match="not a JSON object"):
        stages.context_must_carry(job_with_context("{broken"), "commitID", "abc")
    with pytest.raises(AssertionError, match="no KEPTN_CONTEXT"):
        stages.context_must_carry({"metadata": {"name": "job"}, "spec": {}}, "commitID", "abc")


class _Seen:
    """A stage's watch record: `ever` over fixed objects by kind."""

    def __init__(self, objects: dict[str, list[dict]]):
        self.objects = objects

    def ever(self, kind, predicate):
        return [o for o in self.objects.get(kind, []) if predicate(o)]


class _Run:
    """What commits_must_be_visible reads of a running dev → staging → prod pipeline."""

    def __init__(self, versions: dict[str, dict], staging_seen: dict[str, list[dict]]):
        self.versions = versions
        self.recorders = {"staging": _Seen(staging_seen), "prod": _Seen({})}
        self.sites = {stage: SimpleNamespace(kube=self, namespace=stage) for stage in ("dev", "staging", "prod")}
        self.pipeline = self
        self.app = "podtato-head"

    def history(self):
        return GOOD

    def boundaries(self):
        return BOUNDARIES

    def next_stage(self, stage):
        return {"dev": "staging", "staging": "prod"}.get(stage)

    def applied(self, stage):
        return {"dev": [(1.0, sha(1))], "staging": [(2.0, sha(2))], "prod": [(3.0, sha(3))]}[stage]


def _staging_promotion(commit: str) -> dict[str, list[dict]]:
    task = {"metadata": {"uid": "task-1", "ownerReferences": [{"uid": "staging-1.0.0"}]},
            "spec": {"checkType": "promotion", "taskDefinition": "promote"}}
    job = job_with_context({"metadata": {"commitID": commit}})
    job["metadata"].update(uid="job-1", ownerReferences=[{"uid": "task-1"}])
    return {"KeptnTask": [task], "Job": [job]}


@pytest.fixture
def stage_versions(monkeypatch):
    versions = {"staging": app_version("staging-1.0.0", "1.0.0", sha(1)), "prod": app_version("prod-1.0.0", "1.0.0", sha(2))}
    monkeypatch.setattr(app_versions, "latest_app_version", lambda kube, namespace, app, version=None: kube.versions[namespace])
    return versions


def test_commits_are_visible_across_every_boundary_in_the_version_and_the_next_promotion_context(stage_versions):
    stages.commits_must_be_visible(_Run(stage_versions, _staging_promotion(sha(1))), "1.0.0")


def test_a_version_without_the_commit_or_a_promotion_context_with_another_fails_commits_must_be_visible(stage_versions):
    with pytest.raises(AssertionError, match="KEPTN_CONTEXT metadata.commitID should be 'c1"):
        stages.commits_must_be_visible(_Run(stage_versions, _staging_promotion(sha(0))), "1.0.0")
    with pytest.raises(AssertionError, match="no promotion KeptnTask of 'promote' was seen for staging-1.0.0"):
        stages.commits_must_be_visible(_Run(stage_versions, {}), "1.0.0")
    without = {**stage_versions, "prod": app_version("prod-1.0.0", "1.0.0")}
    with pytest.raises(AssertionError, match="prod-1.0.0 names commitID None .* not a commit of the repository"):
        stages.commits_must_be_visible(_Run(without, _staging_promotion(sha(1))), "1.0.0")


def _prod_version(status: dict) -> dict:
    return {"metadata": {"name": "podtato-head-1.0.0", "creationTimestamp": "2026-12-03T08:00:00Z"},
            "spec": {"appName": "podtato-head", "version": "1.0.0"}, "status": status}


def _prod_kube(listing) -> SimpleNamespace:
    """prod's cluster, whose KeptnAppVersions `listing()` answers."""
    return SimpleNamespace(list=lambda kind, namespace=None, label_selector=None: listing())


def test_a_stage_version_must_complete_with_an_end_time(monkeypatch):
    monkeypatch.setattr(timeouts.TIMEOUTS, "current", timeouts.Timeouts(object_state=0.3, lifecycle=0.3, poll_interval=0.05))
    ended = _prod_version({"status": "Failed", "endTime": "2026-12-03T08:01:00Z"})  # whichever way, but ended
    assert lifecycle.app_version_must_complete(_prod_kube(lambda: [ended]), "prod", "podtato-head", "1.0.0") is ended
    for status in ({"status": "Progressing", "currentPhase": "PromotionTasks"},
                   {"status": "Succeeded"}):  # a completed state without its endTime is not written to the end
        with pytest.raises(WaitTimedOut, match="the KeptnAppVersion 1.0.0 of prod/podtato-head to complete"):
            lifecycle.app_version_must_complete(_prod_kube(lambda: [_prod_version(status)]), "prod", "podtato-head", "1.0.0")


def test_some_version_must_reach_the_last_stage_and_each_that_did_once_per_boundary():
    assert stages.reached_versions_must_have_one_commit_per_boundary(GOOD, BOUNDARIES, ["1.0.0", "2.0.0"], "prod") == ["1.0.0"]
    with pytest.raises(AssertionError, match="no released version reached prod"):
        stages.reached_versions_must_have_one_commit_per_boundary(GOOD[:3], BOUNDARIES, ["1.0.0"], "prod")
    skipped = history(SEED, ("release", {"dev": "1.0.0"}), ("promote", {"prod": "1.0.0"}))  # staging skipped
    with pytest.raises(AssertionError, match="dev → staging: 0 commits"):
        stages.reached_versions_must_have_one_commit_per_boundary(skipped, BOUNDARIES, ["1.0.0"], "prod")


def test_a_later_stage_version_that_appears_after_the_object_wait_is_still_awaited_to_complete(monkeypatch):
    # prod's version appears only once dev and staging promoted: later than an object wait, within the lifecycle's
    monkeypatch.setattr(timeouts.TIMEOUTS, "current", timeouts.Timeouts(object_state=0.2, lifecycle=1.5, poll_interval=0.05))
    version = _prod_version({"status": "Succeeded", "endTime": "2026-12-03T08:01:00Z"})
    since = time.monotonic()
    assert lifecycle.app_version_must_complete(_prod_kube(lambda: [version] if time.monotonic() - since > 0.5 else []), "prod", "podtato-head", "1.0.0") is version


# -- the stage says why a version failed (contract C9.3) ----------------------------------------------

def _failed_staging_version() -> dict:
    return {"metadata": {"name": "podtato-head-1.0.0-d4735e3a"},
            "status": {"status": "Failed", "currentPhase": "AppPostDeployEvaluations",
                       "postDeploymentEvaluationTaskStatus": [
                           {"definitionName": "error-rate", "name": "post-eval-error-rate-30562", "status": "Failed"}]}}


def _event(kind: str, name: str, reason: str, message: str) -> dict:
    return {"involvedObject": {"kind": kind, "name": name}, "reason": reason, "message": message}


def test_the_stage_says_why_in_an_event_about_the_failed_evaluation_the_version_names():
    """Issue 22: Keptn says why on the failed KeptnEvaluation (the item the version names), not on the
    version: "evaluation of 'error-rate' failed with value: '5' …". The stage says why."""
    from fakes.cluster_reads import FakeKube

    version = _failed_staging_version()
    kube = FakeKube({"KeptnAppVersion": [version], "Event": [
        _event("KeptnAppVersion", version["metadata"]["name"], "AppPostDeployEvaluationsFailed", "App Post-Deployment Evaluations: has failed"),
        _event("KeptnEvaluation", "post-eval-error-rate-30562", "ReconcileEvaluationFailed",
               "Reconcile Evaluation: evaluation failed\nevaluation of 'error-rate' failed with value: '5' and reason: "
               "'value '5' did not meet objective '<1''")]})
    said = stages.stage_must_say_why(kube, "t-staging", version, ["error-rate"], timeout=0.1)
    assert said.startswith("KeptnEvaluation post-eval-error-rate-30562: ReconcileEvaluationFailed: ")


def test_a_stage_that_names_the_evaluation_nowhere_but_as_data_does_not_say_why():
    from fakes.cluster_reads import FakeKube

    version = _failed_staging_version()
    kube = FakeKube({"KeptnAppVersion": [version], "Event": [
        _event("KeptnAppVersion", version["metadata"]["name"], "AppPostDeployEvaluationsFailed", "has failed"),
        _event("KeptnEvaluation", "another-evaluation", "ReconcileEvaluationFailed", "evaluation of 'error-rate' failed")]})
    with pytest.raises(AssertionError, match=r"names \['error-rate'\]"):
        stages.stage_must_say_why(kube, "t-staging", version, ["error-rate"], timeout=0.1)


class _WholeRun:
    """What no_stage_went_back and no_version_promoted_twice read of a finished run."""

    def __init__(self, commits: list[Commit]):
        self.commits = commits
        self.pipeline = SimpleNamespace(stage_names=list(STAGES), versions=["1.0.0"], boundaries=lambda: BOUNDARIES)
        app = SimpleNamespace(type="MODIFIED", object={"metadata": {"generation": 1}, "spec": {"version": "0.1.0"}})
        self.recorders = {stage: SimpleNamespace(seen=lambda kind: [app]) for stage in STAGES}

    def history(self):
        return self.commits

    def applied(self, stage):
        return [(float(index), c.sha) for index, c in enumerate(self.commits)]


def test_a_run_whose_stage_went_back_or_whose_version_was_promoted_twice_fails_the_run_judges():
    back = history(SEED, ("release", {"dev": "1.0.0"}), ("promote", {"staging": "1.0.0"}), ("promote", {"staging": "0.1.0"}))
    with pytest.raises(AssertionError, match="staging in the repository went back from 1.0.0"):
        stages.no_stage_went_back(_WholeRun(back))
    twice = history(SEED, ("release", {"dev": "1.0.0"}), ("promote", {"staging": "1.0.0"}), ("promote", {"staging": "1.0.0"}))
    with pytest.raises(AssertionError, match="1.0.0 was promoted more than once across a stage boundary"):
        stages.no_version_promoted_twice(_WholeRun(twice))
