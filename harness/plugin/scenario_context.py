"""The one context a scenario's steps share, provided by the plugin as the `scenario` fixture: the
cluster it runs on, API access, its namespace, the implementation under test, the recorder of what
happened in the namespace, the seed of its random choices, the run folder and a console.

A feature extends it: its steps module subclasses `ScenarioContext` with what its steps remember
and overrides the `context_type` fixture to return the subclass. Every feature's steps then take
`scenario`, and the step sentences several features use (steps/shared_steps.py) work on any of them.
After the scenario the context writes its timeline and, if it failed, its diagnostics
(`write_after`, which a feature with more to write, as GitOps with its stages, overrides).
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.console import speaker
from harness.implementations.runner import Implementation
from harness.kube import Kube
from harness.library import faults
from harness.library.recorder import Recorder
from harness.plugin.scenarios import after_scenario
from harness.plugin.session_cluster import Cluster
from harness.plugin.session_options import options_of


@dataclass
class ScenarioContext:
    """What every scenario has, and what the steps of every feature remember."""

    item: pytest.Item
    cluster: Cluster
    kube: Kube
    namespace: str
    implementation: Implementation
    recorder: Recorder
    run_dir: Path
    say: Callable[[str], None]
    chosen_seed: int = field(repr=False)
    definitions: list[str] = field(default_factory=list)  # task definitions a Given step created, in order
    created_later: list[str] = field(default_factory=list)  # task definitions a When step created, in order
    kill_plan: faults.KillPlan | None = None
    kill_log: faults.KillLog | None = None
    _seed_said: bool = field(default=False, repr=False)

    console = "scenario"  # the `[topic]` of its console lines; a feature names its own

    @property
    def seed(self) -> int:
        """The seed of every random choice the scenario makes; said on the console the first time it
        is used, so a scenario that draws nothing prints nothing (the run's --seed repeats it)."""
        if not self._seed_said:
            self._seed_said = True
            self.say(f"{self.item.name}: random seed {self.chosen_seed} (--seed {self.chosen_seed} repeats this "
                     "run's choices)")
        return self.chosen_seed

    def rng(self) -> random.Random:
        return random.Random(self.seed)

    def write_after(self) -> None:
        """The timeline from what the recorder saw, and diagnostics if the scenario failed."""
        after_scenario(self.item, self.kube, self.namespace, self.implementation, self.recorder)


@pytest.fixture
def context_type() -> type[ScenarioContext]:
    """The class of a scenario's context; a steps module overrides it with its feature's subclass."""
    return ScenarioContext


@pytest.fixture
def scenario(context_type, cluster, kube, namespace, implementation, request) -> ScenarioContext:
    options = options_of(request.config)
    context = context_type(
        item=request.node, cluster=cluster, kube=kube, namespace=namespace, implementation=implementation,
        recorder=Recorder(kube, namespace).start(), run_dir=Path(options.run_dir), say=speaker(context_type.console),
        chosen_seed=options.seed if options.seed is not None else random.randrange(2**32))
    yield context
    context.recorder.stop()  # the one it holds now: a step may have replaced the first
    context.write_after()
