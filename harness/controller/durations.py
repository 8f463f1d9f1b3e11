"""Go duration strings (`30s`, `5m`, `1h30m`, `0`) as used by Keptn's timeout fields.

Hand-written because no maintained Python library parses Go's `time.ParseDuration` syntax.
"""
from __future__ import annotations

import re

_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_TERM = r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)"
_DURATION = re.compile(rf"(?:{_TERM})+")


# Go keeps a duration in an int64 of nanoseconds: about 292 years; longer ones do not parse there,
# and would not fit a Job's activeDeadlineSeconds either.
MAX_SECONDS = (2**63 - 1) / 1e9


class DurationError(ValueError):
    pass


def parse_duration(text: str) -> float:
    """Seconds in a non-negative Go duration; DurationError says what was expected."""
    if text == "0":
        return 0.0
    if not isinstance(text, str) or not _DURATION.fullmatch(text):
        raise DurationError(f'"{text}" is not a duration: expected a Go duration such as "30s", "5m" or "1h30m"')
    seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in re.findall(_TERM, text))
    if seconds > MAX_SECONDS:
        raise DurationError(f'"{text}" is out of range: a Go duration is at most 2562047h (about 292 years)')
    return seconds
