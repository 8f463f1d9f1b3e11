"""Two replicas: the standby's recorded requests and the Lease it competes for decide; each judge
fails on the input it exists to refuse (a standby that wrote, a takeover past the Lease)."""
from __future__ import annotations

import pytest

from harness.judges.stricter import leadership
from harness.library.api_proxy import Request, lease_of, writes_while

LEASE_PATH = "/apis/coordination.k8s.io/v1/namespaces/default/leases/promotion-controller"
STANDBY = [
    Request("GET", "/apis/lifecycle.keptn.sh/v1/keptnappversions?watch=true", 1.0, 200),
    Request("GET", LEASE_PATH, 1.1, 200),
    Request("PUT", LEASE_PATH, 1.2, 409),  # tried to take the Lease: a standby's business
    Request("GET", LEASE_PATH, 3.1, 200),
]


def test_a_standby_that_only_read_and_competed_for_its_lease_wrote_nothing():
    leadership.standby_must_not_have_written(STANDBY, until=5.0)
    assert leadership.lease_must_be_known(STANDBY) == ("default", "promotion-controller")


def test_a_standby_that_created_a_task_or_patched_a_status_wrote():
    wrote = [*STANDBY, Request("POST", "/apis/lifecycle.keptn.sh/v1/namespaces/t-1/keptntasks", 2.0, 409),
             Request("PATCH", "/apis/lifecycle.keptn.sh/v1/namespaces/t-1/keptnappversions/a/status", 2.5, 200)]
    with pytest.raises(AssertionError, match=r"wrote while the other one led \(2 writes\), e.g.: POST .*keptntasks → 409"):
        leadership.standby_must_not_have_written(wrote, until=5.0)


def test_writes_after_the_leader_was_killed_are_the_new_leaders_business():
    later = [*STANDBY, Request("POST", "/apis/lifecycle.keptn.sh/v1/namespaces/t-1/keptntasks", 6.0, 201)]
    leadership.standby_must_not_have_written(later, until=5.0)
    assert writes_while(later, until=7.0) == [later[-1]]


def test_a_standby_that_bypassed_its_proxy_cannot_be_judged():
    with pytest.raises(AssertionError, match="sent no request at all through its recording proxy"):
        leadership.standby_must_not_have_written([], until=5.0)


def test_without_a_lease_there_is_no_leader_election_to_judge():
    with pytest.raises(AssertionError, match="never asked for a coordination.k8s.io Lease"):
        leadership.lease_must_be_known(STANDBY[:1])
    assert lease_of([Request("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases", 1.0, 200)]) is None


def test_a_takeover_within_the_leases_duration_passes_and_one_past_it_fails():
    lease = ("default", "promotion-controller")
    assert leadership.takeover_must_be_within(100.0, 114.0, lease, 15) == pytest.approx(14.0)
    with pytest.raises(AssertionError, match=r"acted 25.0s after the leader was killed; expected within the duration of "
                                             r"Lease default/promotion-controller \(15s\) plus 6.0s"):
        leadership.takeover_must_be_within(100.0, 125.0, lease, 15)


def test_the_lease_competed_for_must_exist_and_state_its_duration():
    assert leadership.lease_duration_must_be_known({"spec": {"leaseDurationSeconds": 15}}, ("ops", "promotion")) == 15.0
    with pytest.raises(AssertionError, match="the Lease ops/promotion the second replica asked for does not exist"):
        leadership.lease_duration_must_be_known(None, ("ops", "promotion"))
    with pytest.raises(AssertionError, match="Lease ops/promotion has no spec.leaseDurationSeconds"):
        leadership.lease_duration_must_be_known({"spec": {"holderIdentity": "a"}}, ("ops", "promotion"))
