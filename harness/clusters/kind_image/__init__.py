"""Images for real kind clusters without a registry: which node image a cluster uses, the offline
node image (node.py), the task images (task_images.py), and `promotion-conformance kind-image`.

The kind provider uses the pinned `kindest/node` of its config when the engine has it or can pull
it; otherwise the offline node image, built here the first time (KIND-OFFLINE.md §2). `auto`
asks `usable()` first, so it never picks a kind whose node cannot come up.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from harness.clusters.kind_image import docker, ingredients
from harness.console import speaker

# Seconds `docker manifest inspect` may take to say whether the registry has the pinned image.
PULLABLE_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class NodeImage:
    """The node image a kind cluster uses; `offline` ones are built by this package."""

    image: str
    offline: bool
    reason: str
    built: bool = True  # False: an offline image that must be built first


def pullable(image: str) -> tuple[bool, str]:
    """Whether a registry answers for the image (`docker manifest inspect`, no download)."""
    try:
        proc = subprocess.run(["docker", "manifest", "inspect", image], capture_output=True, text=True,
                              timeout=PULLABLE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return False, f"no registry answered within {PULLABLE_TIMEOUT_S:g} s"
    if proc.returncode == 0:
        return True, ""
    return False, (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:200]


def missing_for_build() -> list[str]:
    """What this host lacks to build the offline node image (empty: it can)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (debootstrap and chroot)")
    if not shutil.which("go"):
        missing.append("Go (kubeadm, kubelet, kube-proxy, crictl, coredns are built from the Go module proxy)")
    if not (shutil.which("debootstrap") or shutil.which("apt-get")):
        missing.append("debootstrap or apt-get (the node's Debian root file system)")
    if not (shutil.which("gcc") or shutil.which("cc")):
        missing.append("a C compiler (pause)")
    return missing


def select(pinned: str, *, present=docker.image_exists, can_pull=pullable, offline_tag=None,
           missing=missing_for_build) -> NodeImage:
    """The pinned image if the engine has it or can pull it, else the offline image (built or
    buildable). A ValueError says why neither can be had."""
    if present(pinned):
        return NodeImage(pinned, False, f"the pinned {pinned} is present in the engine")
    ok, why_not = can_pull(pinned)
    if ok:
        return NodeImage(pinned, False, f"the pinned {pinned} can be pulled")
    tag = offline_tag or ingredients.image_tag(ingredients.ingredients())
    cannot = f"the pinned {pinned.split('@')[0]} is not in the engine and cannot be pulled ({why_not})"
    if present(tag):
        return NodeImage(tag, True, f"{cannot}; using the offline node image {tag}, built earlier")
    lacking = missing()
    if lacking:
        raise ValueError(f"{cannot}, and the offline node image {tag} is not built and cannot be built here: "
                         f"missing {'; '.join(lacking)}")
    return NodeImage(tag, True, f"{cannot}; building the offline node image {tag} first", built=False)


say = speaker("kind-image")
