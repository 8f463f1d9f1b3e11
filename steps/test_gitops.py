"""Steps of features/gitops: a version promoted across stages through Git and Flux.

Thin over harness/gitops (the pipeline running on its clusters) and harness/judges/stages (the
judges). A scenario's Given steps describe the pipeline; its first When brings it up (Git server,
Flux, one namespace per stage, the seed applied and every stage's lifecycle of the initial version
completed) and releases.
"""
from __future__ import annotations

import shutil
import tempfile
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
from harness.library import faults
from harness.library.tables import names, records, single_row
from harness.plugin.scenario_context import ScenarioContext

scenarios("gitops")

APP = "podtato-head"
NORMAL, FAILING = "0.1", "5"  # what the harness, as the metrics provider, makes an evaluated metric read


@dataclass
class GitOps(ScenarioContext):
    """A gitops scenario also has the stages' clusters (the scenario's own and any a stage runs on)
    and what its Given steps configured; its first When starts the pipeline run."""

    stages: tuple[Stage, ...] = ()
    own_clusters: set[str] = field(default_factory=set)
    evaluation_fails: set[tuple[str, str]] = field(default_factory=set)
    push_refused: set[tuple[str, str]] = field(default_factory=set)
    run: PipelineRun | None = None
    clusters: StageClusters = field(init=False)
    work_dir: Path = field(init=False)

    console = "gitops"

    def __post_init__(self) -> None:
        self.clusters = StageClusters(Main(self.cluster.name, self.cluster.kubeconfig, self.kube, self.implementation),
                                      session.controller_pid(self.item.config),
                                      self.run_dir / "gitops" / self.namespace, say=self.say)
        self.work_dir = Path(tempfile.mkdtemp(prefix="gitops-"))

    def pipeline(self, releases: list[str]) -> Pipeline:
        return Pipeline("scenario", APP, self.stages, tuple(Release(v, 0) for v in releases),
                        own_clusters=frozenset(self.own_clusters),
                        faults=Faults(evaluation_fails=frozenset(self.evaluation_fails),
                                      push_refused=frozenset(self.push_refused)))

    def start(self, releases: list[str]) -> PipelineRun:
        pipeline = self.pipeline(releases)
        sites = self.clusters.sites(pipeline, self.namespace)
        self.run = PipelineRun(pipeline, sites, self.work_dir, shard=self.namespace, say=self.say)  # stopped even if start fails
        self.run.start()
        flow.initial_lifecycles_must_complete(self.run)
        return self.run

    @property
    def commits(self):
        return self.run.history()

    def write_after(self) -> None:
        """Every stage's timeline and, on failure, diagnostics (harness.gitops.stage_diagnostics); then
        the pipeline run stops and the stages' own clusters go."""
        try:
            if self.run is not None:
                write_gitops_report(self.item, self.run, self.implementation)
            else:
                super().write_after()  # it failed before the pipeline started: the scenario's namespace
        finally:
            try:
                if self.run is not None:
                    self.run.stop()
            finally:
                self.clusters.close()
                shutil.rmtree(self.work_dir, ignore_errors=True)


@pytest.fixture
def context_type():
    return GitOps


# -- Given ----------------------------------------------------------------------------------------


@given(parsers.parse("{stage} runs on a cluster of its own"))
def own_cluster(scenario, stage):
    scenario.own_clusters.add(stage)


@given(parsers.parse("a GitOps pipeline with the stages"))
def pipeline_stages(scenario, datatable):
    scenario.stages = tuple(_stage(row) for row in records(datatable))


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
def evaluation_fails(scenario, metric, stage, version):
    evaluation = next(s.evaluation for s in scenario.stages if s.name == stage)
    assert evaluation is not None and evaluation.metric == metric, f"stage {stage} has no evaluation {metric!r}"
    scenario.evaluation_fails.add((stage, version))


@given(parsers.parse('the Git server refuses "{version}" in {stage}'))
def push_refused(scenario, version, stage):
    scenario.push_refused.add((stage, version))


# -- When -----------------------------------------------------------------------------------------


@when(parsers.parse('version "{version}" is released to dev'))
def release_one(scenario, version):
    scenario.start([version]).release(version)


@when(parsers.parse('versions "{versions}" are released to dev {seconds:d} second apart'))
def release_back_to_back(scenario, versions, seconds):
    listed = names(versions)
    run = scenario.start(listed)
    flow.release_on_schedule(run, [Release(v, i * seconds) for i, v in enumerate(listed)])


@when(parsers.parse('versions "{versions}" are released to dev while the implementation is killed with SIGKILL at '
                    'random moments, {kills:d} times per release'))
def release_while_killing(scenario, versions, kills, kube):
    run = scenario.start(names(versions))
    scenario.kill_plan = faults.KillPlan(len(names(versions)), kills * len(names(versions)))
    scenario.kill_log = flow.release_while_killing(run, scenario.implementation, kube, names(versions), kills,
                                                scenario.rng())
    scenario.say(f"{len(names(versions))} versions released, {scenario.kill_log}")


# -- Then -----------------------------------------------------------------------------------------


def _completed(scenario: GitOps, version: str, stages: list[str]) -> None:
    for stage in stages:
        site = scenario.run.sites[stage]
        lifecycle.app_version_must_reach(site.kube, site.namespace, APP, {"status": "Succeeded", "currentPhase": "Completed"},
                                         version=version)


@then(parsers.parse('version "{version}" completes in every stage'))
def completes_everywhere(scenario, version):
    _completed(scenario, version, scenario.run.pipeline.stage_names)


@then(parsers.parse('version "{version}" completes in staging and prod'))
def completes_after_dev(scenario, version):
    _completed(scenario, version, ["staging", "prod"])


@then(parsers.parse('the lifecycle of "{version}" in {stage} comes to an end'))
def lifecycle_ends(scenario, version, stage):
    site = scenario.run.sites[stage]
    lifecycle.app_version_must_complete(site.kube, site.namespace, APP, version)


@then(parsers.parse('the app version "{version}" of {stage} completes with'))
def stage_version_completes_with(scenario, version, stage, datatable):
    site = scenario.run.sites[stage]
    lifecycle.app_version_must_reach(site.kube, site.namespace, APP, single_row(datatable), version=version)


@then(parsers.parse('the repository has exactly one promotion commit of "{version}" per stage boundary'))
def one_commit_per_boundary(scenario, version):
    # Watch a little longer: a late second push is caught too.
    never(lambda: stages.each_boundary_must_have_one_commit(scenario.commits, scenario.run.pipeline.boundaries(), version),
          f"one promotion commit of {version} per stage boundary")


@then(parsers.parse('every stage ends at "{version}", in the repository and in what Flux applied'))
def every_stage_ends_at(scenario, version):
    commits = scenario.commits
    for stage in scenario.run.pipeline.stage_names:
        stages.stage_must_end_at(commits, stage, version)
        stages.flux_must_have_applied(commits, scenario.run.applied(stage), stage, version)


@then("each stage's app version names the commit Flux applied in the stage before, in its metadata and its "
      "promotion task's KEPTN_CONTEXT")
def commits_visible(scenario):
    stages.commits_must_be_visible(scenario.run, scenario.run.pipeline.versions[-1])


@then(parsers.parse('{stage} says why "{version}" failed, naming "{word}"'))
def says_why(scenario, stage, version, word):
    site = scenario.run.sites[stage]
    version_there = app_versions.latest_app_version(site.kube, site.namespace, APP, version=version)
    stages.stage_must_say_why(site.kube, site.namespace, version_there, [word])


@then(parsers.parse('{stage} keeps "{kept}": no commit of "{version}" reaches it and Flux never applies it there'))
def stage_keeps(scenario, stage, kept, version):
    def kept_there() -> None:
        commits = scenario.commits
        stages.stage_must_not_receive(commits, stage, version)
        stages.stage_must_end_at(commits, stage, kept)
        stages.flux_must_not_have_applied(commits, scenario.run.applied(stage), stage, version)

    never(kept_there, f"{stage} keeping {kept} while {version} stops before it")


@then("no stage ever went back to an older version, in the repository, in what Flux applied or in its KeptnApp")
def never_back(scenario):
    stages.no_stage_went_back(scenario.run)


@then("no version was promoted twice across a stage boundary")
def never_twice(scenario):
    stages.no_version_promoted_twice(scenario.run)


@then("every version that reached prod has exactly one promotion commit per stage boundary")
def reached_prod_once(scenario):
    stages.no_version_promoted_twice(scenario.run)
    pipeline = scenario.run.pipeline
    last = pipeline.stage_names[-1]
    reached = stages.reached_versions_must_have_one_commit_per_boundary(scenario.commits, pipeline.boundaries(), pipeline.versions, last)
    scenario.say(f"versions that reached {last}: {', '.join(reached)}")


