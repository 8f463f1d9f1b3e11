"""contract §3 phase aggregation: any Failed or Deprecated → Failed; any Progressing → Progressing;
any Pending → Pending; any Unknown → Unknown; fewer items than listed definitions → Pending;
else Succeeded. An empty list is Succeeded at once."""
from __future__ import annotations

import pytest

from harness.controller.aggregation import aggregate
from harness.contract.states import KeptnState as S


@pytest.mark.parametrize(("items", "listed", "expected"), [
    ([S.SUCCEEDED, S.FAILED, S.PROGRESSING], 3, S.FAILED),  # any Failed → Failed, even while siblings run
    ([S.DEPRECATED, S.SUCCEEDED], 2, S.FAILED),  # ... or Deprecated
    ([S.PROGRESSING, S.PENDING, S.UNKNOWN], 3, S.PROGRESSING),  # any Progressing, before Pending
    ([S.PENDING, S.UNKNOWN, S.SUCCEEDED], 3, S.PENDING),  # any Pending, before Unknown
    ([S.UNKNOWN, S.SUCCEEDED], 2, S.UNKNOWN),  # any Unknown
    ([S.SUCCEEDED], 2, S.PENDING),  # fewer items than listed definitions → Pending
    ([], 1, S.PENDING),  # a listed definition without any item yet
    ([S.SUCCEEDED, S.SUCCEEDED], 2, S.SUCCEEDED),  # else Succeeded
    ([S.SUCCEEDED, S.WARNING], 2, S.SUCCEEDED),  # Warning items count as passed
    ([], 0, S.SUCCEEDED),  # an empty list is Succeeded at once
])
def test_aggregation_follows_the_spec_order(items, listed, expected):
    assert aggregate(items, listed) == expected


def test_a_failure_wins_even_when_items_are_missing():
    assert aggregate([S.FAILED], 3) == S.FAILED
