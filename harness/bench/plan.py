"""How much each stage runs: the full benchmark (the issue's counts) and a quick smoke run."""
from __future__ import annotations

from dataclasses import dataclass

from harness.settings import TIMEOUTS


@dataclass(frozen=True)
class Plan:
    mode: str
    overhead_versions: int  # per setting (flag off, flag on with an empty phase)
    overhead_block: int  # versions in a row before the flag flips, so that drift of a shared machine hits both
    latency_versions: int
    parallel_tasks: tuple[int, ...]
    scale_versions: int
    ceiling_objects: int  # KeptnTasks created, then status-patched, by one client
    scale_timeout: float  # from the first KeptnApp of the scale stage to the last version's end
    stage_timeout: float  # a stage that runs versions one by one starts none after this
    version_timeout: float = TIMEOUTS.lifecycle  # one version of a one-by-one stage
    parallel_task_seconds: float = 5.0
    scale_promotion_tasks: int = 3


FULL = Plan(mode="full", overhead_versions=50, overhead_block=10, latency_versions=50, parallel_tasks=(1, 10, 50),
            scale_versions=200, ceiling_objects=300, scale_timeout=900.0, stage_timeout=900.0)
QUICK = Plan(mode="quick", overhead_versions=5, overhead_block=5, latency_versions=5, parallel_tasks=(1, 3),
             scale_versions=10, ceiling_objects=30, scale_timeout=180.0, stage_timeout=180.0)
