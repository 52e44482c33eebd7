"""The orjson aggregator: orjson validates and decodes, one loop checks the types of §3.

orjson enforces all of §2 itself (strict UTF-8, no BOM, no NaN, no lone surrogates, no
overflowing numbers, at most 1024 levels); integer literals past the uint64 range come back as
floats, which are out of every integer field's range anyway.
"""

from __future__ import annotations

import time
from collections import Counter
from operator import methodcaller
from typing import TYPE_CHECKING, Any

import orjson

from telemetry_agg.aggregators._fast import summarize_counts
from telemetry_agg.errors import expected_array, invalid_json, json_type_name
from telemetry_agg.limits import DURATION_BOUND, INT64_MAX, INT64_MIN, MAX_ENDPOINT_CODE_POINTS

if TYPE_CHECKING:
    from telemetry_agg.summary import Summary

_ENDPOINT = methodcaller("get", "endpoint")
_STATUS = methodcaller("get", "status")
_DURATION = methodcaller("get", "duration_ms")
_USER = methodcaller("get", "user_id")


def parse(document: bytes | str) -> list[Any]:
    """§2 with orjson: the document as a list, or AggregationError."""
    try:
        value = orjson.loads(document)
    except orjson.JSONDecodeError as exc:
        raise invalid_json(f"{exc.msg} at character {exc.pos}") from None
    if type(value) is not list:
        raise expected_array(json_type_name(value))
    return value


def valid_events(events: list[Any]) -> list[dict[str, Any]]:
    """The events of §3 that are valid (the same list when all are)."""
    lo, hi, bound, longest = INT64_MIN, INT64_MAX, DURATION_BOUND, MAX_ENDPOINT_CODE_POINTS
    kept: list[dict[str, Any]] = []
    dropped = False
    for event in events:
        if type(event) is dict:
            endpoint = event.get("endpoint")
            status = event.get("status")
            duration = event.get("duration_ms")
            user = event.get("user_id")
            if (
                (endpoint is None or (type(endpoint) is str and len(endpoint) <= longest))
                and (status is None or (type(status) is int and lo <= status <= hi))
                and (
                    duration is None
                    or (
                        (type(duration) is int or type(duration) is float)
                        and -bound < duration < bound
                    )
                )
                and (user is None or type(user) is str or (type(user) is int and lo <= user <= hi))
            ):
                kept.append(event)
                continue
        dropped = True
    return kept if dropped else events


def summarize_events(
    events: list[Any], *, aggregator: str, parse_ms: float, started: float
) -> Summary:
    """§3 and §4 over decoded events (shared with the msgspec aggregator's strict path)."""
    valid = valid_events(events)
    return summarize_counts(
        aggregator=aggregator,
        total=len(events),
        invalid=len(events) - len(valid),
        endpoints=Counter(map(_ENDPOINT, valid)),
        statuses=Counter(map(_STATUS, valid)),
        durations=Counter(map(_DURATION, valid)),
        users=map(_USER, valid),
        parse_ms=parse_ms,
        started=started,
    )


class OrjsonAggregator:
    name = "orjson"

    def summarize(self, document: bytes | str) -> Summary:
        started = time.perf_counter()
        events = parse(document)
        parse_ms = (time.perf_counter() - started) * 1000
        return summarize_events(events, aggregator=self.name, parse_ms=parse_ms, started=started)


AGGREGATOR = OrjsonAggregator()
