"""How much each stage runs: the full benchmark (the issues' counts) and a quick smoke run."""
from __future__ import annotations

from dataclasses import dataclass

from harness.timeouts import TIMEOUTS


@dataclass(frozen=True)
class Plan:
    mode: str
    overhead_versions: int  # per setting (flag off, flag on with an empty phase)
    overhead_block: int  # versions in a row before the flag flips, so that drift of a shared machine hits both
    latency_versions: int
    parallel_tasks: tuple[int, ...]
    scale_versions: tuple[int, ...]  # one scale run per count, each on a freshly started implementation
    ceiling_objects: int  # KeptnTasks created, then status-patched, by one client
    scale_timeout: float  # from the first KeptnApp of a scale run to the last version's end
    # A stage that runs versions one by one starts none after this: an implementation that polls
    # gets fewer versions in the same time, and the report says how many were not started.
    stage_timeout: float
    version_timeout: float = TIMEOUTS.lifecycle  # one version of a one-by-one stage
    parallel_task_seconds: float = 5.0
    scale_promotion_tasks: int = 3

    def parallel_timeout(self, tasks: int) -> float:
        """How long the parallelism stage waits for a version of `tasks` promotion tasks (and for
        as many bare Jobs of the floor): a lifecycle's timeout plus the tasks run one after another.
        An implementation that runs them slowly, even one by one, is measured (its ratio says how
        slow) rather than cut off, as the lifecycle's timeout alone cut off Keptn's N = 100."""
        return self.version_timeout + tasks * self.parallel_task_seconds


FULL = Plan(mode="full", overhead_versions=50, overhead_block=10, latency_versions=50,
            parallel_tasks=(1, 10, 50, 100), scale_versions=(200, 1000), ceiling_objects=300,
            scale_timeout=900.0, stage_timeout=480.0)
QUICK = Plan(mode="quick", overhead_versions=5, overhead_block=5, latency_versions=5, parallel_tasks=(1, 3),
             scale_versions=(10,), ceiling_objects=30, scale_timeout=180.0, stage_timeout=180.0)
