"""The reference's leader election rides out an API server that answers slowly."""
from __future__ import annotations

from types import SimpleNamespace

from kubernetes import client

from harness.controller import leader


def test_a_lease_call_may_take_up_to_half_the_renew_deadline(monkeypatch):
    """Bounded by the retry period (1 s for the suite), a renewal failed whenever a loaded API server
    took a second to answer, and after the renew deadline the leader gave up its Lease and exited
    (an API server restart at load 20, the bench's larger stages). Half the renew deadline still
    leaves two tries before it."""
    timeouts = []
    monkeypatch.setattr(client.CoordinationV1Api, "replace_namespaced_lease",
                        lambda self, *args, **kwargs: timeouts.append(kwargs.get("_request_timeout")))
    settings = SimpleNamespace(leader_election_id="lease", leader_election_namespace="ns",
                               lease_duration=10, renew_deadline=6, retry_period=1)
    candidate = leader.Candidate(settings)
    candidate._lock.api_instance.replace_namespaced_lease("lease", "ns", object())
    assert timeouts == [3.0]
