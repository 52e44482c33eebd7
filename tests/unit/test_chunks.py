"""Large documents are counted a chunk at a time: the answer must not change, memory must not grow.

The chunk size is shrunk to a few bytes here, so that ordinary documents are cut at every
comma the cutter tries: inside strings, inside nested values, between events.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING
from unittest import mock

import pytest
from hypothesis import example, given
from test_properties import batch_texts

from telemetry_agg import AggregationError, aggregate
from telemetry_agg.aggregators import _fast

if TYPE_CHECKING:
    from collections.abc import Iterator

FAST = ("msgspec", "orjson")


@contextmanager
def tiny_chunks(size: int) -> Iterator[None]:
    with (
        mock.patch.object(_fast, "CHUNK", size),
        mock.patch.object(_fast, "CHUNKED_ABOVE", 0),
        mock.patch.object(_fast, "CUT_ATTEMPTS", 1000),
    ):
        yield


def _answer(document: str | bytes, aggregator: str) -> object:
    try:
        answer = aggregate(document, aggregator=aggregator).to_dict()
    except AggregationError as error:
        return error.code
    for key in ("parse_ms", "compute_ms", "aggregator"):
        del answer[key]
    return answer


TRICKY = [
    '[{"endpoint":"},{\\"a\\":1},{","status":200},{"x":[1,{"y":"},"}],"user_id":"u,1"},7,[],{}]',
    '[[1,2],[3,[4,5]],{"a":{"b":{"c":[6,7]}}},"s,t","},{"]',
    "[1,,2]",
    "[1,2,]",
    "[,1]",
    " [ 1 , 2 ] ",
    "[1] ,",
    '[{"status":200}] [{"status":200}]',
    '[{"user_id":"\\ud800"},{"status":1}]',
    "[" + ",".join(['{"status":200,"user_id":"u1"}'] * 50) + "]",
    "[" + ",".join(["{}"] * 50) + "]",
]


@pytest.mark.parametrize("size", [1, 3, 8, 40])
@pytest.mark.parametrize("document", TRICKY)
def test_chunked_answers_equal_the_reference(document: str, size: int) -> None:
    expected = _answer(document, "reference")
    with tiny_chunks(size):
        for name in FAST:
            assert _answer(document, name) == expected, name
            assert _answer(document.encode(), name) == expected, name


@given(batch_texts)
@example("[" + ",".join([f'{{"duration_ms":{i}}}' for i in range(40)]) + "]")
def test_chunked_agree_on_random_batches(document: str) -> None:
    expected = _answer(document, "reference")
    with tiny_chunks(6):
        for name in FAST:
            assert _answer(document, name) == expected, name


def test_chunks_are_counted_separately() -> None:
    document = "[" + ",".join(['{"endpoint":"/a","status":200}'] * 30) + "]"
    calls: list[int] = []
    original = _fast.Counts

    def spy(*args: object, **kwargs: object) -> _fast.Counts:
        counts = original(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(counts.total)
        return counts

    with tiny_chunks(100), mock.patch("telemetry_agg.aggregators.msgspec_agg.Counts", spy):
        summary = aggregate(document, aggregator="msgspec")
    assert summary.total_events == 30
    assert len(calls) > 5  # really cut into chunks
    assert sum(calls) == 30


@pytest.mark.slow
def test_millions_of_tiny_events_stay_in_bounded_memory() -> None:
    """16 MiB of `{}` is 5.6 million events: whole, they would need over 300 MB of objects."""
    code = (
        "import resource, sys\n"
        "from telemetry_agg import aggregate\n"
        "n = (16 * 1024 * 1024 - 2) // 3\n"
        "doc = ('[' + ','.join(['{}'] * n) + ']').encode()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "summary = aggregate(doc, aggregator=sys.argv[1])\n"
        "try:\n"
        "    aggregate(doc[:-1] + b',]', aggregator=sys.argv[1])\n"
        "except Exception as error:\n"
        "    code = error.code\n"
        "grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
        "print(summary.total_events, grew // 1024, code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "msgspec"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) == (16 * 1024 * 1024 - 2) // 3
    assert int(out[1]) < 100, f"peak memory grew by {out[1]} MB"
    assert out[2] == "invalid_json"  # a trailing comma after millions of events: found cheaply
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0
