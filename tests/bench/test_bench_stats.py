"""Issue 8: "median over at least 50 versions", "p50 and p99 over at least 50 versions".
Percentiles are nearest-rank, so every reported percentile is a value that was measured."""
from __future__ import annotations

import pytest

from harness.bench.stats import percentile, summarize


def test_p99_of_fewer_than_a_hundred_values_is_the_largest():
    values = [float(v) for v in range(1, 51)]  # 50 versions, as the minimum
    assert percentile(values, 99) == 50.0


def test_p99_of_two_hundred_values_leaves_out_the_two_largest():
    values = [float(v) for v in range(1, 201)]
    assert percentile(values, 99) == 198.0  # rank ceil(0.99 × 200) = 198


def test_p50_is_the_lower_middle_value_and_always_measured():
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([0.3, 0.1, 0.2], 50) == 0.2


def test_percentile_does_not_depend_on_input_order():
    values = [0.5, 0.1, 0.9, 0.3, 0.7]
    assert percentile(values, 80) == percentile(sorted(values), 80) == 0.7


@pytest.mark.parametrize("q", [0, -1, 100.5])
def test_a_percentile_outside_0_to_100_is_refused(q):
    with pytest.raises(ValueError, match=f"percentile {q}"):
        percentile([1.0], q)


def test_no_values_have_no_percentile_and_no_summary():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    assert summarize([]) is None


def test_summary_has_the_median_beside_the_percentiles():
    summary = summarize([0.010, 0.020, 0.030, 0.400])
    assert summary == {"count": 4, "median": 0.025, "p50": 0.02, "p99": 0.4, "min": 0.01, "max": 0.4}


def test_summary_rounds_to_the_digits_asked():
    assert summarize([1 / 3], digits=2)["median"] == 0.33
