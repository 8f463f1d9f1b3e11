"""Go durations as in KeptnTaskDefinition `timeout` (default `5m`) and `retryInterval` (default `5s`)."""
from __future__ import annotations

import pytest

from harness.controller.durations import DurationError, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("0", 0.0), ("5m", 300.0), ("5s", 5.0), ("1h30m", 5400.0), ("1.5s", 1.5), ("250ms", 0.25),
    ("2m3s", 123.0), ("10us", 1e-5), ("10\u00b5s", 1e-5), ("7ns", 7e-9), (".5h", 1800.0),
])
def test_go_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["abc", "", "5", "5 m", "-5s", "5d", "m5", "1h 30m"])
def test_anything_else_is_rejected_with_what_was_expected(text):
    with pytest.raises(DurationError, match=r'is not a duration: expected a Go duration such as "30s"') as caught:
        parse_duration(text)
    assert f'"{text}"' in str(caught.value)
