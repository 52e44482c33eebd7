"""The msgspec aggregator's learned vocabulary: faster for known values, the same answers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from hypothesis import example, given
from test_properties import _answer, batch_texts, full_batches

from telemetry_agg import aggregate
from telemetry_agg.aggregators import msgspec_agg
from telemetry_agg.aggregators._fast import CHUNKED_ABOVE

if TYPE_CHECKING:
    from collections.abc import Iterator


def _batch(*events: dict[str, Any]) -> str:
    return json.dumps(list(events))


EVENTS = [
    {"endpoint": endpoint, "status": status, "duration_ms": 10 * i, "user_id": f"u{i % 3}"}
    for i, (endpoint, status) in enumerate(
        [("/a", 200), ("/b", 404), ("/a", 200), ("", 500), ("/c", 200)]
    )
]


def learned() -> bool:
    """Whether the vocabulary has a decoder (a call: mypy keeps no narrowing across it)."""
    return msgspec_agg.VOCABULARY.decode is not None


@pytest.fixture(autouse=True)
def fresh_vocabulary() -> Iterator[msgspec_agg.Vocabulary]:
    """Each test starts with nothing learned, and leaves nothing learned behind."""
    saved = msgspec_agg.VOCABULARY
    msgspec_agg.VOCABULARY = msgspec_agg.Vocabulary()
    yield msgspec_agg.VOCABULARY
    msgspec_agg.VOCABULARY = saved


def test_a_decoded_document_teaches_its_endpoints_and_statuses() -> None:
    vocabulary = msgspec_agg.VOCABULARY
    assert not learned(), "a fresh vocabulary has nothing to decode with"
    aggregate(_batch(*EVENTS), aggregator="msgspec")
    assert vocabulary.endpoints == {"/a", "/b", "", "/c"}
    assert vocabulary.statuses == {200, 404, 500}
    assert vocabulary.decode is not None
    events = vocabulary.decode(_batch(*EVENTS[:3]).encode())
    assert type(events[0]).__name__ == "KnownEvent"
    assert events[0].endpoint is events[2].endpoint  # one object per known value


def test_the_vocabulary_decodes_what_it_knows_with_the_same_answer() -> None:
    document = _batch(*EVENTS)
    first = aggregate(document, aggregator="msgspec")
    calls: list[int] = []
    learned = msgspec_agg.VOCABULARY.decode
    assert learned is not None

    def counting(doc: bytes | str) -> list[Any]:
        calls.append(1)
        return learned(doc)

    msgspec_agg.VOCABULARY.decode = counting
    second = aggregate(document, aggregator="msgspec")
    assert calls == [1]
    assert second.to_dict() | {"compute_ms": 0, "parse_ms": 0} == first.to_dict() | {
        "compute_ms": 0,
        "parse_ms": 0,
    }


@pytest.mark.parametrize(
    "event",
    [
        {"endpoint": "/new", "status": 200},  # a new endpoint
        {"endpoint": "/a", "status": 201},  # a new status
        {"endpoint": "\\u002fa", "status": 200},  # a known endpoint, escaped (raw JSON below)
    ],
)
def test_a_value_it_does_not_know_is_decoded_exactly_and_learned(event: dict[str, Any]) -> None:
    aggregate(_batch(*EVENTS), aggregator="msgspec")
    document = _batch(*EVENTS, event).replace("\\\\u002f", "\\u002f")
    assert _answer(document, "msgspec") == _answer(document, "reference")
    assert "/new" in msgspec_agg.VOCABULARY.endpoints or event["endpoint"] != "/new"
    assert 201 in msgspec_agg.VOCABULARY.statuses or event["status"] != 201


@pytest.mark.parametrize(
    "bad",
    [
        '{"endpoint":"/a","status":200.0}',  # the status is not an integer
        '{"endpoint":"/a","status":200,"extra":1}',  # an unknown field
        '{"endpoint":"/zzz","status":null,"user_id":7}',  # new endpoint, then an integer id
        '{"endpoint":"/a","duration_ms":9007199254740992}',  # out of range
        '{"endpoint":"/a"',  # malformed
    ],
)
def test_what_the_vocabulary_refuses_still_gets_the_exact_answer(bad: str) -> None:
    aggregate(_batch(*EVENTS), aggregator="msgspec")
    document = _batch(*EVENTS)[:-1] + "," + bad + "]"
    assert _answer(document, "msgspec") == _answer(document, "reference")


def test_past_the_limit_it_stops_learning_for_good(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(msgspec_agg, "VOCABULARY_LIMIT", 4)
    aggregate(_batch(*EVENTS), aggregator="msgspec")  # 4 endpoints: at the limit, learned
    assert learned()
    many = _batch(*EVENTS, {"endpoint": "/d"})
    assert _answer(many, "msgspec") == _answer(many, "reference")
    assert msgspec_agg.VOCABULARY.closed
    assert not learned()
    aggregate(_batch(*EVENTS), aggregator="msgspec")
    assert not learned(), "closed stays closed"


def test_a_decoder_that_cannot_be_built_stops_the_learning_not_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_: object) -> None:
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(msgspec_agg, "_literal_decoder", refuse)
    document = _batch(*EVENTS)
    assert _answer(document, "msgspec") == _answer(document, "reference")
    assert msgspec_agg.VOCABULARY.closed
    assert not learned()


def test_a_document_with_no_statuses_or_endpoints_learns_what_it_has() -> None:
    aggregate(_batch({"status": 200}), aggregator="msgspec")
    assert msgspec_agg.VOCABULARY.endpoints == {""}
    assert msgspec_agg.VOCABULARY.statuses == {200}
    aggregate(_batch({"endpoint": "/a"}), aggregator="msgspec")
    assert msgspec_agg.VOCABULARY.endpoints == {"", "/a"}
    decode = msgspec_agg.VOCABULARY.decode
    assert decode is not None
    assert decode(b'[{"endpoint":"/a"},{}]')[1].status is None
    with pytest.raises(msgspec.ValidationError, match="Invalid enum value"):
        decode(b'[{"status":201}]')


@given(full_batches(), full_batches())
@example(_batch(*EVENTS), _batch(*EVENTS[1:], {"endpoint": "/x", "status": 201}))
def test_whatever_was_learned_the_answer_is_the_reference_one(first: str, second: str) -> None:
    """Learned from one document, a second one, and the first again, agree with the reference."""
    msgspec_agg.VOCABULARY = msgspec_agg.Vocabulary()
    for document in (first, second, first, second):
        assert _answer(document, "msgspec") == _answer(document, "reference"), document


@given(batch_texts, batch_texts)
def test_whatever_was_learned_from_any_batch_the_answer_is_the_reference_one(
    first: str, second: str
) -> None:
    msgspec_agg.VOCABULARY = msgspec_agg.Vocabulary()
    for document in (first, second, first):
        assert _answer(document, "msgspec") == _answer(document, "reference"), document


def test_chunks_share_the_vocabulary() -> None:
    """A large document's chunks: the first teaches, the rest decode by the vocabulary."""
    events = [
        {"endpoint": f"/e{i % 7}", "status": 200 + i % 5, "duration_ms": i % 300, "user_id": str(i)}
        for i in range(60_000)
    ]
    document = json.dumps(events).encode()
    assert len(document) > CHUNKED_ABOVE
    assert _answer(document, "msgspec") == _answer(document, "reference")
    assert len(msgspec_agg.VOCABULARY.endpoints) == 7
