"""The offline kind node image: kind's node image recipe replayed without any registry.

`kind build node-image` pulls a base image and the control-plane images from registries. This
builds the same thing from what this machine can reach (KIND-OFFLINE.md §2):

1. a Debian root file system (debootstrap) with kind's base files from its Go module
   (`images/base/files`: entrypoint, systemd units, containerd config), the steps of kind's base
   Dockerfile, Debian's containerd/runc/CNI plugins, and kubeadm, kubelet, kubectl, crictl from
   the toolchain;
2. the control-plane images kubeadm asks for (`kubeadm config images list`), each `FROM scratch`
   with its binary from the toolchain (kube-proxy on a small Debian root with iptables), pause
   compiled from its C source in the Kubernetes module;
3. those images preloaded into the node's containerd the way kind does it (containerd started in
   a build container, `ctr images import --no-unpack`), then committed with kind's entrypoint.

Two settings differ from kind's: containerd's `restrict_oom_score_adj = true` (lowering
oom_score_adj needs CAP_SYS_RESOURCE, which containers on some hosts cannot have), and the pod
network is a bridge CNI config (clusters/kind/node/), since kindnetd cannot be built here.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from harness.clusters import toolchain
from harness.clusters.host import unmount_below
from harness.clusters.kind_image import rootfs
from harness.clusters.kind_image.docker import ImageBuildError, build, image_exists, run, scratch
from harness.clusters.kind_image.ingredients import (
    BINARIES, KUBE_PROXY_PACKAGES, NODE_FILES, NODE_PACKAGES, image_tag, ingredients,
)
from harness.eventually import NotYet, eventually
from harness.paths import cache_dir

BUILD_REPOSITORY = "promotion-conformance/kind-node-build"
# kind's containerd config names this sandbox image; kubeadm's list names its own pause tag too.
_SANDBOX_IMAGE = re.compile(r'sandbox_image\s*=\s*"([^"]+)"')
# Where each control-plane image's binary goes, and how it starts (kubeadm's manifests give the
# command of kube-apiserver, kube-controller-manager, kube-scheduler and etcd by name).
_ENTRYPOINTS = {"coredns": "/coredns", "pause": "/pause"}


def log_path() -> Path:
    return cache_dir() / "logs" / "kind-node-image.log"


def ensure(say) -> str:
    """The offline node image's tag, built first if no image of that tag exists."""
    tag = image_tag(made_of := ingredients())
    if image_exists(tag):
        return tag
    lock_path = cache_dir() / "kind-image" / ".build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another process is building the kind node image (lock {lock_path}); waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
        if not image_exists(tag):
            build_node_image(tag, made_of, say)
            _remove_stale(tag, say)
    return tag


def _remove_stale(tag: str, say) -> None:
    """Older offline node images (another recipe or version): about 1 GB each, never used again."""
    repository = tag.rsplit(":", 1)[0]
    listed = run(["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", repository]).split()
    stale = [image for image in listed if image != tag]
    if stale:
        say(f"removing older offline node images: {', '.join(stale)}")
        run(["docker", "rmi", *stale], check=False)


def build_node_image(tag: str, made_of: dict, say) -> None:
    log = log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    work = cache_dir() / "kind-image" / f"work-{os.getpid()}"
    started = time.monotonic()
    say(f"building the kind node image {tag} (Kubernetes {made_of['kubernetes']}, Debian "
        f"{made_of['debian']['suite']}) without a registry; a cold build takes 5-25 minutes. Log: {log}")

    def step(what: str) -> None:
        say(f"  {what} ({time.monotonic() - started:.0f}s so far)")

    with scratch() as made:
        try:
            rootfs.ensure_debootstrap(say)
            step("binaries from the toolchain (built from the Go module proxy if missing)")
            binaries = toolchain.ensure(BINARIES, progress=say)
            binaries["pause"] = _pause(say, log)
            step("Debian root file system of the node")
            node_root = rootfs.debootstrap(work / "node", NODE_PACKAGES, say=say, log=log)
            _install_kind_base(node_root, binaries, made_of, log)
            build_tag = f"{BUILD_REPOSITORY}:{tag.rsplit(':', 1)[1]}"
            base = rootfs.import_image(node_root, made.image(f"{build_tag}-rootfs"), say=say, log=log)
            shutil.rmtree(node_root)
            step("Debian root file system of kube-proxy")
            proxy_root = rootfs.debootstrap(work / "kube-proxy", KUBE_PROXY_PACKAGES, say=say, log=log)
            proxy_base = rootfs.import_image(proxy_root, made.image(f"{build_tag}-kube-proxy-rootfs"), say=say, log=log)
            shutil.rmtree(proxy_root)
            step("control-plane images")
            images = _component_images(binaries, build_tag, proxy_base, work, made, say, log)
            step("preloading them into the node's containerd")
            preloaded = _preload(base, images, build_tag, work, made, say, log)
            step("committing the node image")
            (work / "final").mkdir()
            build(work / "final", tag, f"FROM {preloaded}\nENV container=docker\nSTOPSIGNAL SIGRTMIN+3\n"
                  'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]\nCMD []\n'
                  f"LABEL promotion-conformance.kind-node={tag.rsplit(':', 1)[1]}\n",
                  say=say, doing="committing the node image", log=log)
        finally:
            unmount_below(work)
            shutil.rmtree(work, ignore_errors=True)
    say(f"built {tag} in {time.monotonic() - started:.0f}s")


def module_dir(module: str, version: str) -> Path:
    """The folder of a Go module in the module cache (downloaded from the proxy if missing)."""
    out = run(["go", "mod", "download", "-json", f"{module}@{version}"], env={**os.environ, "GOFLAGS": "-mod=mod"})
    return Path(json.loads(out)["Dir"])


def _pause(say, log: Path) -> Path:
    """pause, compiled from build/pause/linux/pause.c of the Kubernetes module (static, as upstream)."""
    source = module_dir("k8s.io/kubernetes", toolchain.KUBERNETES_VERSION) / "build" / "pause"
    version = re.search(r"^TAG \?= (\S+)", (source / "Makefile").read_text(), re.MULTILINE).group(1)
    target = cache_dir() / f"pause-{version}" / "pause"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        say(f"compiling pause {version} from its C source")
        compiler = shutil.which("gcc") or shutil.which("cc")
        if not compiler:
            raise ImageBuildError("compiling pause needs a C compiler (gcc) and static libc (libc6-dev)")
        partial = target.with_suffix(".partial")
        run([compiler, "-Os", "-Wall", "-Werror", "-static", f"-DVERSION=v{version}", "-o", str(partial),
             str(source / "linux" / "pause.c")], log=log)
        partial.rename(target)
    return target


def _install_kind_base(root: Path, binaries: dict[str, Path], made_of: dict, log: Path) -> None:
    """kind's base image steps (images/base/Dockerfile), on a Debian root file system."""
    files = module_dir("sigs.k8s.io/kind", toolchain.component_of("kind").version) / "images" / "base" / "files"
    _copy_tree(files, root)
    for script in [*(root / "usr/local/bin").iterdir(), *(root / "kind/bin").iterdir()]:
        script.chmod(0o755)
    # the RUN steps of kind's base Dockerfile: only kind's own units start, journald leaves kmsg alone
    systemd = root / "lib/systemd/system"
    (systemd / "sysinit.target.wants/systemd-tmpfiles-setup.service").unlink(missing_ok=True)
    for wants in ("multi-user.target.wants", "local-fs.target.wants", "basic.target.wants"):
        for link in (systemd / wants).glob("*"):
            link.unlink()
    for pattern in ("*udev*", "*initctl*"):
        for link in (systemd / "sockets.target.wants").glob(pattern):
            link.unlink()
    for link in (root / "etc/systemd/system").glob("*.wants/*"):
        link.unlink()
    with open(root / "etc/systemd/journald.conf", "a") as journald:
        journald.write("ReadKMsg=no\n")
    (root / "sbin/init").unlink(missing_ok=True)
    (root / "sbin/init").symlink_to("/usr/lib/systemd/systemd")
    rootfs.chroot(root, "systemctl", "enable", "kubelet.service", "containerd.service", "undo-mount-hacks.service", log=log)
    rootfs.chroot(root, "systemctl", "mask", "systemd-binfmt.service", log=log)
    (root / "etc/kubernetes/manifests").mkdir(parents=True, exist_ok=True)
    # Debian's containerd in the places kind's units and scripts expect it
    for name in ("containerd", "ctr", "containerd-shim-runc-v2"):
        (root / "usr/local/bin" / name).symlink_to(f"/usr/bin/{name}")
    (root / "opt/cni").mkdir(parents=True, exist_ok=True)
    (root / "opt/cni/bin").symlink_to("/usr/lib/cni")
    spec = json.loads(rootfs.chroot(root, "ctr", "oci", "spec", log=log))
    spec.setdefault("hooks", {}).setdefault("createContainer", []).append({"path": "/kind/bin/mount-product-files.sh"})
    spec["process"].pop("rlimits", None)
    (root / "etc/containerd/cri-base.json").write_text(json.dumps(spec, indent=2))
    config = root / "etc/containerd/config.toml"
    config.write_text(config.read_text().replace("restrict_oom_score_adj = false", "restrict_oom_score_adj = true"))
    if "restrict_oom_score_adj = true" not in config.read_text():
        raise ImageBuildError(f"kind's containerd config {config} no longer sets restrict_oom_score_adj: update the recipe")
    # the node's own binaries, where kind's units and `kind build node-image` put them
    for name, folder in (("kubeadm", "usr/bin"), ("kubelet", "usr/bin"), ("kubectl", "usr/bin"), ("crictl", "usr/local/bin")):
        shutil.copy(binaries[name], root / folder / name)
        (root / folder / name).chmod(0o755)
    (root / "etc/cni/net.d").mkdir(parents=True, exist_ok=True)
    shutil.copy(NODE_FILES / "10-pod-bridge.conflist", root / "etc/cni/net.d/10-pod-bridge.conflist")
    (root / "kind/manifests").mkdir(parents=True, exist_ok=True)
    shutil.copy(NODE_FILES / "default-storage.yaml", root / "kind/manifests/default-storage.yaml")
    (root / "kind/version").write_text(made_of["kubernetes"])
    (root / "kind/ingredients.json").write_text(json.dumps(made_of, indent=2, sort_keys=True))


def _copy_tree(source: Path, target: Path) -> None:
    """Files of `source` into `target` (0644; the module cache's are read-only), folders as needed."""
    for path in source.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            destination.chmod(0o644)


def required_images(kubeadm: Path, containerd_config: str) -> list[str]:
    """What kubeadm pulls for the pinned version, plus the sandbox image of kind's containerd config."""
    listed = run([str(kubeadm), "config", "images", "list", "--kubernetes-version", toolchain.KUBERNETES_VERSION]).split()
    sandbox = _SANDBOX_IMAGE.search(containerd_config)
    return listed + ([sandbox.group(1)] if sandbox and sandbox.group(1) not in listed else [])


def _component_images(binaries: dict[str, Path], build_tag: str, proxy_base: str, work: Path, made, say,
                      log: Path) -> dict[str, list[str]]:
    """Build each control-plane image; return {build tag: [the names kubeadm and containerd expect]}."""
    config = (module_dir("sigs.k8s.io/kind", toolchain.component_of("kind").version)
              / "images/base/files/etc/containerd/config.toml").read_text()
    wanted: dict[str, list[str]] = {}
    for image in required_images(binaries["kubeadm"], config):
        component = image.rsplit(":", 1)[0].rsplit("/", 1)[1]  # registry.k8s.io/coredns/coredns:v1 → coredns
        if component not in binaries:
            raise ImageBuildError(f"kubeadm {toolchain.KUBERNETES_VERSION} asks for {image}, which this recipe "
                                  f"cannot build (no binary {component!r})")
        wanted.setdefault(component, []).append(image)
    built: dict[str, list[str]] = {}
    for component, names in wanted.items():
        context = work / "images" / component
        context.mkdir(parents=True)
        binary = context / component
        try:
            os.link(binaries[component], binary)
        except OSError:
            shutil.copy(binaries[component], binary)
        entrypoint = _ENTRYPOINTS.get(component, f"/usr/local/bin/{component}")
        base = proxy_base if component == "kube-proxy" else "scratch"
        dockerfile = (f"FROM {base}\nCOPY {component} {entrypoint}\n"
                      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                      f'ENTRYPOINT ["{entrypoint}"]\n')
        tag = made.image(f"{build_tag}-{component}")
        build(context, tag, dockerfile, say=say, doing=f"building the {component} image", log=log)
        built[tag] = names
    return built


def _preload(base: str, images: dict[str, list[str]], build_tag: str, work: Path, made, say, log: Path) -> str:
    """Import the images into the node's containerd (kind's own way: containerd started in a build
    container, `ctr images import --no-unpack`, then tagged with the names kubeadm expects) and
    commit that container as an image."""
    archive = work / "images.tar"
    run(["docker", "save", "-o", str(archive), *images], say=say, doing="saving the control-plane images", log=log)
    container = made.container(f"pc-kind-node-build-{os.getpid()}")
    run(["docker", "run", "-d", "--name", container, "--entrypoint", "sleep", "--security-opt", "seccomp=unconfined",
         base, "infinity"], log=log)
    run(["docker", "cp", str(archive), f"{container}:/images.tar"], say=say, doing="copying the images into the node", log=log)
    archive.unlink()

    def in_node(*command: str, doing: str = "") -> str:
        return run(["docker", "exec", container, *command], say=say if doing else None, doing=doing, log=log)

    run(["docker", "exec", "-d", container, "sh", "-c", "echo $$ > /run/preload-containerd.pid; exec containerd"], log=log)

    def containerd_answers() -> None:
        if subprocess.run(["docker", "exec", container, "ctr", "version"], capture_output=True).returncode != 0:
            raise NotYet("`ctr version` fails")

    eventually(containerd_answers, "containerd in the build container to answer", timeout=60)
    in_node("ctr", "-n", "k8s.io", "images", "import", "--all-platforms", "--no-unpack", "/images.tar",
            doing="importing the images into the node's containerd")
    for tag, names in images.items():
        imported = f"docker.io/{tag}"
        for name in names:
            in_node("ctr", "-n", "k8s.io", "images", "tag", "--force", imported, name)
        in_node("ctr", "-n", "k8s.io", "images", "rm", imported)
    say(f"  preloaded: {', '.join(sorted(in_node('ctr', '-n', 'k8s.io', 'images', 'ls', '-q').split()))}")
    in_node("sh", "-c", "kill $(cat /run/preload-containerd.pid); while kill -0 $(cat /run/preload-containerd.pid) "
                        "2>/dev/null; do sleep 0.2; done; rm -f /run/preload-containerd.pid /images.tar")
    preloaded = made.image(f"{build_tag}-preloaded")
    run(["docker", "commit", container, preloaded], say=say, doing="committing the preloaded node", log=log)
    return preloaded
