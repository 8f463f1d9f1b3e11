"""The polling variant's own words for what the reference says in status messages and events.

Each rule turns one sentence pattern of the reference into this variant's wording, keeping every
name, namespace and field the reference names (contract §4, §6: what waits or fails must be named; the
words around the names are the implementation's own). A message no rule matches is sent as the
reference words it. Job messages copied into a KeptnTask (contract §5) are never reworded: they are
not written through here.
"""
from __future__ import annotations

import re

_RULES: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(pattern), replacement) for pattern, replacement in (
    # phase events (contract §3 names the reasons; the messages are free)
    (r"^(\w+) started$", r"phase \1 began"),
    (r"^(\w+) finished$", r"phase \1 passed"),
    (r"^(\w+) failed, going on because blockDeployment is false: ", r"phase \1 did not pass; carrying on, since blockDeployment is false. Why: "),
    (r"^(\w+) failed: ", r"phase \1 did not pass. Why: "),
    # what a phase waits for
    (r'(Keptn\w+) "([^"]*)" not found in namespace "([^"]*)"', r'there is no \1 named "\2" in namespace "\3"'),
    (r'(Keptn\w+) "([^"]*)" not found', r'there is no \1 named "\2"'),
    (r'waiting for KeptnWorkloadVersion "([^"]*)" \(([^)]*)\); it is created from a Deployment carrying that app, '
     r"workload and version", r'no KeptnWorkloadVersion "\1" yet (\2): one appears for a Deployment of that app, '
     r"workload and version"),
    (r"; and (\d+) more$", r" (+\1 others)"),
    # why a definition or object cannot be used
    (r"must set exactly one of container, python, deno \(found: ([^)]*)\)",
     r"needs exactly one runtime of container, python and deno; it has: \1"),
    (r"the functionRef chain (.*) is a loop", r"the functionRef chain \1 comes back on itself"),
    (r"is out of range", r"is longer than any Go duration"),
    (r"must be set \(the CRD requires it only when spec is present\); it is not acted on until it is",
     r"is required (its CRD checks that only when spec is there); ignored until then"),
    (r"must be set", r"is required"),
    (r"the API server refused", r"the API server rejected"),
    # evaluations
    (r"^every objective is met$", r"all objectives hold"),
    (r"^after try (\d+): ", r"on attempt \1: "),
    (r"^try (\d+) of (\d+) failed, next in ", r"attempt \1 of \2 missed its target; again in "),
    (r"\bfailed\b", r"did not succeed"),
))


def reword(message: str) -> str:
    """The message in this variant's words."""
    for pattern, replacement in _RULES:
        message = pattern.sub(replacement, message)
    return message
