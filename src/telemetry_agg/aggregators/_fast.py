"""The counting shared by the fast aggregators: count raw values, convert distinct keys once.

The fast aggregators count the raw values of the valid events' fields (``None`` for absent
fields, ints for statuses and integer user ids, ints or floats for durations) with
``collections.Counter`` over C-level iterators, and the conversions of §3 are applied to the
few distinct keys only. Truncation toward zero is monotonic, so the p95 is the truncation of
the k-th smallest raw duration, found by walking the distinct durations in order.
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
    from collections.abc import Iterable, Mapping


def _by_count_then_name(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def p95_of_counts(durations: Mapping[Any, int]) -> int:
    """§4's p95 from raw duration counts (None counts as 0), truncated toward zero."""
    if None in durations:
        counts = dict(durations)
        counts[0] = counts.get(0, 0) + counts.pop(None)
        durations = counts
    m = sum(durations.values())
    k = p95_index(m)
    seen = 0
    for value in sorted(durations):
        seen += durations[value]
        if seen > k:
            whole_ms: int = math.trunc(value)
            return whole_ms
    return 0  # m == 0


def summarize_counts(
    *,
    aggregator: str,
    total: int,
    invalid: int,
    endpoints: Mapping[Any, int],
    statuses: Mapping[Any, int],
    durations: Mapping[Any, int],
    users: Iterable[Any],
    parse_ms: float,
    started: float,
    users_are_strings: bool = False,
) -> Summary:
    """The Summary from counts of raw field values over the valid events.

    ``endpoints``: str, "" or None keys; ``statuses``: int or None; ``durations``: int, float
    or None; ``users``: the raw user ids (str, int, "" or None; only str when
    ``users_are_strings``, which saves looking for integer ids).
    """
    endpoint_counts: Counter[str] = Counter()
    for endpoint, count in endpoints.items():
        endpoint_counts[endpoint or UNKNOWN] += count  # None and "" count as "unknown"

    status_counts: Counter[str] = Counter()
    for status, count in statuses.items():
        status_counts[UNKNOWN if status is None else str(status)] += count

    raw_users = set(users)
    raw_users.discard(None)  # absent: not counted
    raw_users.discard("")  # "": not counted
    if not users_are_strings and int in set(map(type, raw_users)):  # 42 and "42": one user
        int_users = [user for user in raw_users if type(user) is int]
        raw_users.difference_update(int_users)
        raw_users.update(map(str, int_users))

    top = heapq.nsmallest(TOP_ENDPOINTS, endpoint_counts.items(), key=_by_count_then_name)
    return Summary(
        total_events=total,
        invalid_events=invalid,
        unique_users=len(raw_users),
        p95_duration_ms=p95_of_counts(durations),
        top_endpoints=tuple(top),
        status_counts={status: status_counts[status] for status in sorted(status_counts)},
        aggregator=aggregator,
        parse_ms=parse_ms,
        compute_ms=(time.perf_counter() - started) * 1000,
    )
