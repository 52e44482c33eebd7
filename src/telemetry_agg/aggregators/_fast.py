"""The counting shared by the fast aggregators: count raw values, convert distinct keys once.

The fast aggregators hand over the raw values of the valid events (``None`` for absent fields,
ints for statuses and integer user ids); the conversions of §3 are applied to the distinct
keys only, which is what makes this cheap. Truncation toward zero is monotonic, so the p95 is
the truncation of the k-th smallest raw duration.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from telemetry_agg.limits import TOP_ENDPOINTS, UNKNOWN, p95_index
from telemetry_agg.summary import Summary

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def _by_count_then_name(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


#: How to read (endpoint, status, duration_ms, user_id) from one valid event.
Getters = tuple[
    "Callable[[Any], Any]", "Callable[[Any], Any]", "Callable[[Any], Any]", "Callable[[Any], Any]"
]


def summarize_valid(
    valid: Sequence[Any],
    get: Getters,
    *,
    aggregator: str,
    total: int,
    parse_ms: float,
    started: float,
) -> Summary:
    """The Summary of a batch of ``total`` events whose valid ones are ``valid``."""
    get_endpoint, get_status, get_duration, get_user = get
    endpoints = map(get_endpoint, valid)
    statuses = map(get_status, valid)
    durations = map(get_duration, valid)
    users = map(get_user, valid)
    endpoint_counts: Counter[str] = Counter()
    for endpoint, count in Counter(endpoints).items():
        endpoint_counts[endpoint or UNKNOWN] += count  # None and "" count as "unknown"

    status_counts: Counter[str] = Counter()
    for status, count in Counter(statuses).items():
        status_counts[UNKNOWN if status is None else str(status)] += count

    raw_users = set(users)
    raw_users.discard(None)  # absent: not counted
    raw_users.discard("")  # "": not counted
    distinct_users = {user if type(user) is str else str(user) for user in raw_users}

    values = [0 if duration is None else duration for duration in durations]
    m = len(values)
    if m:
        k = p95_index(m)
        p95 = math.trunc(heapq.nlargest(m - k, values)[-1])
    else:
        p95 = 0

    top = heapq.nsmallest(TOP_ENDPOINTS, endpoint_counts.items(), key=_by_count_then_name)
    return Summary(
        total_events=total,
        invalid_events=total - len(valid),
        unique_users=len(distinct_users),
        p95_duration_ms=p95,
        top_endpoints=tuple(top),
        status_counts={status: status_counts[status] for status in sorted(status_counts)},
        aggregator=aggregator,
        parse_ms=parse_ms,
        compute_ms=(time.perf_counter() - started) * 1000,
    )
