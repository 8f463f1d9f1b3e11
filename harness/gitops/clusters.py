"""Where a pipeline's stages run: namespaces of one cluster, or one cluster per stage.

Every stage is a namespace `<prefix>-<stage>`: of the given cluster, where the implementation
under test already runs, or, for the stages the pipeline puts on a cluster of their own
(`own_clusters`; `clusters: per-stage` in a pipeline file: every stage but the last), of a
simulated cluster created here, with the implementation installed and started on it. Clusters made here are recorded with their owner (the registry
removes them if the owner dies) and removed, with their implementation, by `close`.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kubernetes import config as kube_config

from harness.clusters import registry
from harness.gitops.pipeline import Pipeline
from harness.gitops.running import Site
from harness.implementations.runner import Implementation
from harness.library.kube import Kube
from harness.settings import TIMEOUTS


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
    created: list[tuple[object, Implementation]] = field(default_factory=list)  # (provider, implementation)

    def sites(self, pipeline: Pipeline, prefix: str) -> dict[str, Site]:
        sites = {}
        for stage in pipeline.stage_names:
            namespace = f"{prefix}-{stage}"
            if stage in pipeline.own_clusters:
                name, kubeconfig, kube = self._own_cluster(stage)
                sites[stage] = Site(stage, name, kubeconfig, kube, namespace)
            else:
                sites[stage] = Site(stage, self.main.name, self.main.kubeconfig, self.main.kube, namespace)
        return sites

    def implementations(self) -> list[Implementation]:
        """The implementation of every cluster a stage runs on."""
        return [self.main.implementation, *(implementation for _, implementation in self.created)]

    def _own_cluster(self, stage: str) -> tuple[str, Path, Kube]:
        name = f"pc-{stage[:8]}-{uuid.uuid4().hex[:4]}"
        provider = registry.make_provider("simulated", name, ready_timeout=TIMEOUTS.cluster_ready, progress=self.say)
        registry.create_recorded(provider, owner_pid=self.owner_pid)
        kube = Kube(kube_config.new_client_from_config(config_file=str(provider.kubeconfig)))
        main = self.main.implementation
        implementation = Implementation(main.adapter, provider.kubeconfig, self.log_dir / name,
                                        self.log_dir / f"implementation-{name}.json")
        self.created.append((provider, implementation))
        implementation.install()
        implementation.start(main.environment)
        implementation.wait_ready(kube)
        self.say(f"stage {stage} runs on cluster {name!r}, with {main.adapter.name} of its own")
        return name, provider.kubeconfig, kube

    def close(self) -> None:
        for provider, implementation in reversed(self.created):
            try:
                implementation.stop()
            finally:
                provider.delete()
                registry.forget(provider.name)
        self.created.clear()
