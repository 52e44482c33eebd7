"""Every §5 store vector (tests/vectors/store, format in tests/vectors/README.md) through the
real handler, against moto, a stub DynamoDB or a closed port."""

from __future__ import annotations

import contextlib
import json
import re
import time
from calendar import timegm
from typing import TYPE_CHECKING, Any

import pytest

from aws_servers import StubDynamoDB, closed_port, create_table, scan_items
from support import STORE_VECTORS, LambdaContext, check_response
from telemetry_agg.errors import STATUS_BY_CODE
from telemetry_agg.handler import handle
from telemetry_agg.store import DETAILS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

FILES = sorted(STORE_VECTORS.glob("*.json"))
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
WEEK = 7 * 24 * 3600
STORE_CODES = {"store_unavailable", "summary_too_large"}  # §5's error codes


def _event(path: Path, invocation: dict[str, Any]) -> Any:
    if "event_file" in invocation:
        return json.loads((path.parent / invocation["event_file"]).read_bytes())
    return invocation["event"]


@contextlib.contextmanager
def _endpoint(server: dict[str, Any], moto_endpoint: str, table: str) -> Iterator[str]:
    """The endpoint a vector's ``server`` describes."""
    if server["kind"] == "dynamodb":
        if server["table_exists"]:
            create_table(moto_endpoint, table)
        yield moto_endpoint
    elif server["kind"] == "stub":
        responses = [(r["status"], r["body"]) for r in server["responses"]]
        with StubDynamoDB(responses) as stub:
            yield stub.endpoint
    else:
        assert server["kind"] == "refused", server
        yield f"http://127.0.0.1:{closed_port()}"


def _check_answer(response: dict[str, Any], expect: dict[str, Any]) -> None:
    check_response(response, expect)
    body = json.loads(response["body"])
    if response["statusCode"] == 200:
        assert list(body)[-3:] == ["compute_ms", "stored", "store_ms"], list(body)
        assert isinstance(body["store_ms"], float)
        assert body["store_ms"] >= 0
    elif "detail" in expect["body"]:
        assert body["detail"] == expect["body"]["detail"]


def _check_items(
    found: dict[str, dict[str, Any]], expected: dict[str, Any], window: tuple[float, float]
) -> None:
    assert set(found) == set(expected)
    for request_id, item in found.items():
        rest = dict(item)
        assert rest.pop("language") == {"S": "python"}
        stored_at, expires_at = rest.pop("stored_at")["S"], int(rest.pop("expires_at")["N"])
        assert STAMP.fullmatch(stored_at), stored_at
        seconds = timegm(time.strptime(stored_at[:19], "%Y-%m-%dT%H:%M:%S"))
        assert window[0] - 1 <= seconds + int(stored_at[20:23]) / 1000 <= window[1] + 1
        assert expires_at == seconds + WEEK
        assert rest == expected[request_id], request_id


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_store_vector(
    path: Path,
    moto_endpoint: str,
    table_name: str,
    use_endpoint: Callable[[str, str], None],
    no_backoff: None,
) -> None:
    vector = json.loads(path.read_bytes())
    with _endpoint(vector["server"], moto_endpoint, table_name) as endpoint:
        use_endpoint(endpoint, table_name)
        started = time.time()
        for invocation in vector["invocations"]:
            context = LambdaContext(invocation["request_id"])
            response, record = handle(_event(path, invocation), context)
            _check_answer(response, invocation["expect"])
            assert record["status_code"] == response["statusCode"]
            assert record["request_id"] == invocation["request_id"]
        window = (started, time.time())
    if "items" in vector:
        _check_items(scan_items(moto_endpoint, table_name), vector["items"], window)


def test_store_vectors_cover_every_store_error_and_cause() -> None:
    codes, details = set(), set()
    for path in FILES:
        for invocation in json.loads(path.read_bytes())["invocations"]:
            body = invocation["expect"]["body"]
            codes.add(body.get("error"))
            details.add(body.get("detail"))
    assert codes >= STORE_CODES
    assert set(STATUS_BY_CODE) >= STORE_CODES
    assert set(DETAILS.values()) <= details
