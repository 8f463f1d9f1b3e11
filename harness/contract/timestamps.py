"""RFC 3339 timestamps in UTC with a `Z`, with microseconds in the status fields the controller writes."""
from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def format_time(moment: datetime) -> str:
    """`2025-01-02T03:04:05.123456Z`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_text() -> str:
    return format_time(now())


def parse_time(text: str) -> datetime:
    """A Kubernetes timestamp (with or without fraction, `Z` or an offset) as an aware datetime."""
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def seconds_since(text: str | None) -> float:
    """How long ago a timestamp was (0 for none)."""
    return (now() - parse_time(text)).total_seconds() if text else 0.0
