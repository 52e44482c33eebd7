"""The handler on an event's raw JSON bytes (the lean runtime's way) answers as on the event the
stock runtime decoded: every shared vector, and generated envelopes that stress the typed
fast path (duplicate members, members of every JSON type, lone surrogates, odd headers)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telemetry_agg.handler import handle
from telemetry_agg.limits import NOT_COMPARED
from telemetry_agg.request import decode_event

if TYPE_CHECKING:
    from support import Vector

marshaller = pytest.importorskip(
    "awslambdaric.lambda_runtime_marshaller",
    reason="awslambdaric (the bench extra) decodes events as the stock runtime does",
)


def meaning(event: Any) -> tuple[int, dict[str, str], Any]:
    response, _ = handle(event)
    body = json.loads(response["body"])
    if response["statusCode"] != 200:
        return response["statusCode"], response["headers"], body["error"]
    answer = {k: v for k, v in body.items() if k not in NOT_COMPARED}
    return 200, response["headers"], answer


def stock_event(raw: bytes) -> Any:
    """The event as awslambdaric hands it over; where its decoder (simplejson 4) refuses NaN,
    as json.loads reads it (what the vectors take the runtime's decoder to do)."""
    try:
        return marshaller.LambdaMarshaller().unmarshal_request(raw)
    except marshaller.FaultException:
        return json.loads(raw.decode("utf-8"))


def test_vector_raw_and_decoded_agree(vector: Vector) -> None:
    if vector.event_file is not None:
        raw = vector.event_file.read_bytes()
    else:
        raw = json.dumps(vector.inline_event).encode()
    assert meaning(raw) == meaning(stock_event(raw))


def test_the_typed_path_decodes_only_what_section_1_reads() -> None:
    event = {
        "body": "[]",
        "isBase64Encoded": False,
        "headers": {"a": "b"},
        "requestContext": {"http": {"method": "POST"}},
        "rawPath": "/x",
    }
    assert decode_event(json.dumps(event).encode()) == {k: event[k] for k in list(event)[:4]}


JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
BODIES = st.sampled_from(['[{"status": 200}]', "[]", "", "W10=", "[", "{}"]) | JSON_VALUES
METHODS = st.sampled_from(["POST", "GET", "post", None]) | JSON_VALUES
ENCODINGS = st.sampled_from(["gzip", "identity", " GZIP ", "br", None]) | JSON_SCALARS
HEADER_NAMES = st.sampled_from(["content-encoding", "Content-Encoding", "CONTENT-ENCODING", "x"])


@st.composite
def envelopes(draw: st.DrawFn) -> bytes:
    members: list[tuple[str, Any]] = []
    for name, values in (
        ("body", BODIES),
        ("isBase64Encoded", st.sampled_from([True, False, 1, "true", None])),
        ("headers", st.dictionaries(HEADER_NAMES, ENCODINGS, max_size=3) | JSON_VALUES),
        (
            "requestContext",
            st.fixed_dictionaries({"http": st.fixed_dictionaries({"method": METHODS})})
            | JSON_VALUES,
        ),
        ("other", JSON_VALUES),
    ):
        # absent, once, or a duplicate
        members.extend((name, draw(values)) for _ in range(draw(st.integers(0, 2))))
    members = draw(st.permutations(members))
    ascii_only = draw(st.booleans())
    text = (
        "{"
        + ",".join(f"{json.dumps(k)}:{json.dumps(v, ensure_ascii=ascii_only)}" for k, v in members)
        + "}"
    )
    return text.encode("utf-8", "surrogatepass" if not ascii_only else "strict")


@given(envelopes())
def test_generated_envelopes_raw_and_decoded_agree(raw: bytes) -> None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8 (an encoded surrogate): not JSON to the stock decoder, invalid_json here.
        status, _, error = meaning(raw)
        assert (status, error) == (400, "invalid_json")
        return
    assert meaning(raw) == meaning(stock_event(raw))
