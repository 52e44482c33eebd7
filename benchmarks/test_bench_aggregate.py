"""Every aggregator and the handler beside the naive baseline, at 100 to 100k events.

Run with ``make bench`` (pytest-benchmark; skipped in the default test run). Results are
grouped by size, so each group compares the contenders measured in the same run; the ratio
table comes from ``python benchmarks/ratios.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench_inputs import SIZES, document, function_url_event
from naive import naive_aggregate
from telemetry_agg.aggregators import builtin_aggregators, get_aggregator
from telemetry_agg.handler import handle
from telemetry_agg.limits import NOT_COMPARED

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("size", SIZES, ids=[f"{size}ev" for size in SIZES]),
]


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key not in NOT_COMPARED}


def test_naive_baseline(benchmark: Any, size: int) -> None:
    body = function_url_event(document(size))["body"]
    benchmark.group = f"{size} events"
    answer = benchmark(naive_aggregate, body)
    assert answer == _comparable(get_aggregator("reference").summarize(document(size)).to_dict())


@pytest.mark.parametrize("name", builtin_aggregators())
def test_aggregator(benchmark: Any, size: int, name: str) -> None:
    aggregator = get_aggregator(name)
    benchmark.group = f"{size} events"
    summary = benchmark(aggregator.summarize, document(size))
    assert summary.total_events == size
    assert _comparable(summary.to_dict()) == naive_aggregate(document(size))


def test_handler_default_aggregator(benchmark: Any, size: int) -> None:
    import json  # noqa: PLC0415

    event = function_url_event(document(size))
    benchmark.group = f"{size} events"
    response, _ = benchmark(handle, event)
    assert response["statusCode"] == 200
    assert _comparable(json.loads(response["body"])) == naive_aggregate(document(size))
