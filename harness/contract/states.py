"""KeptnState and check types (contract §1)."""
from __future__ import annotations

from enum import StrEnum


class KeptnState(StrEnum):
    PENDING = "Pending"
    PROGRESSING = "Progressing"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    UNKNOWN = "Unknown"
    DEPRECATED = "Deprecated"
    WARNING = "Warning"

    @property
    def completed(self) -> bool:
        """contract §1: completed means Succeeded, Failed, Deprecated or Warning."""
        return self in _COMPLETED

    @property
    def passed(self) -> bool:
        """A phase that ended like this lets the lifecycle go on (Warning: non-blocking mode, contract §4)."""
        return self in (KeptnState.SUCCEEDED, KeptnState.WARNING)

    @classmethod
    def of(cls, value: str | None) -> KeptnState:
        """The state a status field holds; absent means Pending (the CRD default)."""
        return cls(value) if value else cls.PENDING


_COMPLETED = frozenset(
    {KeptnState.SUCCEEDED, KeptnState.FAILED, KeptnState.DEPRECATED, KeptnState.WARNING}
)
COMPLETED: frozenset[str] = frozenset(state.value for state in _COMPLETED)
"""The completed states as the strings a status field holds."""


class CheckType(StrEnum):
    PRE = "pre"
    POST = "post"
    PROMOTION = "promotion"
    PRE_EVAL = "pre-eval"
    POST_EVAL = "post-eval"
