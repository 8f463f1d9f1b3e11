"""Names the contract fixes, computed independently of any implementation (docs/contract.md §2, §5).

The suite deliberately does not import the reference controller's code to judge an implementation.
"""
from __future__ import annotations

import hashlib


def generation_hash(generation: int) -> str:
    """The `<hash>` of a KeptnAppVersion name: first 8 hex digits of sha256 of the decimal generation."""
    return hashlib.sha256(str(generation).encode()).hexdigest()[:8]
