"""Where the harness keeps things: the repository's own folders and the user's cache."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
FEATURES = REPO / "features"
CLUSTER_CONFIGS = REPO / "clusters"
REPORTS = REPO / "reports"


def cache_dir() -> Path:
    """The harness cache: built binaries and cluster work dirs.

    `PROMOTION_CONFORMANCE_CACHE` overrides it; otherwise `$XDG_CACHE_HOME` or `~/.cache`.
    """
    explicit = os.environ.get("PROMOTION_CONFORMANCE_CACHE")
    if explicit:
        return Path(explicit).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "promotion-conformance"
