"""Every timeout and interval of the harness, in one typed object.

Steps never write a number of seconds inline: they take it from here. Defaults below; an options
file or `promotion-conformance run` passes overrides as PROMOTION_TIMEOUTS (JSON, camelCase keys as
in examples/options.yaml), and PROMOTION_TIMEOUT_SCALE multiplies every timeout (e.g. 3 on slow CI).
`TIMEOUTS` reads those variables when a timeout is used, not when this module is imported, so
whoever sets them need not run first.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Timeouts:
    cluster_ready: float = 180.0  # create → API server ready, node Ready
    object_state: float = 60.0  # a Kubernetes object reaches a state (Job complete, pod Running)
    lifecycle: float = 120.0  # a KeptnAppVersion reaches its final state
    absence: float = 5.0  # how long "X never happens" is watched after the lifecycle settled
    controller_start: float = 30.0  # an implementation answers its readiness check
    poll_interval: float = 0.2  # between two reads while waiting

    @classmethod
    def from_env(cls, environ=os.environ) -> "Timeouts":
        overrides = {_snake(key): float(value) for key, value in json.loads(environ.get("PROMOTION_TIMEOUTS", "{}")).items()}
        base = replace(cls(), **overrides)
        scale = float(environ.get("PROMOTION_TIMEOUT_SCALE", "1"))
        return replace(base, **{f.name: getattr(base, f.name) * scale for f in fields(cls) if f.name != "poll_interval"})


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


class _FromEnvironment:
    """`Timeouts` of the environment as it is now (parsed again only when the variables change)."""

    def __init__(self) -> None:
        self._read: tuple[tuple[str | None, str | None], Timeouts] | None = None

    def __getattr__(self, name: str) -> float:
        source = (os.environ.get("PROMOTION_TIMEOUTS"), os.environ.get("PROMOTION_TIMEOUT_SCALE"))
        if self._read is None or self._read[0] != source:
            self._read = (source, Timeouts.from_env())
        return getattr(self._read[1], name)


TIMEOUTS: Timeouts = _FromEnvironment()  # type: ignore[assignment] - answers every field of Timeouts
