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

from kubernetes import client
from kubernetes.client.rest import ApiException
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


class Candidate:
    """One replica competing for the Lease."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self.identity = f"{socket.gethostname()}_{uuid.uuid4().hex[:10]}"
        self._lock = LeaseLock(settings.leader_election_id, lease_namespace(settings), self.identity)

    def run(self, lead: Callable[[], None], stopped_leading: Callable[[], None]) -> None:
        """Block until this candidate holds the Lease, run `lead` (in a thread) while it renews it,
        return once it lost it (after calling `stopped_leading`)."""
        settings = self._settings
        config = electionconfig.Config(self._lock, settings.lease_duration, settings.renew_deadline,
                                       settings.retry_period, lead, stopped_leading)
        log.info("candidate %s for Lease %s/%s", self.identity, self._lock.namespace, self._lock.name)
        leaderelection.LeaderElection(config).run()

    def release(self) -> None:
        """On a clean stop, hand the Lease back (empty holder, like client-go's ReleaseOnCancel) so
        that the next replica need not wait for it to expire."""
        api = client.CoordinationV1Api()
        try:
            lease = api.read_namespaced_lease(self._lock.name, self._lock.namespace)
            if lease.spec.holder_identity != self.identity:
                return
            lease.spec.holder_identity = None
            lease.spec.lease_duration_seconds = 1
            api.replace_namespaced_lease(self._lock.name, self._lock.namespace, lease)
            log.info("released Lease %s/%s", self._lock.namespace, self._lock.name)
        except ApiException as error:
            log.warning("could not release Lease %s/%s: %s", self._lock.namespace, self._lock.name, error.reason)
