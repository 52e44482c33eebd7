"""telemetry-agg: aggregate a burst of telemetry events, the same way in Python and Go.

>>> from telemetry_agg import aggregate
>>> summary = aggregate(b'[{"endpoint": "/login", "status": 200, "duration_ms": 12.9}]')
>>> summary.total_events, summary.p95_duration_ms, summary.top_endpoints
(1, 12, (('/login', 1),))

The rules are docs/contract.md; the Lambda handler is ``telemetry_agg.handler.handler``.
"""

from __future__ import annotations

import time

from telemetry_agg.aggregators import (
    ENTRY_POINT_GROUP,
    ENV_VAR,
    Aggregator,
    UnknownAggregatorError,
    available_aggregators,
    default_aggregator_name,
    get_aggregator,
)
from telemetry_agg.errors import AggregationError
from telemetry_agg.request import as_document, check_size
from telemetry_agg.summary import Summary

__version__ = "0.1.0"


def aggregate(data: bytes | str, *, aggregator: str | None = None) -> Summary:
    """Aggregate one document (a request body: a JSON array of events) into a Summary.

    ``data`` is the document's bytes (UTF-8) or its text. ``aggregator`` names the aggregator
    (default: ``$TELEMETRY_AGG_AGGREGATOR``, else the fastest installed built-in).
    Raises :class:`AggregationError` (``invalid_json``, ``expected_array``,
    ``payload_too_large``) when the document breaks docs/contract.md §2,
    :class:`UnknownAggregatorError` for an aggregator that is not installed, and
    :class:`TypeError` when ``data`` is neither bytes-like nor str.
    """
    started = time.perf_counter()
    if isinstance(data, str):
        document = as_document(data)
    else:
        try:  # bytes-like (bytes, bytearray, memoryview, ...): never bytes(123), 123 zero bytes
            view = memoryview(data)
        except TypeError:
            raise TypeError(
                f"aggregate() takes the document as bytes (or any bytes-like object) or str, "
                f"not {type(data).__name__}"
            ) from None
        document = check_size(data if type(data) is bytes else view.tobytes())
    chosen = get_aggregator(aggregator)
    summary = chosen.summarize(document)
    return summary._replace(compute_ms=(time.perf_counter() - started) * 1000)


__all__ = [
    "ENTRY_POINT_GROUP",
    "ENV_VAR",
    "AggregationError",
    "Aggregator",
    "Summary",
    "UnknownAggregatorError",
    "aggregate",
    "available_aggregators",
    "default_aggregator_name",
    "get_aggregator",
]
