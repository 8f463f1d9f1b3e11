"""How many requests the API server served, from its own `/metrics` (`apiserver_request_total`).

A controller that hot-loops on an object it cannot handle shows as writes that never stop. The
API server counts every request whoever sent it, so a scenario compares two readings taken around
a quiet window (nothing changes, the harness itself only watches) and counts the writes (create,
update, patch) to the kinds an implementation writes. The count is cluster-wide: the scenarios that
use it are @exclusive. Requests the API server refused (422) count too: a create that keeps failing
is a hot loop as much as a status that keeps changing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

_METRIC = "apiserver_request_total"
WRITES = ("POST", "PUT", "PATCH")
REFUSED = ("400", "413", "422")  # the request itself was wrong: sending it again cannot help
# What an implementation of the promotion phase writes: the Keptn kinds, Jobs, their ConfigMaps, events
# (group, resource or None for all, subresources it never writes).
IMPLEMENTATION_KINDS = (
    ("lifecycle.keptn.sh", None, ()), ("options.keptn.sh", None, ()), ("metrics.keptn.sh", None, ()),
    ("batch", "jobs", ("status",)),  # a Job's status is the Job controller's
    ("", "configmaps", ()), ("", "events", ()), ("events.k8s.io", "events", ()),
)


@dataclass(frozen=True, order=True)
class Request:
    verb: str
    group: str
    resource: str
    subresource: str
    code: str

    def __str__(self) -> str:
        what = "/".join(part for part in (self.group or "core", self.resource, self.subresource) if part)
        return f"{self.verb} {what} → {self.code}"

    @property
    def label(self) -> str:
        """`PATCH keptnappversions/status`"""
        return f"{self.verb} {self.resource}" + (f"/{self.subresource}" if self.subresource else "")


def parse(metrics_text: str) -> Counter[Request]:
    """The request counts of a Prometheus text page (only `apiserver_request_total` lines are read:
    the page is about 2 MB)."""
    lines = "\n".join(line for line in metrics_text.splitlines() if line.startswith(_METRIC + "{"))
    counts: Counter[Request] = Counter()
    for family in text_string_to_metric_families(lines):
        for sample in family.samples:
            labels = sample.labels
            counts[Request(labels.get("verb", ""), labels.get("group", ""), labels.get("resource", ""),
                           labels.get("subresource", ""), labels.get("code", ""))] += int(sample.value)
    return counts


def read(api_client) -> Counter[Request]:
    """The API server's request counts now (GET /metrics with the kubeconfig's credentials)."""
    response = api_client.call_api(*api_client.param_serialize("GET", "/metrics", auth_settings=["BearerToken"]))
    response.read()
    return parse(response.data.decode())


def grown(before: Counter[Request], after: Counter[Request]) -> Counter[Request]:
    """What was served between two readings (counters only grow while the API server runs)."""
    return after - before


def implementation_writes(before: Counter[Request], after: Counter[Request]) -> Counter[Request]:
    """The writes to the implementation's kinds between two readings."""
    return Counter({request: count for request, count in grown(before, after).items() if request.verb in WRITES and any(
        request.group == group and resource in (None, request.resource) and request.subresource not in others
        for group, resource, others in IMPLEMENTATION_KINDS)})


def refused_writes(before: Counter[Request], after: Counter[Request]) -> Counter[Request]:
    """The writes to the implementation's kinds the API server refused (400, 413, 422) between two readings."""
    return Counter({request: count for request, count in implementation_writes(before, after).items()
                    if request.code in REFUSED})
