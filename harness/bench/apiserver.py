"""The requests the API server served, from its own counter `apiserver_request_total`.

The counter has no user-agent label, so the controller's share is found by resource and verb:
during a scale window nobody but the controller and the harness creates or updates Keptn
objects, and nobody but the controller creates or updates Jobs outside their status subresource
(kube-controller-manager's Job controller writes `jobs/status`). The controller reads from its
cache and lists only to make sure a task or Job does not exist yet, so its reads are LISTs; GETs
of these resources are kube-controller-manager's (garbage-collector owner lookups, the TTL
controller), as are all deletes (TTL, garbage collector, namespace controller): the controller
neither GETs nor deletes them. What the harness itself sends in the window is known exactly and
subtracted. WATCH is left out: it is one long-running request per informer, not a cost per version.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from kubernetes import client
from prometheus_client.parser import text_string_to_metric_families

METRIC = "apiserver_request_total"
WRITES = frozenset({"POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION"})
READS = frozenset({"GET", "LIST"})
CONTROLLER_VERBS = frozenset({"POST", "PUT", "PATCH", "APPLY", "LIST"})  # see the module docstring
KEPTN_GROUP = "lifecycle.keptn.sh"


@dataclass(frozen=True, order=True)
class Request:
    verb: str
    group: str
    resource: str
    subresource: str
    code: str

    @property
    def label(self) -> str:
        """`PATCH keptnappversions/status`"""
        return f"{self.verb} {self.resource}" + (f"/{self.subresource}" if self.subresource else "")


def scrape(api_client: client.ApiClient) -> Counter[Request]:
    """The API server's request counters now (GET /metrics with the kubeconfig's credentials)."""
    response = api_client.call_api(*api_client.param_serialize("GET", "/metrics", auth_settings=["BearerToken"]))
    response.read()
    return parse(response.data.decode())


def parse(text: str) -> Counter[Request]:
    # /metrics is ~2 MB; only this family's lines go to the parser.
    lines = "\n".join(line for line in text.splitlines() if line.startswith(METRIC + "{"))
    counts: Counter[Request] = Counter()
    for family in text_string_to_metric_families(lines):
        for sample in family.samples:
            labels = sample.labels
            key = Request(labels.get("verb", ""), labels.get("group", ""), labels.get("resource", ""),
                          labels.get("subresource", ""), labels.get("code", ""))
            counts[key] += int(sample.value)
    return counts


def delta(before: Counter[Request], after: Counter[Request]) -> Counter[Request]:
    """What was served between two scrapes (counters only grow while the API server runs)."""
    return Counter({key: after[key] - before.get(key, 0) for key in after if after[key] > before.get(key, 0)})


def is_controllers(request: Request) -> bool:
    """Whether a request of a scale window can only have come from the controller (or the
    harness, whose own requests are subtracted); see the module docstring."""
    if request.group == KEPTN_GROUP or (request.group, request.resource, request.subresource) == ("batch", "jobs", ""):
        return request.verb in CONTROLLER_VERBS
    return False


def controller_requests(served: Counter[Request], harness_own: Counter[str]) -> dict:
    """The controller's writes and reads of a window, by `VERB resource[/subresource]`.

    `harness_own` counts the harness's requests in the window by the same label; they are
    subtracted. Answers other than 2xx are also counted apart, by label and code (409 Conflict:
    an optimistic-concurrency loser or a name taken).
    """
    writes: Counter[str] = Counter()
    reads: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for request, count in served.items():
        if not is_controllers(request):
            continue
        (writes if request.verb in WRITES else reads)[request.label] += count
        if not request.code.startswith("2"):
            refused[f"{request.label} {request.code}"] += count
    for label, count in harness_own.items():
        bucket = writes if label.split()[0] in WRITES else reads
        bucket[label] -= count
    return {
        "writes": dict(sorted((+writes).items())),
        "reads": dict(sorted((+reads).items())),
        "conflicts": sum(count for label, count in refused.items() if label.endswith(" 409")),
        "refused": dict(sorted(refused.items())),
    }
