"""The controller's share of the requests the API server served in a scale window (the counter
itself is read by `harness.library.api_requests`).

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

from harness.library.api_requests import Request

WRITES = frozenset({"POST", "PUT", "PATCH", "APPLY", "DELETE", "DELETECOLLECTION"})
CONTROLLER_VERBS = frozenset({"POST", "PUT", "PATCH", "APPLY", "LIST"})  # see the module docstring
KEPTN_GROUP = "lifecycle.keptn.sh"


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
