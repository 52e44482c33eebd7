"""Property tests: every aggregator gives the reference's answer to every document.

Batches are built as JSON *text*, so they hold what a decoded value cannot: duplicate keys,
integer versus float literals (``200`` / ``200.0`` / ``2e2``), ``-0``, numbers at the 2^53 and
2^63 boundaries, nulls, wrong types, non-objects, Unicode (``st.text()`` never yields lone
surrogates, so lone-surrogate escapes are drawn as JSON text). Invalid documents must get the
same error code.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from telemetry_agg import AggregationError, aggregate
from telemetry_agg.aggregators import builtin_aggregators

DROP = ("parse_ms", "compute_ms", "aggregator")

BOUNDARY_NUMBERS = [
    "0", "-0", "1", "-1", "200", "200.0", "2e2", "2E+2", "-0.0", "0.5", "-0.5", "12.9", "-1.5",
    "1e-400", "1.5e2", "9007199254740991", "9007199254740992", "-9007199254740991",
    "-9007199254740992", "9007199254740991.5", "9007199254740990.5", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "100000000000000000000000000000",
    "1.7976931348623157e308",
]  # fmt: skip


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


scalar_texts = st.one_of(
    st.sampled_from(BOUNDARY_NUMBERS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["null", "true", "false", '""', "[]", "{}", '"unknown"', '"42"', '"-0"']),
    # escapes st.text() cannot give: lone surrogates (high, low, reversed pair) and a valid pair
    st.sampled_from(['"\\ud800"', '"x\\udc00"', '"\\ude00\\ud83d"', '"\\ud83d\\ude00"']),
    st.text(max_size=12).map(_text),
    st.sampled_from(["/login", "/search", "/ping", "/caf\u00e9", "\U0001f600", "B", "a"]).map(
        _text
    ),
)
value_texts = st.recursive(
    scalar_texts,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ",".join(items) + "]"),
        st.lists(st.tuples(st.text(max_size=4).map(_text), inner), max_size=3).map(
            lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"
        ),
    ),
    max_leaves=6,
)
FIELDS = ["endpoint", "status", "duration_ms", "user_id"]
key_texts = st.one_of(
    st.sampled_from(FIELDS), st.sampled_from(["Status", "extra", ""]), st.text(max_size=6)
).map(_text)
field_texts = st.one_of(
    st.sampled_from(FIELDS).map(_text).flatmap(lambda k: st.tuples(st.just(k), scalar_texts)),
    st.tuples(key_texts, value_texts),
)
event_texts = st.one_of(
    st.lists(field_texts, max_size=7).map(  # duplicate keys happen: the last one wins
        lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}"
    ),
    value_texts,
)
batch_texts = st.lists(event_texts, max_size=25).map(lambda events: "[" + ",".join(events) + "]")


def _answer(document: bytes | str, aggregator: str) -> dict[str, Any]:
    try:
        answer: dict[str, Any] = aggregate(document, aggregator=aggregator).to_dict()
    except AggregationError as error:
        return {"error": error.code}
    for key in DROP:
        del answer[key]
    return answer


def _agree(document: bytes | str) -> None:
    expected = _answer(document, "reference")
    for name in builtin_aggregators():
        assert _answer(document, name) == expected, name


@given(batch_texts)
@example('[{"status":1,"status":"x"},{"status":"x","status":1}]')
@example('[{"user_id":42},{"user_id":"42"},{"user_id":-0},{"user_id":"0"}]')
@example('[{"endpoint":null},{"endpoint":""},{"endpoint":"unknown"},{"endpoint":"/a","x":1}]')
@example('[{"duration_ms":null},{"duration_ms":-0.0},{"duration_ms":0},{"duration_ms":0.9}]')
@example(
    '[{"status":9223372036854775807,"user_id":-9223372036854775808},'
    '{"status":-9223372036854775809},{"user_id":9223372036854775808},'
    '{"duration_ms":9007199254740991},{"duration_ms":-9007199254740992},{"endpoint":"'
    + "x" * 1025
    + '"}]'
)
def test_aggregators_agree_on_batches(document: str) -> None:
    _agree(document)
    _agree(document.encode())


EDGE_VALUES = ["true", "false", "null", "1", "1.0", "0", "-0.0", '"x"', '""', "[]", "{}"]
FIELD_VALUES = {  # valid values first; one edge value at a time is mixed in below
    "endpoint": ['"/a"', '"/b"', '""', '"' + "e" * 1024 + '"', '"' + "e" * 1025 + '"'],
    "status": ["200", "-0", "9223372036854775807", "9223372036854775808"],
    "duration_ms": ["5", "12.9", "9007199254740991", "9007199254740992", "-9007199254740991.5"],
    "user_id": ['"u1"', "42", '"42"', "-9223372036854775808", "-9223372036854775809"],
}


@st.composite
def full_batches(draw: st.DrawFn) -> str:
    """Events that all carry every field, mostly valid, with one edge value somewhere."""
    events = [
        {field: draw(st.sampled_from(values[:3])) for field, values in FIELD_VALUES.items()}
        for _ in range(draw(st.integers(min_value=1, max_value=8)))
    ]
    spot = draw(st.sampled_from(events))
    field = draw(st.sampled_from(list(FIELD_VALUES)))
    spot[field] = draw(st.sampled_from(EDGE_VALUES + FIELD_VALUES[field]))
    return (
        "["
        + ",".join("{" + ",".join(f'"{k}":{v}' for k, v in e.items()) + "}" for e in events)
        + "]"
    )


@settings(max_examples=400)
@given(full_batches())
@example('[{"endpoint":"/a","status":1.0,"duration_ms":1,"user_id":"u"}]')
@example('[{"endpoint":"/a","status":1,"duration_ms":9007199254740992,"user_id":"u"}]')
@example('[{"endpoint":"' + "e" * 1025 + '","status":1,"duration_ms":1,"user_id":"u"}]')
@example('[{"endpoint":"/a","status":1,"duration_ms":1,"user_id":9223372036854775808}]')
@example('[{"endpoint":"/a","status":2,"duration_ms":-9007199254740992,"user_id":"u"}]')
@example(
    '[{"endpoint":"/a","status":200,"duration_ms":1,"user_id":"u"},'
    '{"endpoint":"/a","status":200,"duration_ms":true,"user_id":"u"}]'
)
@example('[{"endpoint":"/a","status":false,"duration_ms":1,"user_id":1}]')
def test_aggregators_agree_when_every_event_has_every_field(document: str) -> None:
    """The fast paths that count whole columns at once: a bool or list must not hide among ints."""
    _agree(document)


@given(st.lists(event_texts, min_size=1, max_size=10), st.integers(min_value=0, max_value=400))
def test_aggregators_agree_on_truncated_and_mangled_batches(events: list[str], cut: int) -> None:
    document = ("[" + ",".join(events) + "]").encode()
    _agree(document[:cut])
    _agree(document[cut:])
    _agree(document.replace(b",", b"", 1))


@given(st.binary(max_size=200))
def test_aggregators_agree_on_random_bytes(data: bytes) -> None:
    _agree(data)
    _agree(b"[" + data + b"]")
