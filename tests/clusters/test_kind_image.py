"""Which node image a kind cluster gets, and the offline image's tag (no Docker needed)."""
from __future__ import annotations

import copy

import pytest

from harness.clusters import kind_image
from harness.clusters.kind_image import ingredients

PINNED = "kindest/node:v1.37.0@sha256:" + "a" * 64
OFFLINE = "promotion-conformance/kind-node:v1.36.3-0123456789ab"


def choose(present=(), pull=(False, "dial tcp: lookup registry-1.docker.io: no such host"), missing=()):
    return kind_image.select(PINNED, present=lambda image: image in present, can_pull=lambda image: pull,
                             offline_tag=OFFLINE, missing=lambda: list(missing))


def test_the_pinned_image_when_the_engine_has_it():
    chosen = choose(present={PINNED, OFFLINE})
    assert (chosen.image, chosen.offline) == (PINNED, False)
    assert chosen.reason == f"the pinned {PINNED} is present in the engine"


def test_the_pinned_image_when_it_can_be_pulled():
    chosen = choose(pull=(True, ""))
    assert (chosen.image, chosen.offline, chosen.reason) == (PINNED, False, f"the pinned {PINNED} can be pulled")


def test_the_offline_image_when_the_pinned_one_cannot_be_had_saying_why():
    chosen = choose(present={OFFLINE})
    assert (chosen.image, chosen.offline, chosen.built) == (OFFLINE, True, True)
    assert chosen.reason == ("the pinned kindest/node:v1.37.0 is not in the engine and cannot be pulled (dial tcp: "
                             f"lookup registry-1.docker.io: no such host); using the offline node image {OFFLINE}, built earlier")


def test_the_offline_image_is_built_when_it_can_be():
    chosen = choose()
    assert (chosen.image, chosen.offline, chosen.built) == (OFFLINE, True, False)
    assert chosen.reason.endswith(f"building the offline node image {OFFLINE} first")


def test_no_image_at_all_names_what_is_missing():
    with pytest.raises(ValueError) as error:
        choose(missing=["root (debootstrap and chroot)", "a C compiler (pause)"])
    assert "cannot be pulled (dial tcp" in str(error.value)
    assert "missing root (debootstrap and chroot); a C compiler (pause)" in str(error.value)


MADE_OF = {
    "kubernetes": "v1.36.3",
    "components": {"kubernetes": "v1.36.3", "etcd": "v3.6.16", "kind": "v0.33.0"},
    "debian": {"suite": "bookworm", "packages": {"containerd": "1.6.20~ds1-1+deb12u3", "runc": "1.1.5+ds1-1+deb12u1"}},
    "recipe": "0123456789abcdef",
}


def changed(path: tuple[str, ...], value) -> dict:
    made_of = copy.deepcopy(MADE_OF)
    target = made_of
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return made_of


def test_the_tag_names_the_kubernetes_version_and_is_stable():
    assert ingredients.image_tag(MADE_OF) == ingredients.image_tag(copy.deepcopy(MADE_OF))
    assert ingredients.image_tag(MADE_OF).startswith("promotion-conformance/kind-node:v1.36.3-")


@pytest.mark.parametrize("path, value", [
    (("components", "etcd"), "v3.6.17"),
    (("components", "kind"), "v0.34.0"),
    (("debian", "packages", "containerd"), "1.6.20~ds1-1+deb12u4"),
    (("debian", "suite"), "trixie"),
    (("recipe",), "fedcba9876543210"),
])
def test_the_tag_changes_with_every_ingredient(path, value):
    assert ingredients.image_tag(changed(path, value)) != ingredients.image_tag(MADE_OF)


def test_apt_candidates_are_read_per_package_and_unknown_ones_say_so(tmp_path, monkeypatch):
    fake = tmp_path / "apt-cache"
    fake.write_text("#!/bin/sh\ncat <<'EOF'\ncontainerd:\n  Installed: (none)\n  Candidate: 1.6.20~ds1-1+deb12u3\n"
                    "  Version table:\n     1.6.20~ds1-1+deb12u3 500\nrunc:\n  Installed: 1.1.5\n  Candidate: 1.1.5+ds1-1\nEOF\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert ingredients.debian_candidates(("containerd", "runc", "nosuch")) == {
        "containerd": "1.6.20~ds1-1+deb12u3", "runc": "1.1.5+ds1-1", "nosuch": "unknown"}


def test_every_ingredient_is_in_the_real_list(monkeypatch):
    made_of = ingredients.ingredients(candidates=lambda packages: dict.fromkeys(packages, "1"))
    assert set(made_of["components"]) == {"kubernetes", "kubernetes-node", "cri-tools", "coredns", "etcd", "kind"}
    assert set(ingredients.NODE_PACKAGES) <= set(made_of["debian"]["packages"])
    assert len(made_of["recipe"]) == 16
