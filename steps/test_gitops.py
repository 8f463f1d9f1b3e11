"""Steps of features/gitops: a version promoted across stages through Git and Flux.

Thin over harness/gitops (the pipeline running on its clusters) and harness/judges/stages (the
judges). A scenario's Given steps describe the pipeline; its first When brings it up (Git server,
Flux, one namespace per stage, the seed applied and every stage's lifecycle of the initial version
completed) and releases.
"""
from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from harness import session
from harness.eventually import never
from harness.simulate import flow
from harness.gitops.clusters import Main, StageClusters
from harness.gitops.stage_diagnostics import write_gitops_report
from harness.gitops.pipeline import Evaluation, Faults, Pipeline, Release, Stage, Task
from harness.gitops.running import PipelineRun
from harness.judges import app_versions, lifecycle, stages
from harness.judges.stricter import survival
from harness.library import faults
from harness.library.tables import names, records, single_row
from harness.plugin.session_options import options_of

scenarios("gitops")

APP = "podtato-head"
NORMAL, FAILING = "0.1", "5"  # what the harness, as the metrics provider, makes an evaluated metric read


def _say(message: str) -> None:
    print(f"[gitops] {message}", file=sys.stderr, flush=True)


@dataclass
class GitOps:
    """What a gitops scenario configured, started and observed."""

    clusters: StageClusters
    prefix: str
    work_dir: Path
    seed: int
    stages: tuple[Stage, ...] = ()
    own_clusters: set[str] = field(default_factory=set)
    evaluation_fails: set[tuple[str, str]] = field(default_factory=set)
    push_refused: set[tuple[str, str]] = field(default_factory=set)
    run: PipelineRun | None = None
    kill_log: faults.KillLog | None = None
    kill_plan: faults.KillPlan | None = None

    def pipeline(self, releases: list[str]) -> Pipeline:
        return Pipeline("scenario", APP, self.stages, tuple(Release(v, 0) for v in releases),
                        own_clusters=frozenset(self.own_clusters),
                        faults=Faults(evaluation_fails=frozenset(self.evaluation_fails),
                                      push_refused=frozenset(self.push_refused)))

    def start(self, releases: list[str]) -> PipelineRun:
        pipeline = self.pipeline(releases)
        sites = self.clusters.sites(pipeline, self.prefix)
        self.run = PipelineRun(pipeline, sites, self.work_dir, shard=self.prefix, say=_say)  # stopped even if start fails
        self.run.start()
        flow.initial_lifecycles_must_complete(self.run)
        return self.run

    @property
    def commits(self):
        return self.run.history()


@pytest.fixture
def state(request, pytestconfig, cluster, kube, namespace, implementation, tmp_path) -> GitOps:
    options = options_of(pytestconfig)
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    _say(f"{request.node.name}: random seed {seed} (--seed {seed} repeats this run's choices)")
    log_dir = Path(options.run_dir) / "gitops" / namespace
    clusters = StageClusters(Main(cluster.name, cluster.kubeconfig, kube, implementation),
                             session.controller_pid(pytestconfig), log_dir, say=_say)
    scenario = GitOps(clusters, namespace, tmp_path / "gitops", seed)
    yield scenario
    try:
        if scenario.run is not None:
            write_gitops_report(request.node, scenario.run, implementation)
    finally:
        if scenario.run is not None:
            scenario.run.stop()
        clusters.close()


# -- Given ----------------------------------------------------------------------------------------


@given(parsers.parse("{stage} runs on a cluster of its own"))
def own_cluster(state, stage):
    state.own_clusters.add(stage)


@given(parsers.parse("a GitOps pipeline with the stages"))
def pipeline_stages(state, datatable):
    state.stages = tuple(_stage(row) for row in records(datatable))


def _stage(row: dict[str, str]) -> Stage:
    evaluation = None
    if row.get("post-deployment evaluation"):
        metric, target = row["post-deployment evaluation"].split(maxsplit=1)
        evaluation = Evaluation(metric, target, NORMAL, FAILING)
    others = []
    for text in names(row.get("other promotion tasks", "")):
        task, _, code = text.partition(" exits ")
        others.append(Task(task.strip(), "0s", int(code or 0)))
    post = row.get("post-deployment task")
    return Stage(row["stage"], post_task=Task("post-check", post) if post else None, evaluation=evaluation,
                 promotion_tasks=tuple(others), block_deployment=row.get("blocks", "yes") == "yes")


@given(parsers.parse('the evaluation "{metric}" of {stage} fails while "{version}" runs there'))
def evaluation_fails(state, metric, stage, version):
    evaluation = next(s.evaluation for s in state.stages if s.name == stage)
    assert evaluation is not None and evaluation.metric == metric, f"stage {stage} has no evaluation {metric!r}"
    state.evaluation_fails.add((stage, version))


@given(parsers.parse('the Git server refuses "{version}" in {stage}'))
def push_refused(state, version, stage):
    state.push_refused.add((stage, version))


# -- When -----------------------------------------------------------------------------------------


@when(parsers.parse('version "{version}" is released to dev'))
def release_one(state, version):
    state.start([version]).release(version)


@when(parsers.parse('versions "{versions}" are released to dev {seconds:d} second apart'))
def release_back_to_back(state, versions, seconds):
    listed = names(versions)
    run = state.start(listed)
    flow.release_on_schedule(run, [Release(v, i * seconds) for i, v in enumerate(listed)])


@when(parsers.parse('versions "{versions}" are released to dev while the implementation is killed with SIGKILL at '
                    'random moments, {kills:d} times per release'))
def release_while_killing(state, versions, kills, kube):
    run = state.start(names(versions))
    state.kill_plan = faults.KillPlan(len(names(versions)), kills * len(names(versions)))
    state.kill_log = flow.release_while_killing(run, state.clusters.main.implementation, kube, names(versions), kills,
                                                random.Random(state.seed))
    _say(f"{len(names(versions))} versions released, {state.kill_log}")


# -- Then -----------------------------------------------------------------------------------------


def _completed(state: GitOps, version: str, stages: list[str]) -> None:
    for stage in stages:
        site = state.run.sites[stage]
        lifecycle.app_version_must_reach(site.kube, site.namespace, APP, {"status": "Succeeded", "currentPhase": "Completed"},
                                         version=version)


@then(parsers.parse('version "{version}" completes in every stage'))
def completes_everywhere(state, version):
    _completed(state, version, state.run.pipeline.stage_names)


@then(parsers.parse('version "{version}" completes in staging and prod'))
def completes_after_dev(state, version):
    _completed(state, version, ["staging", "prod"])


@then(parsers.parse('the lifecycle of "{version}" in {stage} comes to an end'))
def lifecycle_ends(state, version, stage):
    site = state.run.sites[stage]
    lifecycle.app_version_must_complete(site.kube, site.namespace, APP, version)


@then(parsers.parse('the app version "{version}" of {stage} completes with'))
def stage_version_completes_with(state, version, stage, datatable):
    site = state.run.sites[stage]
    lifecycle.app_version_must_reach(site.kube, site.namespace, APP, single_row(datatable), version=version)


@then(parsers.parse('the repository has exactly one promotion commit of "{version}" per stage boundary'))
def one_commit_per_boundary(state, version):
    # Watch a little longer: a late second push is caught too.
    never(lambda: stages.each_boundary_must_have_one_commit(state.commits, state.run.pipeline.boundaries(), version),
          f"one promotion commit of {version} per stage boundary")


@then(parsers.parse('every stage ends at "{version}", in the repository and in what Flux applied'))
def every_stage_ends_at(state, version):
    commits = state.commits
    for stage in state.run.pipeline.stage_names:
        stages.stage_must_end_at(commits, stage, version)
        stages.flux_must_have_applied(commits, state.run.applied(stage), stage, version)


@then("each stage's app version names the commit Flux applied in the stage before, in its metadata and its "
      "promotion task's KEPTN_CONTEXT")
def commits_visible(state):
    stages.commits_must_be_visible(state.run, state.run.pipeline.versions[-1])


@then(parsers.parse('{stage} says why "{version}" failed, naming "{word}"'))
def says_why(state, stage, version, word):
    site = state.run.sites[stage]
    version_there = app_versions.latest_app_version(site.kube, site.namespace, APP, version=version)
    stages.stage_must_say_why(site.kube, site.namespace, version_there, [word])


@then(parsers.parse('{stage} keeps "{kept}": no commit of "{version}" reaches it and Flux never applies it there'))
def stage_keeps(state, stage, kept, version):
    def kept_there() -> None:
        commits = state.commits
        stages.stage_must_not_receive(commits, stage, version)
        stages.stage_must_end_at(commits, stage, kept)
        stages.flux_must_not_have_applied(commits, state.run.applied(stage), stage, version)

    never(kept_there, f"{stage} keeping {kept} while {version} stops before it")


@then("no stage ever went back to an older version, in the repository, in what Flux applied or in its KeptnApp")
def never_back(state):
    stages.no_stage_went_back(state.run)


@then("no version was promoted twice across a stage boundary")
def never_twice(state):
    stages.no_version_promoted_twice(state.run)


@then("every version that reached prod has exactly one promotion commit per stage boundary")
def reached_prod_once(state):
    stages.no_version_promoted_twice(state.run)
    pipeline = state.run.pipeline
    last = pipeline.stage_names[-1]
    reached = stages.reached_versions_must_have_one_commit_per_boundary(state.commits, pipeline.boundaries(), pipeline.versions, last)
    _say(f"versions that reached {last}: {', '.join(reached)}")


@then("every kill ended a running implementation and another one took its place")
def kills_worked(state):
    survival.kills_must_have_worked(state.kill_log, state.kill_plan)
