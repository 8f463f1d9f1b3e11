"""The gitops scenarios catch what they exist to catch, end to end on simulated clusters of their own:

- a controller that promotes a version whose post-deployment evaluation failed
  (tests/mutants/gitops/post_failure_promotes.py): `promotion-conformance run` of the scenario
  FailedEvaluationStopsTheFlow against it fails, and says that the version reached prod in Git;
- a promotion script that pushes twice (fixtures/gitops/promote-pushes-twice.sh): the judge of
  "exactly one promotion commit per stage boundary" refuses the history it leaves in a real flow
  (reference controller, Flux, the Git server, the host runner).

About a minute each; skipped where the simulated cluster's or Flux's binaries are not built.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
import yaml
from kubernetes import config as kube_config

from harness.clusters import registry, toolchain
from harness.clusters.simulated import BINARIES
from harness.gitops.flux import CONTROLLERS
from harness.gitops.pipeline import Evaluation, Pipeline, Release, Stage, Task
from harness.gitops.running import PipelineRun, Site
from harness.implementations import adapter as adapters
from harness.implementations.runner import Implementation
from harness.judges import lifecycle, stages
from harness.kube import Kube
from harness.paths import FIXTURES, REPO

pytestmark = [pytest.mark.cluster, pytest.mark.skipif(any(toolchain.locate(b) is None for b in (*BINARIES, *CONTROLLERS)),
                                reason="the simulated cluster's or Flux's binaries are not built (make toolchain)")]

MUTANT = REPO / "tests" / "mutants" / "gitops" / "post_failure_promotes.yaml"
RUN_TIMEOUT = 600


def test_a_controller_that_promotes_a_failed_version_fails_the_scenario_with_the_commit_to_prod(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMOTION_", "PYTEST_", "PROVIDER"))}
    run = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--provider", "simulated", "--impl", str(MUTANT),
         "--scenarios", "FailedEvaluationStopsTheFlow", "--report-dir", str(tmp_path), "-n", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert run.returncode == 1, f"expected the run to fail (exit 1), it exited {run.returncode}:\n{run.stdout[-3000:]}"
    report = yaml.safe_load(next(tmp_path.glob("*/conformance-report.yaml")).read_text())
    failed = {test["id"]: test["reason"] for profile in report["profiles"] for test in profile.get("failedTests", [])}
    assert "FailedEvaluationStopsTheFlow" in failed, f"failed scenarios: {failed}"
    assert "must never have been promoted to prod" in failed["FailedEvaluationStopsTheFlow"], failed


@pytest.fixture
def simulated_cluster():
    name = f"pc-mut-{uuid.uuid4().hex[:4]}"
    cluster = registry.make_provider("simulated", name)
    registry.create_recorded(cluster, owner_pid=os.getpid())
    yield cluster
    cluster.delete()
    registry.forget(name)


def test_a_promotion_script_that_pushes_twice_fails_the_one_commit_per_boundary_judge(simulated_cluster, tmp_path):
    kube = Kube(kube_config.new_client_from_config(config_file=str(simulated_cluster.kubeconfig)))
    reference = Implementation(adapters.load(adapters.resolve("reference")), simulated_cluster.kubeconfig,
                               tmp_path / "logs", tmp_path / "implementation.json")
    pipeline = Pipeline("pushes-twice", "podtato-head", (
        Stage("dev", post_task=Task("post-check", "0s")),
        Stage("staging", post_task=Task("post-check", "0s"), evaluation=Evaluation("error-rate", "<1", "0.1", "5")),
        Stage("prod"),
    ), (Release("1.0.0", 0),), promotion_script=(FIXTURES / "gitops" / "promote-pushes-twice.sh").read_text())
    sites = {stage: Site(stage, simulated_cluster.name, simulated_cluster.kubeconfig, kube, f"twice-{stage}")
             for stage in pipeline.stage_names}
    run = PipelineRun(pipeline, sites, tmp_path / "gitops", shard="twice")
    reference.install()
    reference.start()
    try:
        reference.wait_ready(kube)
        run.start()
        run.release("1.0.0")
        lifecycle.app_version_must_complete(kube, "twice-prod", pipeline.app, "1.0.0")
        with pytest.raises(AssertionError, match=r"dev → staging: 2 commits.*staging → prod: 2 commits"):
            stages.each_boundary_must_have_one_commit(run.history(), pipeline.boundaries(), "1.0.0")
    finally:
        run.stop()
        reference.stop()
