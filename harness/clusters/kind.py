"""A kind cluster (Kubernetes in Docker), driven through the kind CLI.

Nodes are real here: a task's Job runs its container as written. The scenarios give every task
container `busybox:1.36` and `sh -c 'sleep ...; exit ...'` reading SIM_RUN_FOR and SIM_EXIT_CODE
(docs/contract.md §7), so a task runs and ends on kind as the simulated cluster's pod stages make it look
there; its exit code comes from `sh`.

The node image is the one pinned in the config (`kindest/node@sha256:...`) when the Docker engine
has it or can pull it, otherwise the offline image built from Debian packages and the Go module
proxy (harness/clusters/kind_image/); the provider says which and why. The config given to kind is
the chosen file plus overlays picked by detection (clusters/kind/overlays/): `offline-image` for
the offline image (no kindnetd), `cgroup-v1` when the engine runs on cgroup v1. The task images
are then loaded into the node (`kind load docker-image`), so no pod pulls from a registry.

The cluster gets its own kubeconfig file, `<cache>/kind/<name>/kubeconfig`: every kind command
that writes a kubeconfig is given that path, so `~/.kube/config` is never read or changed.
"""
from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import yaml

from harness.clusters import toolchain
from harness.clusters.provider import ClusterProvider, ProviderError
from harness.console import speaker
from harness.heartbeat import heartbeat
from harness.paths import CLUSTER_CONFIGS, cache_dir

KIND_CONFIGS = CLUSTER_CONFIGS / "kind"
OVERLAYS = KIND_CONFIGS / "overlays"
DEFAULT_CONFIG = "default"
# How long `kind create cluster` waits for the control plane to be ready.
DEFAULT_WAIT = "120s"
# Lines of kind's stderr quoted in an error.
_STDERR_TAIL_LINES = 20


_say = speaker("kind")


class EngineImages:
    """The Docker engine's side of a kind cluster: the node image, the task images, the engine's
    cgroup version. Unit tests hand the provider a fake instead (no Docker there)."""

    def node_image(self, pinned: str, say) -> tuple[str, bool]:
        """(image, whether it is the offline one), built first if needed; says which and why."""
        from harness.clusters import kind_image
        from harness.clusters.kind_image import node

        try:
            chosen = kind_image.select(pinned)
        except ValueError as error:
            raise ProviderError(f"no kind node image: {error}") from None
        say(f"node image: {chosen.reason}")
        return (node.ensure(say) if chosen.offline else chosen.image), chosen.offline

    def task_images(self, say) -> list[str]:
        """The task images, made present in the engine (built from Debian packages if absent)."""
        from harness.clusters.kind_image import node, task_images

        for image in task_images.TASK_IMAGES:
            say(f"{image}: {task_images.ensure(image, say, node.log_path())}")
        return list(task_images.TASK_IMAGES)

    def cgroup_v1(self) -> bool:
        proc = subprocess.run(["docker", "info", "--format", "{{.CgroupVersion}}"], capture_output=True, text=True)
        return proc.stdout.strip() == "1"


def merge(base: dict, overlay: dict) -> dict:
    """`overlay` merged into `base`: mappings key by key, lists appended, anything else replaced."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = merged[key] + value
        else:
            merged[key] = value
    return merged


def render_config(config_path: Path, image: str | None, overlays: list[str]) -> dict:
    """The cluster config kind gets: the file, every node on `image` (None: as the file says), overlays merged."""
    config = yaml.safe_load(config_path.read_text())
    for overlay in overlays:
        config = merge(config, yaml.safe_load((OVERLAYS / f"{overlay}.yaml").read_text()))
    if image:
        config["nodes"] = [{**node, "image": image} for node in config.get("nodes") or [{"role": "control-plane"}]]
    return config


class KindProvider(ClusterProvider):
    kind = "kind"
    real_nodes = True

    def __init__(
        self,
        name: str,
        config: str = DEFAULT_CONFIG,
        kind_binary: Path | None = None,
        wait: str = DEFAULT_WAIT,
        images: EngineImages | None = None,
        say=_say,
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
        self.images = images or EngineImages()
        self.say = say

    @property
    def kubeconfig(self) -> Path:
        return cache_dir() / "kind" / self.name / "kubeconfig"

    @property
    def rendered_config(self) -> Path:
        return self.kubeconfig.parent / "kind-config.yaml"

    def pinned_image(self) -> str:
        nodes = yaml.safe_load(self.config_path.read_text()).get("nodes") or []
        images = {node.get("image") for node in nodes} - {None}
        if len(images) != 1:
            raise ProviderError(f"{self.config_path}: expected every node to name the same `image:` "
                                f"(kindest/node pinned by digest), found {sorted(images) or 'none'}")
        return images.pop()

    def create(self) -> None:
        image, offline = self.images.node_image(self.pinned_image(), self.say)
        overlays = (["offline-image"] if offline else []) + (["cgroup-v1"] if self.images.cgroup_v1() else [])
        if overlays:
            self.say(f"config {self.config_path.name} with overlays: {', '.join(overlays)} (clusters/kind/overlays/)")
        task_images = self.images.task_images(self.say)
        self.kubeconfig.parent.mkdir(parents=True, exist_ok=True)
        self.rendered_config.write_text(yaml.safe_dump(render_config(self.config_path, image, overlays), sort_keys=False))
        self._kind(
            "create", "cluster",
            "--name", self.name,
            "--config", str(self.rendered_config),
            "--kubeconfig", str(self.kubeconfig),
            "--wait", self.wait,
            doing=f"creating kind cluster {self.name!r}",
        )
        for task_image in task_images:
            self.load_image(task_image)

    def delete(self) -> None:
        # kind deletes a cluster that is already gone without complaint.
        self._kind("delete", "cluster", "--name", self.name, "--kubeconfig", str(self.kubeconfig))
        shutil.rmtree(self.kubeconfig.parent, ignore_errors=True)  # its kubeconfig and rendered config

    def exists(self) -> bool:
        return self.name in self._kind("get", "clusters").split()

    def export_logs(self, dest: Path) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        self._kind("export", "logs", str(dest), "--name", self.name)

    def load_image(self, image: str) -> None:
        """Copy an image from the host's Docker engine onto the cluster's node."""
        self._kind("load", "docker-image", image, "--name", self.name, doing=f"loading {image} into the node")

    def _kind(self, *args: str, doing: str = "") -> str:
        """Run one kind command and return its stdout; a non-zero exit becomes a ProviderError."""
        if self._kind_binary is None:
            self._kind_binary = toolchain.ensure(["kind"])["kind"]
        command = [str(self._kind_binary), *args]
        with heartbeat(self.say, doing or f"running kind {args[0]}"):
            proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.rstrip().splitlines()[-_STDERR_TAIL_LINES:])
            raise ProviderError(
                f"kind cluster {self.name!r}: `{shlex.join(command)}` failed with exit code "
                f"{proc.returncode}; end of its stderr:\n{tail or '(empty)'}"
            )
        return proc.stdout
