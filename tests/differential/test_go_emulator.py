"""The Go bootstrap under the real Lambda Runtime Interface Emulator, on every shared vector.

This is the path Lambda takes: the runtime API hands the raw event bytes to lambda.Start, which
calls the handler. Every vector whose event fits Lambda's 6 MB invocation limit is sent, and
the response must match the vector's expect (tests/vectors/README.md), as `go test` checks
in process.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from support import TIMING_KEYS, Vector, load_vectors
from telemetry_agg.bench.local.emulator import Emulator, ToolMissingError
from telemetry_agg.bench.local.runtimes import go_runtime

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [pytest.mark.go, pytest.mark.emulator]

LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024


@pytest.fixture(scope="module")
def go_emulator() -> Iterator[Emulator]:
    try:
        runtime = go_runtime()
        emulator = Emulator(runtime)
        emulator.start()
    except ToolMissingError as exc:
        pytest.skip(f"the emulator or the Go bootstrap is missing ({exc}); run scripts/setup.sh")
    try:
        yield emulator
    finally:
        emulator.stop()


def raw_event(vector: Vector) -> bytes:
    if vector.event_file is not None:
        return vector.event_file.read_bytes()
    text: str = json.dumps(vector.inline_event)
    return text.encode()


def test_every_vector_through_the_emulator(go_emulator: Emulator) -> None:
    checked = 0
    failures = []
    for vector in load_vectors():
        event = raw_event(vector)
        if len(event) > LAMBDA_PAYLOAD_LIMIT:
            continue
        invocation = go_emulator.invoke(event)
        assert invocation.error is None, (vector.name, invocation.error, go_emulator.output_tail())
        response = json.loads(invocation.body)
        expect = vector.expect
        body = json.loads(response["body"])
        ok = (
            set(response) == {"statusCode", "headers", "body"}
            and response["statusCode"] == expect["statusCode"]
            and all(response["headers"].get(k.lower()) == v for k, v in expect["headers"].items())
            and body["language"] == "go"
        )
        if expect["statusCode"] == 200:
            ok = ok and {k: v for k, v in body.items() if k not in TIMING_KEYS} == expect["body"]
        else:
            ok = ok and body["error"] == expect["body"]["error"] and bool(body["detail"])
        if not ok:
            failures.append((vector.name, response))
        checked += 1
    assert checked > 100
    assert not failures, failures[:3]
