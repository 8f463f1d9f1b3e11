"""Which code a run measured: the controller is started from this checkout's working tree, which
may differ from its last commit while people work in it."""
from __future__ import annotations

import subprocess

from harness.paths import REPO


def describe() -> dict:
    """{commit, changedFiles}; commit is None outside a git checkout."""
    try:
        commit = _git("rev-parse", "HEAD").strip()
        changed = [line[3:] for line in _git("status", "--porcelain", "--", "harness").splitlines()]
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "changedFiles": []}
    return {"commit": commit, "changedFiles": changed}


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True, timeout=30).stdout
