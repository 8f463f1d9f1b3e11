"""KindProvider against a fake `kind` executable (tests/fakes/kind) that records its arguments."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from harness.clusters import toolchain
from harness.clusters.kind import KindProvider
from harness.clusters.provider import ProviderError
from harness.paths import CLUSTER_CONFIGS

FAKES = Path(__file__).parent / "fakes"


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
    return log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_the_fake_kind_is_the_one_the_toolchain_finds(kind_log):
    assert toolchain.locate("kind").path == (FAKES / "kind").resolve()


def test_create_passes_name_config_own_kubeconfig_and_wait(kind_log, tmp_path):
    provider = KindProvider("promo-1")
    provider.create()

    own_kubeconfig = tmp_path / "cache" / "kind" / "promo-1" / "kubeconfig"
    assert calls(kind_log) == [[
        "create", "cluster",
        "--name", "promo-1",
        "--config", str(CLUSTER_CONFIGS / "kind" / "default.yaml"),
        "--kubeconfig", str(own_kubeconfig),
        "--wait", "120s",
    ]]
    assert provider.kubeconfig == own_kubeconfig
    assert "kind-promo-1" in own_kubeconfig.read_text()


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
