"""The toolchain's lookup order: explicit setting, envtest, PATH, cache, then a build."""
from __future__ import annotations

from pathlib import Path

import pytest

from harness.clusters import toolchain


def _binary(folder: Path, name: str, prints: str = "Kubernetes v1.36.3") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{prints}'\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PROMOTION_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_every_pinned_binary_has_one_component():
    binaries = [b for c in toolchain.COMPONENTS for b in c.binaries]
    assert len(binaries) == len(set(binaries))
    simulated = {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok", "kwokctl", "kind",
                 "source-controller", "kustomize-controller"}
    assert set(toolchain.simulated_binaries()) == simulated
    assert set(binaries) - simulated == {"kubeadm", "kubelet", "kube-proxy", "crictl", "coredns"}


def test_the_kind_image_binaries_are_neither_built_nor_listed_by_toolchain():
    """`make toolchain` (and so `make test`) never builds what only the offline kind node image needs."""
    listed = {binary for binary, _, _ in toolchain.describe()}
    assert not listed & {"kubeadm", "kubelet", "kube-proxy", "crictl", "coredns"}
    assert all(toolchain.component_of(b).kind_image for b in ("kubelet", "crictl", "coredns"))
    assert toolchain.component_of("kubelet").version == toolchain.component_of("kube-apiserver").version


def test_versions_are_the_pinned_lines():
    versions = {c.name: c.version for c in toolchain.COMPONENTS}
    assert versions["etcd"].startswith("v3.6.")
    assert versions["kubernetes"].startswith("v1.36.")
    assert versions["kwok"] == "v0.8.0"
    assert versions["kind"] == "v0.33.0"


def test_lookup_order_setting_then_envtest_then_path_then_cache(tmp_path, cache):
    setting = _binary(tmp_path / "setting", "kube-apiserver")
    envtest = _binary(tmp_path / "envtest", "kube-apiserver")
    on_path = _binary(tmp_path / "path", "kube-apiserver")
    cached = _binary(toolchain.cached_path("kube-apiserver").parent, "kube-apiserver")
    env = {
        toolchain.BIN_DIR_VAR: str(setting.parent),
        "TEST_ASSET_KUBE_APISERVER": str(envtest),
        "PATH": str(on_path.parent),
    }
    assert toolchain.locate("kube-apiserver", env) == toolchain.Found(setting, "setting")
    del env[toolchain.BIN_DIR_VAR]
    assert toolchain.locate("kube-apiserver", env) == toolchain.Found(envtest, "envtest")
    del env["TEST_ASSET_KUBE_APISERVER"]
    assert toolchain.locate("kube-apiserver", env) == toolchain.Found(on_path, "PATH")
    env["PATH"] = str(tmp_path / "empty")
    assert toolchain.locate("kube-apiserver", env) == toolchain.Found(cached, "cache")
    cached.unlink()
    assert toolchain.locate("kube-apiserver", env) is None


def test_a_binary_on_path_of_another_version_is_passed_over(tmp_path, cache):
    _binary(tmp_path / "path", "kubectl", prints="Client Version: v1.32.4-dispatcher")
    cached = _binary(toolchain.cached_path("kubectl").parent, "kubectl")
    assert toolchain.locate("kubectl", {"PATH": str(tmp_path / "path")}) == toolchain.Found(cached, "cache")
    _binary(tmp_path / "path", "kubectl", prints="Client Version: v1.36.1")
    assert toolchain.locate("kubectl", {"PATH": str(tmp_path / "path")}).source == "PATH"


def test_kubebuilder_assets_serves_only_envtest_binaries(tmp_path, cache):
    assets = tmp_path / "assets"
    etcd = _binary(assets, "etcd")
    _binary(assets, "kube-scheduler")  # not an envtest binary: must not be taken from there
    env = {"KUBEBUILDER_ASSETS": str(assets), "PATH": str(tmp_path / "empty")}
    assert toolchain.locate("etcd", env) == toolchain.Found(etcd, "envtest")
    assert toolchain.locate("kube-scheduler", env) is None


def test_a_file_without_execute_permission_is_skipped(tmp_path, cache):
    folder = tmp_path / "setting"
    folder.mkdir()
    (folder / "kwok").write_text("not executable")
    assert toolchain.locate("kwok", {toolchain.BIN_DIR_VAR: str(folder), "PATH": ""}) is None


def test_missing_go_fails_with_one_sentence_naming_the_component(tmp_path, cache, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(toolchain.ToolchainError) as error:
        toolchain.ensure(["kind"], progress=lambda _: None)
    message = str(error.value)
    assert "kind v0.33.0" in message and "'go'" in message and "\n" not in message


def test_a_failed_build_names_the_component_and_its_log(tmp_path, cache, monkeypatch):
    fake_go = _binary(tmp_path / "bin", "go")
    fake_go.write_text("#!/bin/sh\necho 'go: module lookup disabled' >&2\nexit 1\n")
    monkeypatch.setenv("PATH", str(fake_go.parent))
    with pytest.raises(toolchain.ToolchainError) as error:
        toolchain.ensure(["kwokctl"], progress=lambda _: None)
    message = str(error.value)
    log = cache / "logs" / "build-kwok-v0.8.0.log"
    assert "kwok v0.8.0" in message and str(log) in message
    assert "module lookup disabled" in log.read_text()


def test_staging_modules_are_read_from_the_kubernetes_go_mod():
    gomod = "replace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\tk8s.io/client-go => ./staging/src/k8s.io/client-go\n)\n"
    assert toolchain._STAGING_REPLACE.findall(gomod) == ["k8s.io/api", "k8s.io/client-go"]


def test_version_ldflags_set_both_version_packages():
    flags = " ".join(toolchain._version_ldflags("v1.36.3"))
    for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        assert f"{package}.gitVersion=v1.36.3" in flags
        assert f"{package}.gitMajor=1" in flags and f"{package}.gitMinor=36" in flags
