"""The harness's pytest plugin, one module per concern:

- `session_options`: the run's options (one RunOptions object per session, shipped to xdist workers),
  the report folder, timeouts, markers and the ConformanceReport collector;
- `session_cluster`: the session's cluster, created on first use and deleted at the end, and the cluster
  each scenario sees (an @exclusive one: a cluster of its own where the provider can make one);
- `implementation_under_test`: the implementation under test, installed and started once per run, and the
  instance on an @exclusive scenario's own cluster (both through harness.environment);
- `scenarios`: which scenarios run (claims, selection, provider), a namespace per scenario, the
  lock of @exclusive scenarios on a cluster the run was given, and what is written after each scenario;
- `scenario_context`: the `scenario` fixture, the context every feature's steps share and extend;
- `harness.report.junit`: JUnit XML test cases named by scenario ID and conformance feature.

Loaded for every pytest run of the project (pyproject's addopts `-p harness.plugin`); it starts
nothing until a test asks for the `cluster` fixture, so unit tests never start a cluster.
"""
from __future__ import annotations

from importlib import import_module

MODULES = ("harness.plugin.session_options", "harness.plugin.session_cluster", "harness.plugin.implementation_under_test",
           "harness.plugin.scenarios", "harness.plugin.scenario_context", "harness.report.junit")


def pytest_addoption(parser, pluginmanager):
    for name in MODULES:
        pluginmanager.register(import_module(name), name)
