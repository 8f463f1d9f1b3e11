"""The repository's examples (examples/app), applied the way the README tells a person to."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from harness.clusters import toolchain
from harness.paths import REPO
from harness.timeouts import TIMEOUTS


def kubectl_apply(folder: str, kubeconfig: Path) -> str:
    """`kubectl apply -f <folder>` (relative to the repository) against the cluster of `kubeconfig`;
    fails with kubectl's own words when it does not exit 0."""
    kubectl = toolchain.ensure(["kubectl"])["kubectl"]
    command = [str(kubectl), "apply", "-f", str(REPO / folder)]
    done = subprocess.run(command, env={**os.environ, "KUBECONFIG": str(kubeconfig)}, capture_output=True, text=True,
                          timeout=TIMEOUTS.object_state)
    assert done.returncode == 0, f"`kubectl apply -f {folder}` exited {done.returncode}: {done.stderr.strip() or done.stdout.strip()}"
    return done.stdout


def namespaces_in(folder: str) -> list[str]:
    """The Namespaces the example's files create (what a test removes afterwards)."""
    return [document["metadata"]["name"] for path in sorted((REPO / folder).glob("*.yaml"))
            for document in yaml.safe_load_all(path.read_text()) if document and document.get("kind") == "Namespace"]
