"""Leader election on a coordination.k8s.io Lease, so that two replicas never both act (contract §6).

Uses the official client's `kubernetes.leaderelection` with its LeaseLock (client 37 fixed its
time handling and 404 detection; checked against a real API server with two replicas). The
Lease update is conditional on the resourceVersion read, so two candidates cannot both win.
A leader that cannot renew within the renew deadline stops leading, and the controller exits.

The library's LeaseLock only survives errors the API server answers; an API server that is away
(restarting: connection refused) made it raise out of the election and end the controller, and a
request to a hung one could block the renew loop past the renew deadline. `_Lock` bounds every
Lease call by half the renew deadline and turns an unreachable API server into a failed try, so the
library's retry loop and renew deadline decide, as they were meant to.
"""
from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Callable
from pathlib import Path

import urllib3
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
        # Half the renew deadline: a slow answer (a loaded API server takes seconds) still renews,
        # and two tries fit in the deadline; the retry period was too short for that.
        self._lock = _Lock(settings.leader_election_id, lease_namespace(settings), self.identity,
                           timeout=settings.renew_deadline / 2)

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


_UNREACHABLE = (urllib3.exceptions.HTTPError, OSError)  # refused, reset, timed out: no answer at all


class _BoundedLeaseApi(client.CoordinationV1Api):
    """The three Lease calls of LeaseLock, each given up after `timeout` seconds."""

    def __init__(self, timeout: float):
        super().__init__()
        self._timeout = timeout

    def read_namespaced_lease(self, *args, **kwargs):
        return super().read_namespaced_lease(*args, _request_timeout=self._timeout, **kwargs)

    def create_namespaced_lease(self, *args, **kwargs):
        return super().create_namespaced_lease(*args, _request_timeout=self._timeout, **kwargs)

    def replace_namespaced_lease(self, *args, **kwargs):
        return super().replace_namespaced_lease(*args, _request_timeout=self._timeout, **kwargs)


class _Lock(LeaseLock):
    """LeaseLock for which an API server that does not answer is a failed try, like one that
    answers with an error (see the module docstring)."""

    def __init__(self, name: str, namespace: str, identity: str, timeout: float):
        super().__init__(name, namespace, identity)
        self.api_instance = _BoundedLeaseApi(timeout)

    def get(self, name, namespace):
        try:
            return super().get(name, namespace)
        except _UNREACHABLE as error:
            log.warning("cannot read Lease %s/%s: %s", namespace, name, error)
            return False, ApiException(reason=f"API server unreachable: {error}")  # no body: not a 404

    def create(self, name, namespace, election_record):
        try:
            return super().create(name, namespace, election_record)
        except _UNREACHABLE as error:
            log.warning("cannot create Lease %s/%s: %s", namespace, name, error)
            return False

    def update(self, name, namespace, updated_record):
        try:
            return super().update(name, namespace, updated_record)
        except _UNREACHABLE as error:
            log.warning("cannot renew Lease %s/%s: %s", namespace, name, error)
            return False
