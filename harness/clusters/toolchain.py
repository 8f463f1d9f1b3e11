"""Locate or build the binaries a simulated cluster (and the kind provider) runs.

Versions are pinned once, in COMPONENTS. Each binary is looked up, in this order:
  1. the directory in PROMOTION_CONFORMANCE_BIN_DIR (an explicit setting),
  2. envtest's TEST_ASSET_<NAME> variables, then KUBEBUILDER_ASSETS (etcd, kube-apiserver, kubectl only),
  3. PATH, if the binary there reports the pinned minor version (a kubectl 1.32 on PATH is not used
     against a 1.36 API server),
  4. the versioned build cache (<cache>/<component>-<version>/),
  5. a build from the Go module proxy into that cache (CGO disabled, one throw-away wrapper
     module per component so their dependency versions never mix).
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from harness.console import speaker
from harness.heartbeat import heartbeat, last_line
from harness.paths import cache_dir


class ToolchainError(RuntimeError):
    """A binary could not be found or built; the message is one sentence for the user."""


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    binaries: tuple[str, ...]
    module: str  # the Go module the binaries come from
    recipe: str  # how to build: "install", "etcd", "kubernetes" or "flux" (prepare_flux_wrapper, below)
    kind_image: bool = False  # only the offline kind node image needs it (not built by `toolchain`)


KUBERNETES_VERSION = "v1.36.3"

# The one table of pinned versions.
COMPONENTS: tuple[Component, ...] = (
    Component("etcd", "v3.6.16", ("etcd",), "go.etcd.io/etcd/server/v3", "etcd"),
    Component(
        "kubernetes",
        KUBERNETES_VERSION,
        ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"),
        "k8s.io/kubernetes",
        "kubernetes",
    ),
    Component("kwok", "v0.8.0", ("kwok", "kwokctl"), "sigs.k8s.io/kwok", "install"),
    Component("kind", "v0.33.0", ("kind",), "sigs.k8s.io/kind", "install"),
    # The offline kind node image (harness/clusters/kind_image/): a node's own binaries.
    Component("kubernetes-node", KUBERNETES_VERSION, ("kubeadm", "kubelet", "kube-proxy"), "k8s.io/kubernetes",
              "kubernetes", kind_image=True),
    Component("cri-tools", "v1.36.0", ("crictl",), "sigs.k8s.io/cri-tools", "install", kind_image=True),
    Component("coredns", "v1.14.2", ("coredns",), "github.com/coredns/coredns", "install", kind_image=True),
    # Flux, the GitOps agent of the gitops scenarios; the newest versions this Go module proxy serves
    # for Go 1.26 (v1.10 needs Go 1.27).
    Component("flux-source-controller", "v1.9.4", ("source-controller",), "github.com/fluxcd/source-controller", "flux"),
    Component("flux-kustomize-controller", "v1.9.0", ("kustomize-controller",), "github.com/fluxcd/kustomize-controller", "flux"),
)

# The Go packages of each binary, for the recipes that build them.
_PACKAGES = {
    "etcd": "go.etcd.io/etcd/server/v3",
    "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
    "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
    "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
    "kubectl": "k8s.io/kubernetes/cmd/kubectl",
    "kwok": "sigs.k8s.io/kwok/cmd/kwok",
    "kwokctl": "sigs.k8s.io/kwok/cmd/kwokctl",
    "kind": "sigs.k8s.io/kind",
    "kubeadm": "k8s.io/kubernetes/cmd/kubeadm",
    "kubelet": "k8s.io/kubernetes/cmd/kubelet",
    "kube-proxy": "k8s.io/kubernetes/cmd/kube-proxy",
    "crictl": "sigs.k8s.io/cri-tools/cmd/crictl",
    "coredns": "github.com/coredns/coredns",
    "source-controller": "github.com/fluxcd/source-controller",
    "kustomize-controller": "github.com/fluxcd/kustomize-controller",
}

# envtest's per-binary variables; KUBEBUILDER_ASSETS is a folder holding these three.
_ENVTEST_VARS = {
    "etcd": "TEST_ASSET_ETCD",
    "kube-apiserver": "TEST_ASSET_KUBE_APISERVER",
    "kubectl": "TEST_ASSET_KUBECTL",
}

BIN_DIR_VAR = "PROMOTION_CONFORMANCE_BIN_DIR"

# How each binary reports its version, for the PATH check (one that cannot is never taken from PATH).
_VERSION_ARGS = {
    "etcd": ["--version"],
    "kube-apiserver": ["--version"],
    "kube-controller-manager": ["--version"],
    "kube-scheduler": ["--version"],
    "kubectl": ["version", "--client"],
    "kwok": ["--version"],
    "kwokctl": ["--version"],
    "kind": ["version"],
    "kubeadm": ["version", "-o", "short"],
    "kubelet": ["--version"],
    "kube-proxy": ["--version"],
    "crictl": ["--version"],
    "coredns": ["-version"],
}


@dataclass(frozen=True)
class Found:
    path: Path
    source: str  # "setting", "envtest", "PATH", "cache" or "built"


def component_of(binary: str) -> Component:
    for component in COMPONENTS:
        if binary in component.binaries:
            return component
    raise KeyError(f"no pinned component provides {binary!r}")


def cached_path(binary: str) -> Path:
    component = component_of(binary)
    return cache_dir() / f"{component.name}-{component.version}" / binary


def _executable(path: Path | None) -> Path | None:
    if path and path.is_file() and os.access(path, os.X_OK):
        return path.resolve()
    return None


def locate(binary: str, environ: dict[str, str] | None = None) -> Found | None:
    """Find a binary without building it; None if no source has it."""
    env = os.environ if environ is None else environ
    if env.get(BIN_DIR_VAR):
        if found := _executable(Path(env[BIN_DIR_VAR]) / binary):
            return Found(found, "setting")
    if binary in _ENVTEST_VARS:
        if env.get(_ENVTEST_VARS[binary]):
            if found := _executable(Path(env[_ENVTEST_VARS[binary]])):
                return Found(found, "envtest")
        if env.get("KUBEBUILDER_ASSETS"):
            if found := _executable(Path(env["KUBEBUILDER_ASSETS"]) / binary):
                return Found(found, "envtest")
    on_path = shutil.which(binary, path=env.get("PATH", ""))
    if on_path and _reports_pinned_version(Path(on_path), binary):
        return Found(Path(on_path).resolve(), "PATH")
    if found := _executable(cached_path(binary)):
        return Found(found, "cache")
    return None


def _reports_pinned_version(path: Path, binary: str) -> bool:
    """Whether `binary --version` (or its equivalent) names the pinned major.minor version."""
    if binary not in _VERSION_ARGS:
        return False
    major_minor = ".".join(component_of(binary).version.split(".")[:2])  # e.g. "v1.36"
    try:
        proc = subprocess.run([str(path), *_VERSION_ARGS[binary]], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return re.search(rf"(?<![\d.]){re.escape(major_minor.lstrip('v'))}\.\d", proc.stdout + proc.stderr) is not None


def ensure(binaries: list[str] | tuple[str, ...], progress=None) -> dict[str, Path]:
    """Return a path for every binary, building the missing ones into the cache."""
    say = progress or _say
    found: dict[str, Path] = {}
    missing: list[str] = []
    for binary in binaries:
        hit = locate(binary)
        if hit:
            found[binary] = hit.path
        else:
            missing.append(binary)
    if missing:
        # Several processes (pytest-xdist workers, two terminals) may ask at once: build once.
        lock_path = cache_dir() / ".build.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "w") as lock:
            _wait_for_lock(lock, lock_path, say)
            for component in COMPONENTS:
                wanted = [b for b in missing if b in component.binaries and not _executable(cached_path(b))]
                if wanted:
                    _build(component, wanted, say)
        for binary in missing:
            found[binary] = cached_path(binary)
    return found


_say = speaker("toolchain")


def _wait_for_lock(lock, lock_path: Path, say) -> None:
    """Take the build lock; while another process builds, say so (and keep saying it)."""
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    say(f"another process is building the toolchain (lock {lock_path}); waiting for it to finish")
    with heartbeat(say, "waiting for the other process's build", detail=last_line(_newest_log())):
        fcntl.flock(lock, fcntl.LOCK_EX)


def _newest_log() -> Path:
    logs = sorted((cache_dir() / "logs").glob("build-*.log"), key=lambda p: p.stat().st_mtime)
    return logs[-1] if logs else cache_dir() / "logs" / "none.log"


def _build(component: Component, binaries: list[str], say) -> None:
    if not shutil.which("go"):
        raise ToolchainError(
            f"cannot build {component.name} {component.version}: the Go toolchain ('go') is not on PATH; "
            f"install Go or point {BIN_DIR_VAR} at a folder holding {', '.join(binaries)}."
        )
    target = cache_dir() / f"{component.name}-{component.version}"
    target.mkdir(parents=True, exist_ok=True)
    log_path = cache_dir() / "logs" / f"build-{component.name}-{component.version}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    say(
        f"building {', '.join(binaries)} ({component.module}@{component.version}) from the Go module proxy; "
        f"a cold build of kubernetes takes 10-20 minutes on 2 cores. Log: {log_path}"
    )
    started = time.monotonic()
    env = dict(os.environ, CGO_ENABLED="0")
    with open(log_path, "a+") as log, tempfile.TemporaryDirectory(prefix=f"build-{component.name}-") as work:
        run = _runner(log, env, Path(work), component, log_path, say)
        if component.recipe == "install":
            packages = [f"{_PACKAGES[b]}@{component.version}" for b in binaries]
            run(["go", "install", *packages], extra_env={"GOBIN": str(target)})
        else:
            run(["go", "mod", "init", "promotion-conformance-build"])
            if component.recipe == "kubernetes":
                _pin_kubernetes_staging(run, Path(work), component.version)
            if component.recipe == "flux":
                prepare_flux_wrapper(run, component.module, component.version)
            run(["go", "get", *[f"{_PACKAGES[b]}@{component.version}" for b in binaries]])
            ldflags = ["-s", "-w", *(_version_ldflags(component.version) if component.recipe == "kubernetes" else [])]
            for binary in binaries:
                say(f"  compiling {binary} ({time.monotonic() - started:.0f}s so far)")
                run(["go", "build", "-v", "-trimpath", "-ldflags", " ".join(ldflags), "-o", str(target / binary), _PACKAGES[binary]])
    say(f"built {', '.join(binaries)} in {time.monotonic() - started:.0f}s into {target}")


def _runner(log, env, work: Path, component: Component, log_path: Path, say):
    """Run one build command with its output in the build log; while it runs, say every 30 s how
    long it took so far and the log's last line (`go build -v` names each package it compiles)."""
    def run(cmd: list[str], extra_env: dict[str, str] | None = None) -> str:
        log.write(f"$ {' '.join(cmd)}\n")
        log.flush()
        start = log.tell()
        with heartbeat(say, f"building {component.name} {component.version}: {' '.join(cmd[:2])}", detail=last_line(log_path)):
            proc = subprocess.run(cmd, cwd=work, env={**env, **(extra_env or {})}, stdout=log, stderr=subprocess.STDOUT)
        log.seek(start)
        output = log.read()
        log.seek(0, os.SEEK_END)
        if proc.returncode != 0:
            raise ToolchainError(
                f"building {component.name} {component.version} failed at '{' '.join(cmd[:3])}' "
                f"(exit {proc.returncode}); see {log_path}"
            )
        return output

    return run


# k8s.io/kubernetes requires its staging modules at v0.0.0 and satisfies them with local
# replace directives that do not apply to a consumer; re-point each at its published v0.x.y.
_STAGING_REPLACE = re.compile(r"^\s*(k8s\.io/[\w.\-/]+)\s+=>\s+\./staging/", re.MULTILINE)


def _pin_kubernetes_staging(run, work: Path, version: str) -> None:
    gomod = run(["go", "mod", "download", "-json", f"k8s.io/kubernetes@{version}"])
    mod_file = Path(re.search(r'"GoMod":\s*"([^"]+)"', gomod).group(1))
    staging_version = "v0." + version.removeprefix("v1.")
    modules = sorted(set(_STAGING_REPLACE.findall(mod_file.read_text())))
    with open(work / "go.mod", "a") as f:
        for module in modules:
            f.write(f"replace {module} => {module} {staging_version}\n")


def _version_ldflags(version: str) -> list[str]:
    major, minor = version.removeprefix("v").split(".")[:2]
    flags = []
    for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        for key, value in (
            ("gitVersion", version),
            ("gitMajor", major),
            ("gitMinor", minor),
            ("gitTreeState", "clean"),
            ("buildDate", "1970-01-01T00:00:00Z"),
        ):
            flags.append(f"-X {package}.{key}={value}")
    return flags


def simulated_binaries() -> list[str]:
    """What `promotion-conformance toolchain` (and so `make test`) makes sure of: all but the
    binaries only the offline kind node image needs."""
    return [b for c in COMPONENTS if not c.kind_image for b in c.binaries]


def describe() -> list[tuple[str, str, str]]:
    """(binary, version, where it comes from) for `promotion-conformance toolchain`."""
    rows = []
    for component in COMPONENTS:
        if component.kind_image:
            continue
        for binary in component.binaries:
            hit = locate(binary)
            rows.append((binary, component.version, f"{hit.path} ({hit.source})" if hit else "missing: will be built"))
    return rows


# -- the recipe "flux" ------------------------------------------------------------------------------
#
# A Flux controller's go.mod replaces its own API module with the local folder `./api` and pins a
# few dependencies with replace directives; replace directives apply only to the main module, so a
# module that merely requires the controller gets neither. The throw-away wrapper module the
# toolchain builds in therefore gets, read from the controller's own go.mod (`go mod edit -json`):
# every versioned replace, as written (go-digest, kustomize's api and kyaml, ...); for every local
# replace (`<controller>/api => ./api`), a require of the published module at the version the
# controller requires; and the pins the project's Go module proxy needs (`MIRROR_PINS`, see
# docs/gitops.md): a version it refuses replaced by one it serves.

# Versions this project's Go module proxy refuses (403 "This module version is not available"),
# replaced by the nearest one it lists and with which the controller builds and runs.
MIRROR_PINS: dict[str, tuple[tuple[str, str], ...]] = {
    # source-controller v1.9.4 requires pkg/artifact v0.18.2; the mirror lists v0.3.0 ... v0.18.0.
    "github.com/fluxcd/source-controller": (("github.com/fluxcd/pkg/artifact", "v0.18.0"),),
}


def wrapper_edits(gomod: dict, module: str) -> list[str]:
    """The `go mod edit` flags that make a wrapper module build `module` as its own go.mod
    (`gomod`, as `go mod edit -json` prints it) intends."""
    required = {r["Path"]: r["Version"] for r in gomod.get("Require") or []}
    edits = []
    for replace in gomod.get("Replace") or []:
        old, new = replace["Old"], replace["New"]
        if new.get("Version"):
            edits.append(f"-replace={_at(old)}={new['Path']}@{new['Version']}")
        elif new["Path"].startswith("."):  # a folder of the controller's repository: its published module
            if old["Path"] not in required:
                raise ToolchainError(f"{module}'s go.mod replaces {old['Path']} with {new['Path']} but requires no version of it")
            edits.append(f"-require={old['Path']}@{required[old['Path']]}")
    for path, version in MIRROR_PINS.get(module, ()):
        edits.append(f"-replace={path}={path}@{version}")
    return edits


def _at(old: dict) -> str:
    return f"{old['Path']}@{old['Version']}" if old.get("Version") else old["Path"]


def prepare_flux_wrapper(run, module: str, version: str) -> None:
    """Give the wrapper module (already `go mod init`ed) what `module@version`'s go.mod intends;
    `run` runs a command in it and returns its output (the toolchain's runner)."""
    downloaded = _json(run(["go", "mod", "download", "-json", f"{module}@{version}"]))
    gomod = _json(run(["go", "mod", "edit", "-json", downloaded["GoMod"]]))
    run(["go", "mod", "edit", *wrapper_edits(gomod, module)])


def _json(output: str) -> dict:
    """The JSON object a go command printed (the runner's output also holds its stderr lines,
    such as `go: downloading ...`, before it)."""
    return json.loads(output[output.index("{"):])
