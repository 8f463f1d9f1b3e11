"""The scenario context: a feature's subclass keeps every field of the base, and the seed is said once,
only by a scenario that draws from it."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from harness.plugin.scenario_context import ScenarioContext


@dataclass
class _Feature(ScenarioContext):
    apps: list[str] = field(default_factory=list)


def _context(said: list[str], seed: int = 7) -> _Feature:
    return _Feature(item=SimpleNamespace(name="test_x"), cluster=None, kube=None, namespace="t-1", implementation=None,
                    recorder=None, run_dir=Path("."), say=said.append, chosen_seed=seed)


def test_a_scenario_that_draws_nothing_says_no_seed():
    said: list[str] = []
    context = _context(said)
    context.definitions.append("promote-a")
    assert said == [] and context.apps == [] and context.namespace == "t-1"


def test_the_seed_is_said_once_with_how_to_repeat_it_and_draws_repeat():
    said: list[str] = []
    context = _context(said, seed=42)
    first = [context.rng().random() for _ in range(2)]
    assert [context.rng().random() for _ in range(2)] == first
    assert len(said) == 1 and "42" in said[0] and "--seed 42" in said[0]
