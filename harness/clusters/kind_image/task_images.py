"""The images the suite's pods run, made without a registry: `busybox:1.36` from Debian's
busybox-static (`FROM scratch`, /bin/busybox and a link per applet).

An image of that name already in the engine is used as it is, unless this module built it from
another busybox-static version (its label says which); the provider then `kind load`s it.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from harness.clusters.kind_image.docker import build, image_exists, image_labels, run
from harness.clusters.kind_image.ingredients import debian_candidates
from harness.contract.simulation import TASK_IMAGE

TASK_IMAGES = (TASK_IMAGE,)
PACKAGE = "busybox-static"
LABEL = "promotion-conformance.built-from"


def ensure(image: str, say, log: Path) -> str:
    """Make sure the engine has `image` (one of TASK_IMAGES); return where it came from."""
    version = debian_candidates((PACKAGE,))[PACKAGE]
    source = f"debian {PACKAGE} {version}"
    if image_exists(image):
        labels = image_labels(image)
        if LABEL not in labels:
            return "present in the engine"
        if labels[LABEL] == source or version == "unknown":
            return f"built earlier from {labels[LABEL]}"
    say(f"building {image} from Debian's {PACKAGE} {version}")
    with tempfile.TemporaryDirectory(prefix="pc-busybox-") as work:
        folder = Path(work)
        run(["apt-get", "download", PACKAGE], log=log, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            cwd=folder)
        deb = next(folder.glob(f"{PACKAGE}_*.deb"))
        source = f"debian {PACKAGE} {run(['dpkg-deb', '-f', str(deb), 'Version']).strip()}"
        run(["dpkg-deb", "-x", str(deb), str(folder / "root")], log=log)
        context = folder / "context"
        (context / "bin").mkdir(parents=True)
        (folder / "root/bin/busybox").rename(context / "bin/busybox")
        applets = run([str(context / "bin/busybox"), "--list"]).split()
        for applet in applets:
            if applet != "busybox":
                (context / "bin" / applet).symlink_to("busybox")
        build(context, image, f'FROM scratch\nCOPY bin /bin\nENV PATH=/bin\nLABEL {LABEL}="{source}"\nCMD ["sh"]\n',
              say=say, doing=f"building {image}", log=log)
    return f"built from {source}"
