"""The reference aggregator: the standard library only, plain and readable.

It is the semantic baseline every other aggregator is tested against, so it spells each rule
of docs/contract.md out rather than relying on a parser's defaults: the stdlib ``json`` module
accepts NaN, lone surrogates and numbers that overflow a double, and gives up before 1024
levels, so those checks are made here.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from typing import Any

from telemetry_agg.errors import expected_array, invalid_json, invalid_utf8, json_type_name
from telemetry_agg.limits import (
    DURATION_BOUND,
    INT64_MAX,
    INT64_MIN,
    MAX_DEPTH,
    MAX_ENDPOINT_CODE_POINTS,
    TOP_ENDPOINTS,
    UNKNOWN,
    p95_index,
    room_for_max_depth,
)
from telemetry_agg.summary import Summary

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _RejectedError(ValueError):
    """A number or literal JSON allows but the contract does not."""


def _reject_constant(name: str) -> Any:
    raise _RejectedError(f"{name} is not a JSON number")


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _RejectedError("a number overflows a double")
    return value


def _parse_int(text: str) -> int:
    if math.isinf(float(text)):  # float() of a digit string rounds; int() would not overflow
        raise _RejectedError("a number overflows a double")
    return int(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object, last duplicate winning; §2 still holds in the values the duplicates replace."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        last = {key: i for i, (key, _) in enumerate(pairs)}
        replaced = [value for i, (key, value) in enumerate(pairs) if last[key] != i]
        if _has_lone_surrogate(replaced):
            raise _RejectedError("a string holds a lone surrogate escape")
    return obj


_HOOKS: dict[str, Any] = {
    "parse_float": _parse_float,
    "parse_int": _parse_int,
    "parse_constant": _reject_constant,
    "object_pairs_hook": _object,
}
_DECODER = json.JSONDecoder(**_HOOKS)
_PY_DECODER = json.JSONDecoder(**_HOOKS)
_PY_DECODER.scan_once = py_make_scanner(_PY_DECODER)  # type: ignore[attr-defined]


def _nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects, counting brackets outside strings."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _decode(text: str) -> Any:
    """Decode a document already known to nest at most MAX_DEPTH levels."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        pass
    # The C scanner recurses once a level and 1024 levels pass the default limit (3.11); where
    # it has a C-stack limit of its own (3.12+), the pure-Python scanner takes over.
    with room_for_max_depth():
        try:
            return _DECODER.decode(text)
        except RecursionError:
            return _PY_DECODER.decode(text)


def _has_lone_surrogate(document: Any) -> bool:
    """True when any string or key holds a surrogate code point (an unpaired escape)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return True
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
    return False


def parse(document: bytes | str) -> list[Any]:
    """§2: the document as a list, or AggregationError."""
    if isinstance(document, str):
        text = document  # lone surrogates in it are found by the walk below
    else:
        try:
            text = document.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise invalid_utf8(exc.start) from None
    if text.startswith("\ufeff"):
        raise invalid_json("it starts with a byte-order mark")
    if _nesting_depth(text) > MAX_DEPTH:
        raise invalid_json(f"arrays and objects nest deeper than {MAX_DEPTH} levels")
    try:
        value = _decode(text)
    except _RejectedError as exc:
        raise invalid_json(str(exc)) from None
    except json.JSONDecodeError as exc:
        raise invalid_json(f"{exc.msg} at character {exc.pos}") from None
    except (ValueError, RecursionError) as exc:
        raise invalid_json(type(exc).__name__) from None
    if _has_lone_surrogate(value):
        raise invalid_json("a string holds a lone surrogate escape")
    if not isinstance(value, list):
        raise expected_array(json_type_name(value))
    return value


def _is_int64(value: Any) -> bool:
    return type(value) is int and INT64_MIN <= value <= INT64_MAX


def read_event(event: Any) -> tuple[str, str, int, str | None] | None:
    """§3: (endpoint, status text, duration, user id or None) of a valid event, else None."""
    if not isinstance(event, dict):
        return None

    endpoint = event.get("endpoint")
    if endpoint is None or endpoint == "":
        endpoint = UNKNOWN
    elif not isinstance(endpoint, str) or len(endpoint) > MAX_ENDPOINT_CODE_POINTS:
        return None

    status = event.get("status")
    if status is None:
        status_text = UNKNOWN
    elif _is_int64(status):
        status_text = str(status)
    else:
        return None

    duration = event.get("duration_ms")
    if duration is None:
        whole_ms = 0
    elif type(duration) in (int, float) and -DURATION_BOUND < float(duration) < DURATION_BOUND:
        whole_ms = math.trunc(duration)
    else:
        return None

    user = event.get("user_id")
    if user is None or user == "":
        user_text = None
    elif isinstance(user, str):
        user_text = user
    elif _is_int64(user):
        user_text = str(user)
    else:
        return None

    return endpoint, status_text, whole_ms, user_text


class ReferenceAggregator:
    name = "reference"

    def summarize(self, document: bytes | str) -> Summary:
        started = time.perf_counter()
        events = parse(document)
        parsed = time.perf_counter()

        invalid = 0
        endpoints: Counter[str] = Counter()
        statuses: Counter[str] = Counter()
        users: set[str] = set()
        durations: list[int] = []
        for event in events:
            fields = read_event(event)
            if fields is None:
                invalid += 1
                continue
            endpoint, status, duration, user = fields
            endpoints[endpoint] += 1
            statuses[status] += 1
            durations.append(duration)
            if user is not None:
                users.add(user)

        durations.sort()
        top = sorted(endpoints.items(), key=lambda item: (-item[1], item[0]))[:TOP_ENDPOINTS]
        return Summary(
            total_events=len(events),
            invalid_events=invalid,
            unique_users=len(users),
            p95_duration_ms=durations[p95_index(len(durations))] if durations else 0,
            top_endpoints=tuple(top),
            status_counts={status: statuses[status] for status in sorted(statuses)},
            aggregator=self.name,
            parse_ms=(parsed - started) * 1000,
            compute_ms=(time.perf_counter() - started) * 1000,
        )


AGGREGATOR = ReferenceAggregator()
