"""Small facts and chores of the host the harness runs on, shared by the Docker engine and the
kind image build."""
from __future__ import annotations

import subprocess
from pathlib import Path


def unmount_below(root: Path) -> None:
    """Unmount everything mounted at or below `root`, deepest first (lazily: a busy mount goes
    as soon as it is free)."""
    points = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        point = line.split()[1].encode().decode("unicode_escape")  # /proc/mounts escapes spaces as \040
        if point == str(root) or point.startswith(f"{root}/"):
            points.append(point)
    for point in sorted(points, key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)
