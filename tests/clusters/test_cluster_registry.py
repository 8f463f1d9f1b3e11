"""The records of the clusters the harness made: written whole, and a bad one never blocks a run."""
from __future__ import annotations

import pytest

from harness.clusters import registry
from harness.clusters.provider import ProviderError


class _Cluster:
    name, kind = "conf-abc123", "simulated"

    def exists(self):
        return False


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMOTION_CONFORMANCE_CACHE", str(tmp_path))


def test_a_record_is_written_whole_and_leaves_no_temporary_file():
    registry.record(_Cluster(), owner_pid=4242)
    assert [p.name for p in registry.records_dir().iterdir()] == ["conf-abc123.json"]
    assert registry.lookup("conf-abc123").owner_pid == 4242
    registry.release("conf-abc123")
    assert registry.lookup("conf-abc123").owner_pid is None


def test_an_unreadable_record_is_named_and_skipped_not_fatal():
    registry.record(_Cluster(), owner_pid=None)
    (registry.records_dir() / "broken.json").write_text("")  # e.g. left by an older harness killed mid-write
    said = []
    assert [r.name for r in registry.all_records(say=said.append)] == ["conf-abc123"]
    assert len(said) == 1 and "broken.json: not a cluster record" in said[0]
    assert registry.remove_stale(say=said.append) == []  # the next run goes on
    with pytest.raises(ValueError, match="broken.json: not a cluster record"):
        registry.lookup("broken")


class _Interrupted(_Cluster):
    """A cluster whose creation is interrupted half way (Ctrl-C)."""

    def __init__(self):
        self.deleted = False

    def create(self):
        assert registry.lookup(self.name) is not None  # recorded before anything is made
        raise KeyboardInterrupt

    def delete(self):
        self.deleted = True


def test_an_interrupted_creation_removes_the_cluster_and_its_record_and_goes_on():
    cluster = _Interrupted()
    with pytest.raises(KeyboardInterrupt):
        registry.create_recorded(cluster, owner_pid=None)
    assert cluster.deleted and registry.lookup(cluster.name) is None


def test_a_name_in_use_is_refused_and_the_cluster_holding_it_is_left_alone():
    registry.record(_Cluster(), owner_pid=None)  # kept by `cluster up`
    cluster = _Interrupted()
    with pytest.raises(ProviderError, match="already exists"):
        registry.create_recorded(cluster, owner_pid=4242)
    assert not cluster.deleted and registry.lookup(cluster.name).owner_pid is None
