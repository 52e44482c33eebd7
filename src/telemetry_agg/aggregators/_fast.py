"""The counting shared by the fast aggregators: count raw values, convert distinct keys once.

The fast aggregators count the raw values of the valid events' fields (``None`` for absent
fields, ints for statuses and integer user ids, ints or floats for durations) with
``collections.Counter`` over C-level iterators, and the conversions of §3 are applied to the
few distinct keys only. Truncation toward zero is monotonic, so the p95 is the truncation of
the k-th smallest raw duration, found by walking the distinct durations in order.

Large documents are counted a chunk at a time (see ``_in_chunks``), so that a 32 MiB batch of
tiny events (millions of ``{}``) never holds millions of decoded objects at once.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import Counter
from typing import TYPE_CHECKING, Any, NamedTuple

from telemetry_agg.errors import AggregationError, invalid_json, utf8_error
from telemetry_agg.limits import TOP_ENDPOINTS, UNKNOWN, p95_index
from telemetry_agg.summary import Summary

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


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


class Counts(NamedTuple):
    """Raw counts of one document or chunk: what summarize() turns into a Summary.

    ``endpoints``: str, "" or None keys; ``statuses``: int or None; ``durations``: int, float
    or None; ``users``: the distinct raw user ids (str, int, "" or None; only str when
    ``users_are_strings``, which saves looking for integer ids).
    """

    total: int
    invalid: int
    endpoints: Counter[Any]
    statuses: Counter[Any]
    durations: Counter[Any]
    users: set[Any]
    users_are_strings: bool
    parse_ms: float


def merge(parts: list[Counts]) -> Counts:
    """The counts of a document from the counts of its chunks."""
    first, *rest = parts
    for part in rest:
        first.endpoints.update(part.endpoints)
        first.statuses.update(part.statuses)
        first.durations.update(part.durations)
        first.users.update(part.users)
    return first._replace(
        total=sum(part.total for part in parts),
        invalid=sum(part.invalid for part in parts),
        users_are_strings=all(part.users_are_strings for part in parts),
        parse_ms=sum(part.parse_ms for part in parts),
    )


#: Documents above this size are counted a chunk at a time (memory stays bounded).
CHUNKED_ABOVE = 4 * 1024 * 1024
CHUNK = 1024 * 1024
#: How many commas after a chunk's target size are tried as its end before giving up.
CUT_ATTEMPTS = 64
_WHITE_SPACE = " \t\n\r"


def _next_cut(text: str, start: int, end: int) -> int:
    """The next comma from ``start`` that likely ends an event (right after a ``}``), else the
    next comma at all; -1 when there is none."""
    brace = text.find("},", start, end)
    comma = text.find(",", start, end)
    if brace >= 0 and brace + 1 - comma < CHUNK // 4:
        return brace + 1
    return comma


def _in_chunks(document: bytes | str, count: Callable[[Any], Counts]) -> Counts | None:
    """Count an array document chunk by chunk, or None when it cannot be (then count it whole).

    A chunk is a run of the array's elements cut at a comma and wrapped in brackets again.
    A cut inside a string or inside a nested value leaves the chunk with an unterminated string
    or an unclosed bracket, which no parser accepts; so a chunk that parses was cut between two
    top-level elements, and the chunks' elements are exactly the document's. An empty chunk
    (``[1,,2]``), a missing bracket or any chunk that does not parse sends the document back
    to the whole-document path, which gives the exact error; except that when the last chunk
    (the rest of the array after a proven boundary) does not parse, the document cannot either,
    and it is invalid_json at once (no whole-document parse of millions of elements first).
    §2's other rules (UTF-8, depth, numbers, surrogates) hold chunk by chunk as for the whole.
    """
    text = document.decode("latin-1") if isinstance(document, bytes) else document
    head = len(text) - len(text.lstrip(_WHITE_SPACE))
    tail = len(text.rstrip(_WHITE_SPACE))
    if not (text.startswith("[", head) and text.endswith("]", 0, tail)):
        return None
    open_, close = ("[", "]") if isinstance(document, str) else (b"[", b"]")
    parts: list[Counts] = []
    start, end = head + 1, tail - 1
    while start < end:
        last = end - start <= CHUNK + CHUNK // 2
        cut = end if last else _next_cut(text, start + CHUNK, end)
        for _ in range(CUT_ATTEMPTS):
            if cut < 0 or not text[start:cut].strip(_WHITE_SPACE):
                return None
            try:
                parts.append(count(open_ + document[start:cut] + close))  # type: ignore[operator]
                break
            except AggregationError:
                if last:  # the rest of the array, from a proven element boundary, is bad
                    bad = utf8_error(document) or invalid_json(
                        f"an element after character {start} is malformed"
                    )
                    raise bad from None
                cut = _next_cut(text, cut + 1, end)
        else:
            return None
        start = cut + 1
    if start <= end:  # the last cut was a comma with nothing after it: "[1,2,]"
        return None
    return merge(parts) if parts else None


def summarize(document: bytes | str, count: Callable[[Any], Counts], *, aggregator: str) -> Summary:
    """The Summary of a document, counted whole or, when large, a chunk at a time."""
    started = time.perf_counter()
    counts = _in_chunks(document, count) if len(document) > CHUNKED_ABOVE else None
    if counts is None:
        counts = count(document)
    return summarize_counts(counts, aggregator=aggregator, started=started)


def summarize_counts(counts: Counts, *, aggregator: str, started: float) -> Summary:
    """The Summary from the raw counts of the valid events."""
    endpoint_counts: Counter[str] = Counter()
    for endpoint, count in counts.endpoints.items():
        endpoint_counts[endpoint or UNKNOWN] += count  # None and "" count as "unknown"

    status_counts: Counter[str] = Counter()
    for status, count in counts.statuses.items():
        status_counts[UNKNOWN if status is None else str(status)] += count

    raw_users = counts.users
    raw_users.discard(None)  # absent: not counted
    raw_users.discard("")  # "": not counted
    if not counts.users_are_strings and int in set(map(type, raw_users)):  # 42 and "42": one
        int_users = [user for user in raw_users if type(user) is int]
        raw_users.difference_update(int_users)
        raw_users.update(map(str, int_users))

    top = heapq.nsmallest(TOP_ENDPOINTS, endpoint_counts.items(), key=_by_count_then_name)
    return Summary(
        total_events=counts.total,
        invalid_events=counts.invalid,
        unique_users=len(raw_users),
        p95_duration_ms=p95_of_counts(counts.durations),
        top_endpoints=tuple(top),
        status_counts={status: status_counts[status] for status in sorted(status_counts)},
        aggregator=aggregator,
        parse_ms=counts.parse_ms,
        compute_ms=(time.perf_counter() - started) * 1000,
    )
