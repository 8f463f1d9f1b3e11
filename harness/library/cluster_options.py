"""A scenario's KeptnConfig, handed back when it ends (contract §4, C4.12: the KeptnConfig reconciled
last decides the cluster-wide options).

Two KeptnConfigs must never be left side by side: an implementation that reconciles every object
again on each pass (one that polls, as Keptn's own reconcilers may requeue) makes whichever it
reconciles last win, and a scenario's config left behind in a namespace still being deleted then
outvotes the next scenario's. So the scenario's config is first written back to the defaults (an
implementation that keeps the last options when a KeptnConfig is deleted, as Keptn's does, keeps
these), then deleted, and the scenario ends only once it is gone.
"""
from __future__ import annotations

from harness.contract.kinds import CONFIG
from harness.kube import Kube
from harness.library.lookups import wait_until_gone


def hand_back(kube: Kube, name: str, namespace: str, defaults: dict) -> None:
    """Write `defaults` into the KeptnConfig's spec, delete it and wait until it is gone."""
    kube.patch(CONFIG.kind, name, namespace, {"spec": defaults})
    kube.delete(CONFIG.kind, name, namespace)
    wait_until_gone(kube, CONFIG.kind, namespace, name)
