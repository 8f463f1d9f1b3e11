"""Every timeout and interval of the harness, in one typed object.

Steps never write a number of seconds inline: they take it from here, so a slow machine or a
real cluster needs one change (an options file or environment) and not an edit of the steps.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Timeouts:
    cluster_ready: float = 180.0  # create → API server ready, node Ready
    object_state: float = 60.0  # a Kubernetes object reaches a state (Job complete, pod Running)
    lifecycle: float = 120.0  # a KeptnAppVersion reaches its final state
    absence: float = 5.0  # how long "X never happens" is watched after the lifecycle settled
    controller_start: float = 30.0  # an implementation answers its health check
    poll_interval: float = 0.2  # between two reads while waiting

    @classmethod
    def from_env(cls, environ=os.environ) -> "Timeouts":
        """Scale every timeout by PROMOTION_TIMEOUT_SCALE (e.g. 3 on a slow CI machine)."""
        scale = float(environ.get("PROMOTION_TIMEOUT_SCALE", "1"))
        base = cls()
        return replace(base, **{f.name: getattr(base, f.name) * scale for f in fields(cls) if f.name != "poll_interval"})


TIMEOUTS = Timeouts.from_env()
