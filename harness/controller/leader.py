"""Leader election on a coordination.k8s.io Lease, so that two replicas never both act (SPEC §6).

Uses the official client's `kubernetes.leaderelection` with its LeaseLock (client 37 fixed its
time handling and 404 detection; checked against a real API server with two replicas). The
Lease update is conditional on the resourceVersion read, so two candidates cannot both win.
A leader that cannot renew within the renew deadline stops leading, and the controller exits.
"""
from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Callable
from pathlib import Path

from kubernetes.leaderelection import electionconfig, leaderelection
from kubernetes.leaderelection.resourcelock.leaselock import LeaseLock

from harness.controller.settings import Settings

log = logging.getLogger(__name__)

_SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def lease_namespace(settings: Settings) -> str:
    """--leader-election-namespace, else the in-cluster service account's namespace, else `default`."""
    if settings.leader_election_namespace:
        return settings.leader_election_namespace
    if _SERVICE_ACCOUNT_NAMESPACE.is_file():
        return _SERVICE_ACCOUNT_NAMESPACE.read_text().strip()
    return "default"


def run_elected(settings: Settings, lead: Callable[[], None], stopped_leading: Callable[[], None]) -> None:
    """Block until this candidate holds the Lease, run `lead` (in a thread) while it renews it,
    return once it lost it (after calling `stopped_leading`)."""
    identity = f"{socket.gethostname()}_{uuid.uuid4().hex[:10]}"
    namespace = lease_namespace(settings)
    lock = LeaseLock(settings.leader_election_id, namespace, identity)
    config = electionconfig.Config(lock, settings.lease_duration, settings.renew_deadline, settings.retry_period,
                                   lead, stopped_leading)
    log.info("candidate %s for Lease %s/%s", identity, namespace, settings.leader_election_id)
    leaderelection.LeaderElection(config).run()
