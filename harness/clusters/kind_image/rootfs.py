"""A Debian root file system from Debian's packages (debootstrap), as a docker image.

Packages come through debootstrap on the host, never from inside a container: the containers of
this engine reach nothing but the machine. Downloaded .deb files are kept in
<cache>/kind-image/debs, so a rebuild (and the second, smaller root file system) downloads nothing
twice.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from harness.clusters.host import unmount_below
from harness.clusters.kind_image.docker import ImageBuildError, run
from harness.clusters.kind_image.ingredients import DEBIAN_SUITE
from harness.paths import cache_dir

# What the rootfs does not need once installed (kind's clean-install removes the same).
_CLEANED = ("var/lib/apt/lists", "var/cache/apt", "var/cache/debconf/templates.dat-old", "usr/share/doc",
            "usr/share/man", "usr/share/locale", "var/log/apt", "var/log/dpkg.log", "var/log/bootstrap.log")


def ensure_debootstrap(say) -> None:
    if shutil.which("debootstrap"):
        return
    if not shutil.which("apt-get"):
        raise ImageBuildError("building the kind node image needs debootstrap (a Debian package); no apt-get here")
    say("installing debootstrap with apt-get")
    run(["apt-get", "install", "-y", "-q", "debootstrap"], say=say, doing="installing debootstrap",
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def debootstrap(target: Path, packages: tuple[str, ...], *, say, log: Path) -> Path:
    """Debian minbase plus `packages` (and their dependencies) in `target`."""
    debs = cache_dir() / "kind-image" / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    try:
        run(["debootstrap", "--variant=minbase", f"--include={','.join(packages)}", f"--cache-dir={debs}",
             DEBIAN_SUITE, str(target)],
            say=say, doing=f"installing Debian {DEBIAN_SUITE} with {len(packages)} packages into {target.name}", log=log)
    finally:
        unmount_below(target)  # debootstrap mounts /proc and /sys inside; an interrupted one leaves them
    for relative in _CLEANED:
        path = target / relative
        if path.is_dir():
            shutil.rmtree(path)
            path.mkdir()
        else:
            path.unlink(missing_ok=True)
    return target


def chroot(target: Path, *command: str, log: Path) -> str:
    """Run a command of the root file system inside it (no /proc needed by what we run)."""
    return run(["chroot", str(target), *command], log=log)


def import_image(target: Path, tag: str, *, say, log: Path, changes: tuple[str, ...] = ()) -> str:
    """`docker import` of the root file system as one layer."""
    tar = subprocess.Popen(["tar", "--numeric-owner", "--xattrs", "-C", str(target), "-c", "."],
                           stdout=subprocess.PIPE)
    try:
        run(["docker", "import", *[f"--change={c}" for c in changes], "-", tag], stdin=tar.stdout, say=say,
            doing=f"importing {target.name} into docker", log=log)
    finally:
        tar.stdout.close()
        if tar.wait() != 0:
            raise ImageBuildError(f"tar of {target} failed with exit code {tar.returncode}")
    return tag
