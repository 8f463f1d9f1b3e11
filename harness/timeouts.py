"""Every timeout and interval of the harness, in one typed object.

Steps never write a number of seconds inline: they take it from `TIMEOUTS`. The defaults are
below; a run's options (an options file's `timeouts:` and `timeoutScale:`, or the flags) replace
them for the whole session through `configure`, in every process of the run (harness.plugin.session_options).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class Timeouts:
    cluster_ready: float = 180.0  # create → API server ready, node Ready
    object_state: float = 60.0  # a Kubernetes object reaches a state (Job complete, pod Running)
    lifecycle: float = 120.0  # a KeptnAppVersion reaches its final state
    absence: float = 5.0  # how long "X never happens" is watched after the lifecycle settled
    controller_start: float = 30.0  # an implementation answers its readiness check
    poll_interval: float = 0.2  # between two reads while waiting

    def as_camel_case(self) -> dict[str, float]:
        """As an options file and the ConformanceReport write them."""
        return {_camel(name): value for name, value in asdict(self).items()}


def timeouts_of(overrides: dict, scale: float = 1.0) -> Timeouts:
    """The defaults with `overrides` (camelCase keys, as in examples/options.yaml), every timeout
    but the poll interval multiplied by `scale`."""
    base = replace(Timeouts(), **{_snake(key): float(value) for key, value in overrides.items()})
    return replace(base, **{f.name: getattr(base, f.name) * scale for f in fields(Timeouts) if f.name != "poll_interval"})


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.capitalize() for part in rest)


class _Configured:
    """The session's Timeouts: the defaults until `configure` replaces them."""

    def __init__(self) -> None:
        self.current = Timeouts()

    def __getattr__(self, name: str) -> float:
        return getattr(self.current, name)


TIMEOUTS: Timeouts = _Configured()  # type: ignore[assignment] - answers every field of Timeouts


def configure(timeouts: Timeouts) -> None:
    """Use `timeouts` for every wait of this process from now on."""
    TIMEOUTS.current = timeouts  # type: ignore[attr-defined]
