"""The msgspec aggregator: typed decoding for the common case, orjson for everything else.

msgspec decodes a batch straight into Structs whose fields carry §3's types and ranges, which
measured fastest for this document shape. The typed decoder only ever *accepts* documents that
are strict JSON arrays of valid events with no unknown fields (msgspec skips the values of
unknown fields without checking them, so they are forbidden here), no null fields (so the
defaults can stand for absent fields) and no integer user ids (so no user id needs converting).
Those are all valid, and rarer: the strict path counts them. Any error at all (a
malformed document, an invalid event, an unknown field, a depth problem) sends the document
down the strict path, the orjson aggregator's, which decides the answer exactly.

The strict path is imported at its first use, not with this module: importing orjson imports
dataclasses, inspect, ast, dis, uuid and enum (6 to 8 ms of every cold start on python3.12,
README "Where a Python Lambda's time goes"), and most functions never meet a document the
typed decoder refuses.
"""

from __future__ import annotations

import time
from collections import Counter
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated

import msgspec

from telemetry_agg.aggregators._fast import Counts, summarize
from telemetry_agg.limits import DURATION_BOUND, INT64_MAX, INT64_MIN, MAX_ENDPOINT_CODE_POINTS

if TYPE_CHECKING:
    from telemetry_agg.summary import Summary

Int64 = Annotated[int, msgspec.Meta(ge=INT64_MIN, le=INT64_MAX)]
Endpoint = Annotated[str, msgspec.Meta(max_length=MAX_ENDPOINT_CODE_POINTS)]
WholeMs = Annotated[int, msgspec.Meta(gt=-DURATION_BOUND, lt=DURATION_BOUND)]
Ms = Annotated[float, msgspec.Meta(gt=-DURATION_BOUND, lt=DURATION_BOUND)]


class Event(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A valid event with no unknown fields and no nulls (those take the strict path)."""

    endpoint: Endpoint = ""  # "" and absent both count as "unknown"
    status: Int64 | None = None
    duration_ms: WholeMs | Ms = 0
    user_id: str = ""  # "" and absent are both not counted; integer ids take the strict path


_DECODER = msgspec.json.Decoder(list[Event])
_ENDPOINT = attrgetter("endpoint")
_STATUS = attrgetter("status")
_DURATION = attrgetter("duration_ms")
_USER = attrgetter("user_id")


def strict_count(document: bytes | str) -> Counts:
    """The strict path (the orjson aggregator's count), imported at its first use."""
    from telemetry_agg.aggregators.orjson_agg import count as strict  # noqa: PLC0415 - see above

    return strict(document)


def count(document: bytes | str) -> Counts:
    """Count one document: typed decoding, else the strict path (which raises on bad input)."""
    started = time.perf_counter()
    try:
        events = _DECODER.decode(document)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return strict_count(document)  # not the common case: the strict path decides
    parse_ms = (time.perf_counter() - started) * 1000
    return Counts(
        total=len(events),
        invalid=0,
        endpoints=Counter(map(_ENDPOINT, events)),
        statuses=Counter(map(_STATUS, events)),
        durations=Counter(map(_DURATION, events)),
        users=set(map(_USER, events)),
        users_are_strings=True,
        parse_ms=parse_ms,
    )


class MsgspecAggregator:
    name = "msgspec"

    def summarize(self, document: bytes | str) -> Summary:
        return summarize(document, count, aggregator=self.name)


AGGREGATOR = MsgspecAggregator()
