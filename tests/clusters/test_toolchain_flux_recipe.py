"""The toolchain's recipe for Flux: the wrapper module gets what the controller's own go.mod intends
(its versioned replaces, its local ./api replace as a versioned require) and the mirror's pins."""
from __future__ import annotations

import pytest

from harness.clusters import toolchain
from harness.clusters.toolchain import ToolchainError
from harness.clusters.toolchain import MIRROR_PINS, wrapper_edits

SOURCE = "github.com/fluxcd/source-controller"


def gomod(replaces, requires) -> dict:
    """A go.mod as `go mod edit -json` prints it."""
    return {"Require": [{"Path": path, "Version": version} for path, version in requires],
            "Replace": [{"Old": {"Path": old, **({"Version": old_version} if old_version else {})},
                         "New": {"Path": new, **({"Version": new_version} if new_version else {})}}
                        for old, old_version, new, new_version in replaces]}


def test_versioned_replaces_are_kept_and_the_local_api_becomes_a_require():
    edits = wrapper_edits(gomod(
        [("github.com/fluxcd/source-controller/api", None, "./api", None),
         ("github.com/opencontainers/go-digest", None, "github.com/opencontainers/go-digest", "v1.0.1-0.2022"),
         ("gopkg.in/yaml.v3", "v3.0.0", "gopkg.in/yaml.v3", "v3.0.1")],
        [("github.com/fluxcd/source-controller/api", "v1.9.4"), ("github.com/fluxcd/pkg/artifact", "v0.18.2")]), SOURCE)
    assert edits == [
        "-require=github.com/fluxcd/source-controller/api@v1.9.4",
        "-replace=github.com/opencontainers/go-digest=github.com/opencontainers/go-digest@v1.0.1-0.2022",
        "-replace=gopkg.in/yaml.v3@v3.0.0=gopkg.in/yaml.v3@v3.0.1",
        "-replace=github.com/fluxcd/pkg/artifact=github.com/fluxcd/pkg/artifact@v0.18.0",  # the mirror's pin
    ]


def test_a_module_without_pins_gets_only_its_own_replaces():
    assert "github.com/fluxcd/kustomize-controller" not in MIRROR_PINS
    assert wrapper_edits(gomod([("sigs.k8s.io/kustomize/api", None, "sigs.k8s.io/kustomize/api", "v0.21.1")], []),
                         "github.com/fluxcd/kustomize-controller") == [
        "-replace=sigs.k8s.io/kustomize/api=sigs.k8s.io/kustomize/api@v0.21.1"]


def test_a_local_replace_without_a_required_version_is_an_error_naming_it():
    with pytest.raises(ToolchainError, match="replaces github.com/x/api with ./api but requires no version"):
        wrapper_edits(gomod([("github.com/x/api", None, "./api", None)], []), "github.com/x")


def test_flux_is_pinned_in_the_toolchain_table_and_never_taken_from_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMOTION_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    versions = {c.name: (c.version, c.recipe) for c in toolchain.COMPONENTS}
    assert versions["flux-source-controller"] == ("v1.9.4", "flux")
    assert versions["flux-kustomize-controller"] == ("v1.9.0", "flux")
    fake = tmp_path / "path" / "source-controller"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho v1.9.4\n")
    fake.chmod(0o755)
    assert toolchain.locate("source-controller", {"PATH": str(fake.parent)}) is None  # no version flag to check
