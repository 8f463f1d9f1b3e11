"""The one waiting helper: retry a check until it holds, and say what was awaited if it never does."""
from __future__ import annotations

from typing import Callable, TypeVar

from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from harness.timeouts import TIMEOUTS

T = TypeVar("T")


class NotYet(AssertionError):
    """Raised by a check that does not hold yet; its message says what was observed."""


class WaitTimedOut(AssertionError):
    """A wait gave up; the message names what it waited for and what it last saw."""


def eventually(check: Callable[[], T], waiting_for: str, timeout: float | None = None) -> T:
    """Call `check` until it returns; return its value.

    `check` raises NotYet while what it waits for may still come: that is retried. Any other
    error, an AssertionError included, means it never will: it ends the wait at once, so a check
    that already failed does not wait out the whole timeout. `waiting_for` completes the sentence
    "timed out after N s waiting for ...".
    """
    limit = TIMEOUTS.object_state if timeout is None else timeout
    try:
        for attempt in Retrying(
            stop=stop_after_delay(limit),
            wait=wait_fixed(TIMEOUTS.poll_interval),
            retry=retry_if_exception_type(NotYet),
            reraise=False,
        ):
            with attempt:
                return check()
    except RetryError as exc:
        last = exc.last_attempt.exception()
        raise WaitTimedOut(f"timed out after {limit:.0f}s waiting for {waiting_for}; last seen: {last}") from None
    raise AssertionError("unreachable")  # Retrying either returns or raises


class _StillHolds(Exception):
    pass


def never(check: Callable[[], None], watching: str, duration: float | None = None) -> None:
    """Assert that `check` keeps holding (never raises) for `duration` seconds."""
    limit = TIMEOUTS.absence if duration is None else duration
    try:
        for attempt in Retrying(
            stop=stop_after_delay(limit),
            wait=wait_fixed(TIMEOUTS.poll_interval),
            retry=retry_if_exception_type(_StillHolds),  # a failing check is not retried
            reraise=True,
        ):
            with attempt:
                check()
                raise _StillHolds()
    except _StillHolds:
        return
    except AssertionError as exc:
        raise AssertionError(f"while watching {watching}: {exc}") from None
