"""Names the contract fixes, computed independently of any implementation (SPEC.md §2, §5).

The suite deliberately does not import the reference controller's code to judge an implementation.
"""
from __future__ import annotations

import hashlib
import re


def generation_hash(generation: int) -> str:
    """The `<hash>` of a KeptnAppVersion name: first 8 hex digits of sha256 of the decimal generation."""
    return hashlib.sha256(str(generation).encode()).hexdigest()[:8]


_DURATION = re.compile(r"^(\d+)(ms|s|m|h)$")
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def seconds(duration: str) -> float:
    """`5s` → 5.0, `2m` → 120.0 (the simple durations scenarios write)."""
    match = _DURATION.match(duration.strip())
    if not match:
        raise ValueError(f"expected a duration like 5s or 2m, got {duration!r}")
    return int(match.group(1)) * _UNIT[match.group(2)]
