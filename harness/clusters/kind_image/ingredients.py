"""What goes into the offline kind node image, and the tag derived from all of it.

A locally built image has no registry digest to pin, so its tag is a digest of every version that
went into it: the toolchain's pinned components, kind's base files (its version), the Debian suite
and the candidate version of each Debian package (as the host's apt lists show it), and the build
recipe itself (this package's source and `clusters/kind/node/`). Change any of them and the tag
changes, so the next run builds a new image instead of reusing a stale one.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

from harness.clusters import toolchain
from harness.paths import CLUSTER_CONFIGS

REPOSITORY = "promotion-conformance/kind-node"
# Debian 12: its containerd 1.6 is enough for Kubernetes 1.36 (kind's own 1.37 image needs 2.x).
DEBIAN_SUITE = "bookworm"
# The node's packages: kind's base image list (images/base/Dockerfile) less what the suite never
# uses (nfs, iscsi, fuse-overlayfs for rootless, curl), plus Debian's container runtime and CNI plugins.
NODE_PACKAGES = (
    "systemd", "conntrack", "iptables", "nftables", "iproute2", "ethtool", "util-linux", "mount", "kmod",
    "libseccomp2", "pigz", "e2fsprogs", "bash", "ca-certificates", "jq", "procps",
    "containerd", "runc", "containernetworking-plugins",
)
# kube-proxy's image: what it runs besides itself.
KUBE_PROXY_PACKAGES = ("iptables", "conntrack")
# The binaries inside the node or its control-plane images, from the toolchain.
BINARIES = ("kubeadm", "kubelet", "kube-proxy", "kubectl", "crictl", "coredns",
            "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")
NODE_FILES = CLUSTER_CONFIGS / "kind" / "node"
RECIPE = (Path(__file__).parent, NODE_FILES)


def debian_candidates(packages: tuple[str, ...]) -> dict[str, str]:
    """Each package's candidate version per `apt-cache policy` ("unknown" when the host's package
    lists do not know it)."""
    proc = subprocess.run(["apt-cache", "policy", *packages], capture_output=True, text=True)
    versions = dict.fromkeys(packages, "unknown")
    current = None
    for line in proc.stdout.splitlines():
        if not line.startswith(" ") and line.endswith(":"):
            current = line[:-1]
        elif current in versions and (match := re.match(r"\s+Candidate:\s*(\S+)", line)):
            versions[current] = match.group(1)
    return versions


def recipe_digest() -> str:
    """A digest of the build recipe's own files."""
    digest = hashlib.sha256()
    for folder in RECIPE:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def ingredients(candidates=debian_candidates) -> dict:
    """Every version that goes into the node image."""
    components = {}
    for binary in (*BINARIES, "kind"):
        component = toolchain.component_of(binary)
        components[component.name] = component.version
    return {
        "kubernetes": toolchain.KUBERNETES_VERSION,
        "components": dict(sorted(components.items())),
        "debian": {"suite": DEBIAN_SUITE,
                   "packages": candidates(tuple(sorted(set(NODE_PACKAGES + KUBE_PROXY_PACKAGES))))},
        "recipe": recipe_digest(),
    }


def image_tag(made_of: dict) -> str:
    """`promotion-conformance/kind-node:v1.36.3-<12 hex digits of everything in it>`."""
    digest = hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()[:12]
    return f"{REPOSITORY}:{made_of['kubernetes']}-{digest}"
