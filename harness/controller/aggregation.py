"""The phase aggregation rule of contract §3, as one pure function."""
from __future__ import annotations

from collections.abc import Sequence

from harness.contract.states import KeptnState as S


def aggregate(items: Sequence[S], listed: int) -> S:
    """A phase's state from its items' states, in the order contract §3 gives.

    `listed` is how many definitions (or workloads) the phase lists; an item exists only
    for those that have a KeptnTask/KeptnEvaluation (or KeptnWorkloadVersion) already.
    """
    if any(s in (S.FAILED, S.DEPRECATED) for s in items):
        return S.FAILED
    for waiting in (S.PROGRESSING, S.PENDING, S.UNKNOWN):
        if waiting in items:
            return waiting
    if len(items) < listed:
        return S.PENDING
    return S.SUCCEEDED
