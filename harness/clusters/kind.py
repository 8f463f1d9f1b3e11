"""A kind cluster (Kubernetes in Docker), driven through the kind CLI.

Nodes are real here: a task's Job runs its container as written. The scenarios give every task
container the `busybox` image and the command `sh -c 'sleep <SIM_RUN_FOR>; exit <SIM_EXIT_CODE>'`
(SPEC.md §7), so a task runs and ends on kind exactly as the simulated cluster's pod stages make
it look there. Nothing here simulates anything; on a machine without registry access, pre-load
busybox with `load_image`.

The cluster gets its own kubeconfig file, `<cache>/kind/<name>/kubeconfig`: every kind command
that writes a kubeconfig is given that path, so `~/.kube/config` is never read or changed.
"""
from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from harness.clusters import toolchain
from harness.clusters.provider import ClusterProvider, ProviderError
from harness.paths import CLUSTER_CONFIGS, cache_dir

KIND_CONFIGS = CLUSTER_CONFIGS / "kind"
DEFAULT_CONFIG = "default"
# How long `kind create cluster` waits for the control plane to be ready.
DEFAULT_WAIT = "120s"
# Lines of kind's stderr quoted in an error.
_STDERR_TAIL_LINES = 20


class KindProvider(ClusterProvider):
    kind = "kind"
    real_nodes = True

    def __init__(
        self,
        name: str,
        config: str = DEFAULT_CONFIG,
        kind_binary: Path | None = None,
        wait: str = DEFAULT_WAIT,
    ):
        """`config` names a file `clusters/kind/<config>.yaml`; `kind_binary` defaults to the
        toolchain's kind (found or built on first use)."""
        super().__init__(name)
        self.config_path = KIND_CONFIGS / f"{config}.yaml"
        if not self.config_path.is_file():
            available = sorted(p.stem for p in KIND_CONFIGS.glob("*.yaml"))
            raise ProviderError(
                f"kind cluster config {config!r} not found: expected {self.config_path}; "
                f"available configs: {', '.join(available) or 'none'}"
            )
        self._kind_binary = kind_binary
        self.wait = wait

    @property
    def kubeconfig(self) -> Path:
        return cache_dir() / "kind" / self.name / "kubeconfig"

    def create(self) -> None:
        self.kubeconfig.parent.mkdir(parents=True, exist_ok=True)
        self._kind(
            "create", "cluster",
            "--name", self.name,
            "--config", str(self.config_path),
            "--kubeconfig", str(self.kubeconfig),
            "--wait", self.wait,
        )

    def delete(self) -> None:
        # kind deletes a cluster that is already gone without complaint.
        self._kind("delete", "cluster", "--name", self.name, "--kubeconfig", str(self.kubeconfig))

    def exists(self) -> bool:
        return self.name in self._kind("get", "clusters").split()

    def export_logs(self, dest: Path) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        self._kind("export", "logs", str(dest), "--name", self.name)

    def load_image(self, image: str) -> None:
        """Copy an image from the host's Docker engine onto the cluster's node."""
        self._kind("load", "docker-image", image, "--name", self.name)

    def _kind(self, *args: str) -> str:
        """Run one kind command and return its stdout; a non-zero exit becomes a ProviderError."""
        if self._kind_binary is None:
            self._kind_binary = toolchain.ensure(["kind"])["kind"]
        command = [str(self._kind_binary), *args]
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.rstrip().splitlines()[-_STDERR_TAIL_LINES:])
            raise ProviderError(
                f"kind cluster {self.name!r}: `{shlex.join(command)}` failed with exit code "
                f"{proc.returncode}; end of its stderr:\n{tail or '(empty)'}"
            )
        return proc.stdout
