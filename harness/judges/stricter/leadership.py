"""Leader election with two replicas (contract §6, exactly once), judged from the standby's own requests
(recorded by its proxy, harness.library.api_proxy) and the Lease the implementation holds.

- The standby writes nothing while the other replica leads: no create, update, patch or delete of
  anything but its Lease (competing for the Lease is what a standby does).
- When the leader is killed, the standby acts within the duration of the Lease it competed for:
  the Lease expires at most its `leaseDurationSeconds` after the leader's last renewal; the standby
  notices within one retry period of its own, then lists its caches and reconciles, for which the
  judge allows TAKEOVER_ALLOWANCE seconds (scaled like every timeout). Nothing here knows the
  reference's lease timings: they come from the Lease object.
"""
from __future__ import annotations

from harness.library.api_proxy import Request, lease_of, writes_while
from harness.timeouts import TIMEOUTS, Timeouts

# A retry period (client-go's default is 2 s), then a fresh process's cache sync and first
# reconcile on a busy 2-core machine.
TAKEOVER_ALLOWANCE = 6.0


def standby_must_not_have_written(requests: list[Request], until: float) -> None:
    """The standby sent requests (so they went through its proxy) and wrote nothing but its Lease
    before `until` (when the leader was killed)."""
    before = [r for r in requests if r.at < until]
    assert before, "the second replica sent no request at all through its recording proxy before the leader was killed"
    written = writes_while(requests, until)
    assert not written, (f"the second replica wrote while the other one led ({len(written)} writes), e.g.: "
                         + "; ".join(map(str, written[:5])))


def lease_must_be_known(requests: list[Request]) -> tuple[str, str]:
    """The (namespace, name) of the Lease the standby competed for."""
    lease = lease_of(requests)
    assert lease is not None, ("the second replica never asked for a coordination.k8s.io Lease: without one it cannot "
                               "know whether another replica leads")
    return lease


def lease_duration_must_be_known(lease: dict | None, where: tuple[str, str]) -> float:
    """The Lease the standby competed for exists and states its `spec.leaseDurationSeconds`."""
    assert lease is not None, f"the Lease {where[0]}/{where[1]} the second replica asked for does not exist"
    duration = (lease.get("spec") or {}).get("leaseDurationSeconds")
    assert duration, f"Lease {where[0]}/{where[1]} has no spec.leaseDurationSeconds"
    return float(duration)


def takeover_limit(lease_duration_seconds: float) -> float:
    scale = TIMEOUTS.object_state / Timeouts.object_state
    return lease_duration_seconds + TAKEOVER_ALLOWANCE * scale


def takeover_must_be_within(killed_at: float, acted_at: float, lease: tuple[str, str], lease_duration_seconds: float) -> float:
    """The standby acted within the Lease's duration (plus the allowance) after the kill; returns how long it took."""
    took = acted_at - killed_at
    limit = takeover_limit(lease_duration_seconds)
    assert took <= limit, (f"the other replica acted {took:.1f}s after the leader was killed; expected within the "
                           f"duration of Lease {lease[0]}/{lease[1]} ({lease_duration_seconds:g}s) plus "
                           f"{limit - lease_duration_seconds:.1f}s for a retry period and its caches ({limit:.1f}s)")
    return took
