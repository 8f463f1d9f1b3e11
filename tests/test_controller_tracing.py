"""The trace carrier of a version and the traceparent of its tasks (contract §5)."""
from __future__ import annotations

import random
import re

from harness.controller.tracing import child_traceparent, new_trace

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")


def test_a_task_traceparent_belongs_to_the_versions_trace():
    rng = random.Random(1)
    carrier = new_trace(rng)
    parent = TRACEPARENT.match(carrier["traceparent"])
    child = TRACEPARENT.match(child_traceparent(carrier, rng))
    assert parent and child and child.group(1) == parent.group(1) and child.group(2) != parent.group(2)


def test_without_a_carrier_a_new_trace_is_started():
    assert TRACEPARENT.match(child_traceparent(None, random.Random(2)))
    assert TRACEPARENT.match(child_traceparent({"traceparent": "garbage"}, random.Random(3)))
