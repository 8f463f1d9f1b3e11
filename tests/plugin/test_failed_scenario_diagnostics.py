"""Every failed scenario gets its diagnostics folder, written once by the plugin
(harness.plugin.scenarios.diagnostics_if_failed), with what its feature's collector adds."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from harness.plugin import scenarios


class _Marker(SimpleNamespace):
    pass


class _Item:
    """What diagnostics_if_failed reads of a pytest item: its markers, its stash, its run folder."""

    def __init__(self, run_dir, failed: bool | None):
        self.stash = {}
        if failed is not None:
            self.stash[scenarios._CALL_REPORT] = SimpleNamespace(failed=failed, longreprtext="AssertionError: expected 1, observed 2")
        self.config = SimpleNamespace()
        self._run_dir = run_dir

    def get_closest_marker(self, name):
        return {"id": _Marker(args=("SomeScenario",)), "feature": _Marker(args=("CRDCompatibility",)),
                "core": _Marker(args=())}.get(name)


@pytest.fixture
def run_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(scenarios, "options_of", lambda config: SimpleNamespace(run_dir=str(tmp_path)))
    monkeypatch.setattr(scenarios, "say", lambda text: None)
    return tmp_path


def test_a_failed_scenario_without_a_namespace_gets_its_failure_log_and_collected_evidence(run_dir):
    collected = []

    def collect(where):
        (where / "CustomResourceDefinitions.yaml").write_text("- x\n")
        collected.append(where)

    folder = scenarios.diagnostics_if_failed(_Item(run_dir, failed=True), None, None, lambda: "the log", collect)
    assert folder == run_dir / "diagnostics" / "SomeScenario" and collected == [folder]
    assert (folder / "failure.txt").read_text() == "AssertionError: expected 1, observed 2"
    assert (folder / "implementation.log").read_text() == "the log"
    assert (folder / "CustomResourceDefinitions.yaml").exists()


def test_a_passed_or_not_run_scenario_gets_none(run_dir):
    for failed in (False, None):
        assert scenarios.diagnostics_if_failed(_Item(run_dir, failed=failed), None, None, lambda: "log",
                                               lambda where: pytest.fail("collected for a scenario that did not fail")) is None
    assert not (run_dir / "diagnostics").exists()
