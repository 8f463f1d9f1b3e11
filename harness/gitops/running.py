"""A pipeline running on its clusters: everything it needs, set up in order and torn down.

- the Git server on 127.0.0.1 with the pipeline's repository, seeded (every stage at the initial
  version); its pre-receive hook refuses the pushes the pipeline's faults name;
- Flux on every cluster a stage runs on (its CRDs, one source-controller and kustomize-controller
  of this run's shard);
- per stage: a namespace (Keptn enabled), its KeptnConfig when it does not block, and one
  GitRepository and one Kustomization applying the stage's folder into it;
- the harness as the metrics provider: each evaluated stage's KeptnMetric reads the stage's normal
  value, or its failing value while a version the faults name is the stage's wanted version;
- after every push the Git server asks each GitRepository to fetch at once, as Flux's webhook
  receiver does (unless the pipeline turns that off and lets Flux poll);
- a record (watch) of every stage's namespace, Flux's Kustomization included, from before the
  seed: what Flux applied when, and every app version, task and Job.

The clusters and the implementation are given: the scenarios use the session's, `simulate` makes
its own. Nothing here judges; harness/judges/stages.py does, from this run's evidence.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kubernetes.dynamic.exceptions import NotFoundError

from harness.eventually import NotYet, eventually
from harness.gitops import flux as fluxcd
from harness.gitops import history
from harness.gitops.git_server import GitServer, Push, git
from harness.gitops.pipeline import Pipeline
from harness.gitops.repository import RELEASE, Workspace, folder, refusal_hook, release_data
from harness.kube import Kube
from harness.library import manifests
from harness.library.recorder import WATCHED, Recorder
from harness.timeouts import TIMEOUTS

RECORDED = (*WATCHED, "KeptnApp", "KeptnAppContext", "Kustomization")
SOURCE = "gitops"  # each stage's GitRepository


@dataclass(frozen=True)
class Site:
    """Where a stage runs: a namespace of a cluster."""

    stage: str
    cluster: str
    kubeconfig: Path
    kube: Kube
    namespace: str


@dataclass
class PipelineRun:
    pipeline: Pipeline
    sites: dict[str, Site]  # stage → site
    work_dir: Path
    shard: str  # this run's Flux shard label value
    say: Callable[[str], None] = print
    server: GitServer | None = None
    workspace: Workspace | None = None
    recorders: dict[str, Recorder] = field(default_factory=dict)
    fluxes: dict[str, fluxcd.Flux] = field(default_factory=dict)  # cluster → its Flux
    releases: dict[str, str] = field(default_factory=dict)  # version → release commit
    metric_values: dict[str, str] = field(default_factory=dict)  # stage → the value it reads now
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- bringing it up ---------------------------------------------------------------------------

    def start(self) -> "PipelineRun":
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.server = GitServer(self.work_dir / "server", on_push=self._pushed).start()
        if self.pipeline.faults.push_refused:
            self.server.install_hook("pre-receive", refusal_hook(self.pipeline.faults.push_refused))
        for cluster, site in self._clusters().items():
            fluxcd.install_crds(site.kubeconfig)
            self.fluxes[cluster] = fluxcd.Flux(site.kubeconfig, self.work_dir / f"flux-{cluster}", self.shard)
            self.fluxes[cluster].start()  # known before it starts: stop() ends what started, even if start failed
        for site in self.sites.values():
            site.kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": site.namespace, "labels": {fluxcd.SHARD_LABEL: self.shard},
                "annotations": {"keptn.sh/lifecycle-toolkit": "enabled"}}})
            self.recorders[site.stage] = Recorder(site.kube, site.namespace, RECORDED).start()
            if not self.pipeline.stage(site.stage).block_deployment:
                site.kube.create(manifests.keptn_config("non-blocking", site.namespace, block_deployment=False))
        self.workspace = Workspace(self.server.url, self.work_dir / "ci")
        seed = self.workspace.seed(self.pipeline)
        self.say(f"seeded {self.server.url} at {seed[:8]}: every stage runs {self.pipeline.app} {self.pipeline.initial_version}")
        for site in self.sites.values():
            site.kube.create(fluxcd.git_repository(SOURCE, site.namespace, self.server.url, self.shard,
                                                   self.pipeline.flux_interval))
            site.kube.create(fluxcd.kustomization(self.pipeline.app, site.namespace, f"./{folder(site.stage)}", SOURCE,
                                                  self.shard))
        for site in self.sites.values():
            self.must_apply(site.stage, seed)
        for stage in self.sites:
            self._want_metric(stage, self.pipeline.initial_version)
            eventually(lambda: self._write_metric(stage) or _not_yet("its KeptnMetric is not applied yet"),
                       f"the metric of stage {stage} to be set", TIMEOUTS.object_state)
        return self

    def _clusters(self) -> dict[str, Site]:
        return {site.cluster: site for site in self.sites.values()}

    # -- what happens on a push -------------------------------------------------------------------

    def _pushed(self, push: Push) -> None:
        for stage in self.sites:
            if self._want_metric(stage, self._version_at(push.head, stage)):
                self._write_metric(stage)
        if self.pipeline.fetch_on_push:
            for site in self.sites.values():
                try:
                    site.kube.patch("GitRepository", SOURCE, site.namespace, fluxcd.request_fetch())
                except NotFoundError:
                    pass  # the seed is pushed before the GitRepositories exist

    def _version_at(self, sha: str, stage: str) -> str:
        return release_data(git("show", f"{sha}:{folder(stage)}/{RELEASE}", cwd=self.server.repository)).get("version", "")

    def _want_metric(self, stage: str, version: str) -> bool:
        """The value the stage's KeptnMetric must read while `version` is the one wanted there:
        failing for a version the faults name. Returns whether it changed."""
        evaluation = self.pipeline.stage(stage).evaluation
        if evaluation is None:
            return False
        failing = (stage, version) in self.pipeline.faults.evaluation_fails
        value = evaluation.failing_value if failing else evaluation.value
        with self._lock:
            changed = self.metric_values.get(stage) != value
            self.metric_values[stage] = value
        if changed:
            self.say(f"{stage}: metric {evaluation.metric} reads {value} for {version}{' (failing on purpose)' if failing else ''}")
        return changed

    def _write_metric(self, stage: str) -> bool:
        """Write the stage's metric value (before Flux applies the version); False while its
        KeptnMetric is not there yet."""
        evaluation = self.pipeline.stage(stage).evaluation
        if evaluation is None:
            return True
        site = self.sites[stage]
        try:  # value, rawValue and lastUpdated, as a metrics provider writes them (Keptn reads rawValue)
            site.kube.patch_status("KeptnMetric", evaluation.metric, site.namespace,
                                   manifests.metric_status(self.metric_values[stage]))
        except NotFoundError:
            return False
        return True

    # -- acting and reading -----------------------------------------------------------------------

    def release(self, version: str) -> str:
        first = self.pipeline.stage_names[0]
        commit = self.workspace.release(self.pipeline.app, first, version)
        self.releases[version] = commit
        self.say(f"released {self.pipeline.app} {version} to {first} at {commit[:8]}")
        return commit

    def history(self) -> list[history.Commit]:
        return history.read(self.server.repository, self.pipeline.stage_names)

    def applied(self, stage: str) -> list[tuple[float, str]]:
        """(arrival, commit) of every revision the stage's Kustomization was seen to have applied."""
        seen, last = [], ""
        for observation in self.recorders[stage].seen("Kustomization"):
            commit = fluxcd.applied_revision(observation.object)
            if commit and commit != last and observation.type != "DELETED":
                seen.append((observation.received, commit))
                last = commit
        return seen

    def must_apply(self, stage: str, commit: str) -> float:
        """Wait until Flux applied `commit` (or a later one) in the stage; return when it was seen."""
        def applied() -> float:
            commits, seen = self.history(), self.applied(stage)
            descendants = [at for at, sha in seen if commit in history.ancestors(commits, sha)]
            if not descendants:
                raise NotYet(f"{stage} last applied {seen[-1][1][:8] if seen else 'nothing'}")
            return descendants[0]

        return eventually(applied, f"Flux to apply {commit[:8]} in stage {stage}", TIMEOUTS.lifecycle)

    # -- tearing it down --------------------------------------------------------------------------

    def stop(self) -> None:
        """Flux objects first (their finalizers need Flux), then Flux, the server, the namespaces."""
        for recorder in self.recorders.values():
            recorder.stop()
        for site in self.sites.values():
            for kind, name in (("Kustomization", self.pipeline.app), ("GitRepository", SOURCE)):
                _quietly(lambda: site.kube.patch(kind, name, site.namespace, {"spec": {"suspend": True}}))
        for site in self.sites.values():
            for kind, name in (("Kustomization", self.pipeline.app), ("GitRepository", SOURCE)):
                _quietly(lambda: site.kube.delete(kind, name, site.namespace))
        deadline = time.monotonic() + 15
        for site in self.sites.values():
            for kind, name in (("Kustomization", self.pipeline.app), ("GitRepository", SOURCE)):
                while time.monotonic() < deadline and _quietly(lambda: site.kube.get(kind, name, site.namespace)):
                    time.sleep(0.2)
                _quietly(lambda: site.kube.patch(kind, name, site.namespace, {"metadata": {"finalizers": None}}))
        for flux in self.fluxes.values():
            flux.stop()
        if self.server is not None:
            self.server.stop()
        for site in self.sites.values():
            _quietly(lambda: site.kube.delete("Namespace", site.namespace))


def _not_yet(what: str):
    raise NotYet(what)


def _quietly(action):
    """Teardown goes on whatever one step answers (an object already gone, a cluster shutting down)."""
    try:
        return action()
    except Exception:  # noqa: BLE001
        return None
