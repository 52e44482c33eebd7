"""The orjson aggregator: orjson validates and decodes, one loop checks the types of §3.

orjson enforces all of §2 itself (strict UTF-8, no BOM, no NaN, no lone surrogates, no
overflowing numbers, at most 1024 levels); integer literals past the uint64 range come back as
floats, which are out of every integer field's range anyway.
"""

from __future__ import annotations

import time
from collections import Counter
from operator import itemgetter, methodcaller
from typing import TYPE_CHECKING, Any

import orjson

from telemetry_agg.aggregators._fast import Counts, summarize
from telemetry_agg.errors import expected_array, invalid_json, json_type_name, utf8_error
from telemetry_agg.limits import DURATION_BOUND, INT64_MAX, INT64_MIN, MAX_ENDPOINT_CODE_POINTS

if TYPE_CHECKING:
    from telemetry_agg.summary import Summary

_ENDPOINT = methodcaller("get", "endpoint")
_STATUS = methodcaller("get", "status")
_DURATION = methodcaller("get", "duration_ms")
_USER = methodcaller("get", "user_id")
_ENDPOINT_ITEM = itemgetter("endpoint")
_STATUS_ITEM = itemgetter("status")
_DURATION_ITEM = itemgetter("duration_ms")
_USER_ITEM = itemgetter("user_id")


def parse(document: bytes | str) -> list[Any]:
    """§2 with orjson: the document as a list, or AggregationError."""
    try:
        value = orjson.loads(document)
    except orjson.JSONDecodeError as exc:
        # orjson checks UTF-8 before it parses and names no offset: find it, as Go says it.
        bad_utf8 = utf8_error(document) if "UTF-8" in exc.msg else None
        raise bad_utf8 or invalid_json(f"{exc.msg} at character {exc.pos}") from None
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


_NONE = type(None)
_ENDPOINT_TYPES = frozenset({str, _NONE})
_STATUS_TYPES = frozenset({int, _NONE})
_DURATION_TYPES = frozenset({int, float, _NONE})
_USER_TYPES = frozenset({str, int, _NONE})


def _in(lo: float, hi: float, keys: Any) -> bool:
    """Whether every number among ``keys`` (None skipped) lies in [lo, hi]."""
    numbers = [key for key in keys if key is not None]
    return not numbers or (lo <= min(numbers) and max(numbers) <= hi)


def _counts_when_all_valid(events: list[Any]) -> tuple[Counter[Any], ...] | None:
    """Counts of the four fields' raw values when every event is valid and has them all.

    The common case costs a few C-level passes instead of a Python loop: the types present in
    each field are checked as a set (so no bool, list or dict hides behind an equal int key),
    then the ranges on the distinct values only.
    """
    if not set(map(type, events)) <= {dict}:
        return None
    try:  # itemgetter is several times faster than dict.get, and every field is usually there
        endpoints = list(map(_ENDPOINT_ITEM, events))
        statuses = list(map(_STATUS_ITEM, events))
        durations = list(map(_DURATION_ITEM, events))
        users = list(map(_USER_ITEM, events))
    except KeyError:
        return None
    if not (
        set(map(type, endpoints)) <= _ENDPOINT_TYPES
        and set(map(type, statuses)) <= _STATUS_TYPES
        and set(map(type, durations)) <= _DURATION_TYPES
        and set(map(type, users)) <= _USER_TYPES
    ):
        return None
    counted = Counter(endpoints), Counter(statuses), Counter(durations), Counter(users)
    endpoint_counts, status_counts, duration_counts, user_counts = counted
    longest = max((len(key) for key in endpoint_counts if key is not None), default=0)
    if (
        longest > MAX_ENDPOINT_CODE_POINTS
        or not _in(INT64_MIN, INT64_MAX, status_counts)
        or not _in(-DURATION_BOUND, DURATION_BOUND, duration_counts)
        or DURATION_BOUND in duration_counts
        or -DURATION_BOUND in duration_counts
        or not _in(INT64_MIN, INT64_MAX, (key for key in user_counts if type(key) is int))
    ):
        return None
    return counted


def count_events(events: list[Any], *, parse_ms: float) -> Counts:
    """§3 over decoded events (shared with the msgspec aggregator's strict path)."""
    counted = _counts_when_all_valid(events)
    if counted is not None:
        endpoints, statuses, durations, users = counted
        invalid = 0
    else:
        valid = valid_events(events)
        invalid = len(events) - len(valid)
        endpoints = Counter(map(_ENDPOINT, valid))
        statuses = Counter(map(_STATUS, valid))
        durations = Counter(map(_DURATION, valid))
        users = Counter(map(_USER, valid))
    return Counts(
        total=len(events),
        invalid=invalid,
        endpoints=endpoints,
        statuses=statuses,
        durations=durations,
        users=set(users),
        users_are_strings=False,
        parse_ms=parse_ms,
    )


def count(document: bytes | str) -> Counts:
    """Parse (§2) and count (§3) one document, or raise AggregationError."""
    started = time.perf_counter()
    events = parse(document)
    return count_events(events, parse_ms=(time.perf_counter() - started) * 1000)


class OrjsonAggregator:
    name = "orjson"

    def summarize(self, document: bytes | str) -> Summary:
        return summarize(document, count, aggregator=self.name)


AGGREGATOR = OrjsonAggregator()
