"""A scenario's KeptnConfig is handed back: written back to the defaults first, then deleted, and the
scenario waits until it is gone, so that no two KeptnConfigs are left side by side (contract C4.12)."""
from __future__ import annotations

import pytest

from harness import timeouts
from harness.library import cluster_options
from harness.timeouts import timeouts_of


class _Configs:
    """KeptnConfigs by name; a delete takes effect after `lingers` more reads."""

    def __init__(self, lingers: int = 0, deletes: bool = True):
        self.spec = {"blockDeployment": False}
        self.calls: list[str] = []
        self.lingers, self.deletes, self.deleted = lingers, deletes, False

    def patch(self, kind, name, namespace, patch):
        self.calls.append("patch")
        self.spec.update(patch["spec"])

    def delete(self, kind, name, namespace):
        self.calls.append("delete")
        self.deleted = self.deletes

    def get(self, kind, name, namespace=None):
        if self.deleted and self.lingers <= 0:
            return None
        self.lingers -= 1
        return {"spec": self.spec}


@pytest.fixture(autouse=True)
def _quick():
    timeouts.configure(timeouts_of({"objectState": 0.3, "pollInterval": 0.02}))
    yield
    timeouts.configure(timeouts_of({}))


def test_the_config_is_written_back_then_deleted_and_waited_for():
    configs = _Configs(lingers=3)
    cluster_options.hand_back(configs, "non-blocking", "t-1", {"blockDeployment": True})
    assert configs.calls == ["patch", "delete"] and configs.spec == {"blockDeployment": True}
    assert configs.get("KeptnConfig", "non-blocking") is None


def test_a_config_that_is_never_gone_stops_the_scenario_naming_it():
    with pytest.raises(AssertionError, match="KeptnConfig t-1/non-blocking to be deleted"):
        cluster_options.hand_back(_Configs(deletes=False), "non-blocking", "t-1", {"blockDeployment": True})
