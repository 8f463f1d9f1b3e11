"""KindProvider against a fake `kind` executable (tests/fakes/kind) that records its arguments."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from harness.clusters import kind as kind_module, toolchain
from harness.clusters.kind import KindProvider
from harness.clusters.provider import ProviderError
from harness.paths import CLUSTER_CONFIGS

FAKES = Path(__file__).parents[1] / "fakes"
OFFLINE_IMAGE = "promotion-conformance/kind-node:v1.36.3-0123456789ab"


class FakeImages:
    """The engine's side without Docker: which node image, the task images, cgroup v1 or not."""

    def __init__(self, offline: bool = True, cgroup_v1: bool = True):
        self.offline = offline
        self.v1 = cgroup_v1

    def node_image(self, pinned, say):
        return (OFFLINE_IMAGE, True) if self.offline else (pinned, False)

    def task_images(self, say):
        return ["busybox:1.36"]

    def cgroup_v1(self):
        return self.v1


@pytest.fixture
def kind_log(tmp_path, monkeypatch) -> Path:
    """Fake kind first on PATH, HOME and the harness cache inside tmp_path; returns the call log."""
    log = tmp_path / "kind-calls.jsonl"
    monkeypatch.setenv("FAKE_KIND_LOG", str(log))
    monkeypatch.setenv("PATH", f"{FAKES}:{os.environ['PATH']}")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PROMOTION_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("FAKE_KIND_FAIL", raising=False)
    # the explicit bin-dir setting would win over PATH in the toolchain lookup
    monkeypatch.delenv(toolchain.BIN_DIR_VAR, raising=False)
    monkeypatch.setattr(kind_module, "EngineImages", FakeImages)
    return log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_the_fake_kind_is_the_one_the_toolchain_finds(kind_log):
    assert toolchain.locate("kind").path == (FAKES / "kind").resolve()


def test_create_passes_name_rendered_config_own_kubeconfig_and_wait_then_loads_the_task_images(kind_log, tmp_path):
    provider = KindProvider("promo-1")
    provider.create()

    own_kubeconfig = tmp_path / "cache" / "kind" / "promo-1" / "kubeconfig"
    assert calls(kind_log) == [
        [
            "create", "cluster",
            "--name", "promo-1",
            "--config", str(own_kubeconfig.parent / "kind-config.yaml"),
            "--kubeconfig", str(own_kubeconfig),
            "--wait", "120s",
        ],
        ["load", "docker-image", "busybox:1.36", "--name", "promo-1"],
    ]
    assert provider.kubeconfig == own_kubeconfig
    assert "kind-promo-1" in own_kubeconfig.read_text()


def rendered(provider: KindProvider) -> dict:
    return yaml.safe_load(provider.rendered_config.read_text())


def test_the_offline_image_on_cgroup_v1_gets_both_overlays(kind_log):
    provider = KindProvider("promo-1", images=FakeImages(offline=True, cgroup_v1=True))
    provider.create()
    config = rendered(provider)
    assert [node["image"] for node in config["nodes"]] == [OFFLINE_IMAGE]
    assert config["networking"] == {"apiServerAddress": "127.0.0.1", "apiServerPort": 0, "disableDefaultCNI": True}
    patches = [yaml.safe_load(patch) for patch in config["kubeadmConfigPatches"]]
    assert patches == [{"kind": "KubeletConfiguration", "failCgroupV1": False}]


def test_the_pinned_image_on_cgroup_v2_gets_the_file_as_it_is(kind_log):
    provider = KindProvider("promo-1", images=FakeImages(offline=False, cgroup_v1=False))
    provider.create()
    assert rendered(provider) == yaml.safe_load((CLUSTER_CONFIGS / "kind" / "default.yaml").read_text())


def test_the_pinned_image_keeps_kindnet_but_gets_the_cgroup_v1_patch(kind_log):
    provider = KindProvider("promo-1", images=FakeImages(offline=False, cgroup_v1=True))
    provider.create()
    config = rendered(provider)
    assert "disableDefaultCNI" not in config["networking"]
    assert config["nodes"][0]["image"] == provider.pinned_image()
    assert "failCgroupV1: false" in config["kubeadmConfigPatches"][0]


def test_merge_appends_lists_and_merges_mappings():
    base = {"a": {"x": 1, "y": 2}, "l": [1], "s": "old"}
    assert kind_module.merge(base, {"a": {"y": 3, "z": 4}, "l": [2], "s": "new", "n": True}) == {
        "a": {"x": 1, "y": 3, "z": 4}, "l": [1, 2], "s": "new", "n": True}
    assert base == {"a": {"x": 1, "y": 2}, "l": [1], "s": "old"}  # not changed in place


def test_home_kube_config_is_never_touched(kind_log, tmp_path):
    home_config = tmp_path / "home" / ".kube" / "config"
    home_config.parent.mkdir(parents=True)
    home_config.write_text("# the user's own kubeconfig\n")

    provider = KindProvider("promo-1")
    provider.create()
    provider.exists()
    provider.export_logs(tmp_path / "logs")
    provider.delete()

    assert home_config.read_text() == "# the user's own kubeconfig\n"
    for call in calls(kind_log):
        if call[0] in ("create", "delete"):
            assert "--kubeconfig" in call, f"kind {call[0]} without --kubeconfig would write ~/.kube/config"


def test_exists_follows_create_and_delete(kind_log):
    provider = KindProvider("promo-1")
    assert not provider.exists()
    provider.create()
    assert provider.exists()
    provider.delete()
    assert not provider.exists()
    assert ["delete", "cluster", "--name", "promo-1", "--kubeconfig", str(provider.kubeconfig)] in calls(kind_log)
    assert not provider.kubeconfig.parent.exists(), "the cluster's folder (kubeconfig, rendered config) is left behind"


def test_exists_matches_whole_cluster_names_only(kind_log):
    KindProvider("promo-10").create()
    assert not KindProvider("promo-1").exists()


def test_deleting_a_cluster_that_is_gone_is_not_an_error(kind_log):
    KindProvider("never-created").delete()
    assert calls(kind_log)[0][:2] == ["delete", "cluster"]


def test_export_logs_writes_into_dest(kind_log, tmp_path):
    provider = KindProvider("promo-1")
    provider.create()
    dest = tmp_path / "reports" / "promo-1-logs"
    provider.export_logs(dest)

    assert calls(kind_log)[-1] == ["export", "logs", str(dest), "--name", "promo-1"]
    assert list(dest.rglob("*.log")), "no log files exported"


def test_load_image_loads_into_this_cluster(kind_log):
    provider = KindProvider("promo-1")
    provider.create()
    provider.load_image("busybox:1.37")
    assert calls(kind_log)[-1] == ["load", "docker-image", "busybox:1.37", "--name", "promo-1"]


def test_failing_create_raises_with_command_exit_code_and_stderr_tail(kind_log, monkeypatch):
    monkeypatch.setenv("FAKE_KIND_FAIL", "create")
    with pytest.raises(ProviderError) as error:
        KindProvider("promo-1").create()

    message = str(error.value)
    assert "create cluster --name promo-1" in message
    assert "exit code 1" in message
    assert "ERROR: fake kind was told to fail create" in message
    # only the tail: the fake's first stderr lines are cut
    assert "progress line 29" in message
    assert "progress line 1\n" not in message


def test_creating_a_cluster_twice_surfaces_kinds_error(kind_log):
    KindProvider("promo-1").create()
    with pytest.raises(ProviderError, match="already exist for a cluster with the name"):
        KindProvider("promo-1").create()


def test_unknown_config_names_the_file_and_the_available_configs():
    with pytest.raises(ProviderError) as error:
        KindProvider("promo-1", config="three-nodes")
    assert str(CLUSTER_CONFIGS / "kind" / "three-nodes.yaml") in str(error.value)
    assert "available configs: default" in str(error.value)
    assert "cgroup-v1" not in str(error.value)  # overlays are not cluster configs


def test_injected_kind_binary_is_used_instead_of_the_toolchain(kind_log, tmp_path, monkeypatch):
    monkeypatch.setattr(toolchain, "ensure", lambda binaries: pytest.fail("toolchain consulted"))
    KindProvider("promo-1", kind_binary=FAKES / "kind").create()
    assert calls(kind_log)[0][:2] == ["create", "cluster"]


def test_default_config_is_one_loopback_control_plane_with_a_digest_pinned_image():
    config = yaml.safe_load((CLUSTER_CONFIGS / "kind" / "default.yaml").read_text())
    assert config["kind"] == "Cluster"
    assert config["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    assert config["networking"] == {"apiServerAddress": "127.0.0.1", "apiServerPort": 0}
    assert [node["role"] for node in config["nodes"]] == ["control-plane"]
    assert re.fullmatch(r"kindest/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}", config["nodes"][0]["image"])
