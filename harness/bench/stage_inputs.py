"""What every stage of a run gets: the cluster's client, the implementation, the plan and a printer."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client

from harness.bench.measured_implementation import Measured
from harness.bench.plan import Plan
from harness.bench.workload import Space


@dataclass
class Bench:
    api_client: client.ApiClient
    implementation: Measured
    plan: Plan
    say: Callable[[str], None]
    profile_dir: Path | None = None  # --profile: where the scale stage writes py-spy's samples

    def space(self, stage: str, recorded: bool = True) -> Space:
        """A fresh namespace for a stage, recorded until its `with` block ends."""
        return Space(self.api_client, stage, self.say, recorded, exited=self.implementation.exited)
