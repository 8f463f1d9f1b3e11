"""Where a pipeline's stages run: namespaces of one cluster, or one cluster per stage.

Every stage is a namespace `<prefix>-<stage>`: of the given cluster, where the implementation
under test already runs, or, for the stages the pipeline puts on a cluster of their own
(`own_clusters`; `clusters: per-stage` in a pipeline file: every stage but the last), of a
simulated cluster created here, with the implementation installed and started on it
(harness.environment: recorded with their owner, so the registry removes them if the owner dies),
removed with their implementation by `close`.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from harness import environment
from harness.gitops.pipeline import Pipeline
from harness.gitops.running import Site
from harness.implementations.runner import Implementation
from harness.kube import Kube


@dataclass(frozen=True)
class Main:
    """The cluster given: its name, kubeconfig, client and the implementation running on it."""

    name: str
    kubeconfig: Path
    kube: Kube
    implementation: Implementation


@dataclass
class StageClusters:
    main: Main
    owner_pid: int
    log_dir: Path
    say: Callable[[str], None] = print
    created: list[environment.Environment] = field(default_factory=list)
    _owned: ExitStack = field(default_factory=ExitStack)

    def sites(self, pipeline: Pipeline, prefix: str) -> dict[str, Site]:
        sites = {}
        for stage in pipeline.stage_names:
            namespace = f"{prefix}-{stage}"
            if stage in pipeline.own_clusters:
                own = self._own_cluster(stage)
                sites[stage] = Site(stage, own.cluster.name, own.cluster.kubeconfig, own.kube, namespace)
            else:
                sites[stage] = Site(stage, self.main.name, self.main.kubeconfig, self.main.kube, namespace)
        return sites

    def implementations(self) -> list[Implementation]:
        """The implementation of every cluster a stage runs on."""
        return [self.main.implementation, *(own.implementation for own in self.created)]

    def _own_cluster(self, stage: str) -> environment.Environment:
        name = f"pc-{stage[:8]}-{uuid.uuid4().hex[:4]}"
        main = self.main.implementation
        cluster = environment.provider("simulated", name, say=self.say)
        owned = self._owned.enter_context(environment.owned_cluster(cluster, owner_pid=self.owner_pid, say=self.say))
        kube = Kube(environment.client_of(owned.kubeconfig))
        implementation = Implementation(main.adapter, owned.kubeconfig, self.log_dir / name,
                                        self.log_dir / f"implementation-{name}.json")
        self._owned.enter_context(environment.running(implementation, kube, env=main.environment))
        self.created.append(environment.Environment(owned, kube.api_client, kube, implementation))
        self.say(f"stage {stage} runs on cluster {name!r}, with {main.adapter.name} of its own")
        return self.created[-1]

    def close(self) -> None:
        """Stop every implementation started here and delete its cluster, the last made first."""
        self.created.clear()
        self._owned.close()
