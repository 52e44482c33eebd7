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

Endpoints and statuses repeat: a batch holds a few routes and a few status codes many times
over. The aggregator learns them (`Vocabulary`): once a document has decoded, its endpoints and
statuses become ``Literal`` types of a second typed decoder, which hands back the one string or
int object it holds for each instead of a new one per event (no allocation, no freeing, hashes
computed once): 1.14x faster on 20,000 events, decoding and counting (`benchmarks/ratios.py`,
8.1 against 9.2 ms with nothing learned, in the same run). A
value it does not know fails that decoder, and the document is decoded again by the first one
(exact), which learns it. It is never wrong, only slower, for a new value; past
`VOCABULARY_LIMIT` distinct endpoints or statuses it stops learning and stays slower.
"""

from __future__ import annotations

import time
from collections import Counter
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from telemetry_agg.aggregators._fast import Counts, summarize
from telemetry_agg.limits import DURATION_BOUND, INT64_MAX, INT64_MIN, MAX_ENDPOINT_CODE_POINTS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

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

#: The most distinct endpoints (and, apart, statuses) a vocabulary learns.
VOCABULARY_LIMIT = 256
#: How msgspec starts the message of a value that is not one of a Literal's.
_NOT_IN_LITERAL = "Invalid enum value"


class Vocabulary:
    """The endpoints and statuses learned so far, and the typed decoder that knows only them.

    `decode` is None until something is learned, and again once `close` stopped the learning
    (for good: past a limit, a workload that varies that much gains nothing from it).
    """

    def __init__(self) -> None:
        self.endpoints: frozenset[str] = frozenset()
        self.statuses: frozenset[int] = frozenset()
        self.decode: Callable[[bytes | str], list[Any]] | None = None
        self.closed = False

    def learn(self, endpoints: Iterable[str], statuses: Iterable[int | None]) -> None:
        """Add a decoded document's endpoints and statuses; rebuild the decoder if any is new."""
        if self.closed:
            return
        known_endpoints = self.endpoints.union(endpoints)
        known_statuses = self.statuses.union(s for s in statuses if s is not None)
        if known_endpoints == self.endpoints and known_statuses == self.statuses:
            return
        if max(len(known_endpoints), len(known_statuses)) > VOCABULARY_LIMIT:
            self.close()
            return
        try:
            decode = _literal_decoder(known_endpoints, known_statuses)
        except Exception:  # an optimisation never fails a request: stop learning instead
            self.close()
            return
        self.endpoints, self.statuses, self.decode = known_endpoints, known_statuses, decode

    def close(self) -> None:
        """Stop learning, for good: every document takes `Event`'s decoder from now on."""
        self.closed, self.decode = True, None


def _literal_decoder(
    endpoints: frozenset[str], statuses: frozenset[int]
) -> Callable[[bytes | str], list[Any]]:
    """`Event` with Literal endpoints and statuses (every value one `Event` accepts too)."""
    endpoint: Any = Literal.__getitem__(tuple(sorted(endpoints))) if endpoints else Endpoint
    status: Any = Literal.__getitem__(tuple(sorted(statuses))) if statuses else Int64
    known = msgspec.defstruct(
        "KnownEvent",
        [
            ("endpoint", endpoint, ""),
            ("status", status | None, None),
            ("duration_ms", WholeMs | Ms, 0),
            ("user_id", str, ""),
        ],
        forbid_unknown_fields=True,
        gc=False,
    )
    return msgspec.json.Decoder(list[known]).decode  # type: ignore[valid-type]


VOCABULARY = Vocabulary()
#: What a typed decoder raises for a document it refuses (ValidationError is a MsgspecError).
_REFUSED = (msgspec.MsgspecError, ValueError, RecursionError)


def strict_count(document: bytes | str) -> Counts:
    """The strict path (the orjson aggregator's count), imported at its first use."""
    from telemetry_agg.aggregators.orjson_agg import count as strict  # noqa: PLC0415 - see above

    return strict(document)


def _decode(document: bytes | str) -> tuple[list[Any] | None, bool]:
    """The document's events, and whether they are new to the vocabulary: by its decoder if it
    can, else by `Event`'s. None when `Event` refuses the document (the strict path decides)."""
    known = VOCABULARY.decode
    if known is not None:
        try:
            return known(document), False
        except msgspec.ValidationError as exc:
            if not str(exc).startswith(_NOT_IN_LITERAL):
                return None, False  # not a new endpoint or status: Event refuses it too
        except _REFUSED:
            return None, False
    try:
        return _DECODER.decode(document), True
    except _REFUSED:
        return None, False


def count(document: bytes | str) -> Counts:
    """Count one document: typed decoding, else the strict path (which raises on bad input)."""
    started = time.perf_counter()
    events, new = _decode(document)
    if events is None:
        return strict_count(document)  # not the common case: the strict path decides
    parse_ms = (time.perf_counter() - started) * 1000
    counts = Counts(
        total=len(events),
        invalid=0,
        endpoints=Counter(map(_ENDPOINT, events)),
        statuses=Counter(map(_STATUS, events)),
        durations=Counter(map(_DURATION, events)),
        users=set(map(_USER, events)),
        users_are_strings=True,
        parse_ms=parse_ms,
    )
    if new:
        VOCABULARY.learn(counts.endpoints, counts.statuses)
    return counts


class MsgspecAggregator:
    name = "msgspec"

    def summarize(self, document: bytes | str) -> Summary:
        return summarize(document, count, aggregator=self.name)


AGGREGATOR = MsgspecAggregator()
