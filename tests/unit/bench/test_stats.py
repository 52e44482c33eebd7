"""stats.py against hand-worked examples: lower nearest rank, sorted[floor(q/100 x (n-1))]."""

from __future__ import annotations

import math

import pytest

from telemetry_agg.bench.model.stats import LatencySummary, median, percentile, ratio, summarize


def test_one_to_ten_by_hand() -> None:
    values = [7.0, 3.0, 10.0, 1.0, 5.0, 9.0, 2.0, 8.0, 4.0, 6.0]  # 1..10 shuffled
    s = summarize(values)
    # n = 10: p50 index floor(0.5 x 9) = 4 -> 5; p95 floor(8.55) = 8 -> 9; p99 floor(8.91) = 8 -> 9
    assert s == LatencySummary(count=10, min=1.0, avg=5.5, p50=5.0, p95=9.0, p99=9.0, max=10.0)


def test_contract_examples_for_p95() -> None:
    # docs/contract.md: m = 20 gives index 18, m = 21 gives 19, m = 101 gives 95.
    assert percentile([float(i) for i in range(20)], 95) == 18.0
    assert percentile([float(i) for i in range(21)], 95) == 19.0
    assert percentile([float(i) for i in range(101)], 95) == 95.0
    assert percentile([42.0], 99) == 42.0


def test_percentile_is_always_a_sample_never_interpolated() -> None:
    assert percentile([1.0, 100.0], 50) == 1.0  # index floor(0.5) = 0
    assert percentile([1.0, 100.0], 100) == 100.0
    assert percentile([1.0, 100.0], 0) == 1.0


def test_not_measured_values_are_left_out() -> None:
    assert summarize([math.nan, 2.0, math.inf, 4.0]).count == 2
    assert summarize([math.nan, 2.0, 4.0]).avg == 3.0


def test_empty() -> None:
    s = summarize([])
    assert s.count == 0
    assert math.isnan(s.p95)
    assert s.as_dict()["p95"] is None
    assert math.isnan(median([]))
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_bad_q() -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_ratio() -> None:
    assert ratio(10.0, 5.0) == 2.0
    assert ratio(5.0, 10.0) == 0.5
    for slow, fast in [(None, 1.0), (1.0, None), (1.0, 0.0), (math.nan, 1.0), (1.0, math.inf)]:
        assert math.isnan(ratio(slow, fast))
