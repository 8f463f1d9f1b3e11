"""Timestamps as the cluster records them, and the relations scenarios may assert between them.

metadata.creationTimestamp and most Keptn status times have one-second resolution, so "A started
after B ended" is checked on whole seconds: A >= B truncated to the second. Relations only, never
an absolute duration measured by the harness's own clock.
"""
from __future__ import annotations

from datetime import datetime


def parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def not_before(later: datetime, earlier: datetime) -> bool:
    """`later` is not before `earlier`, at the one-second resolution of Kubernetes timestamps."""
    return second(later) >= second(earlier)
