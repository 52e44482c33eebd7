"""The handler always answers: any event, any bytes, never an exception, never a 500."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from telemetry_agg.errors import STATUS_BY_CODE
from telemetry_agg.handler import handle

STATUSES = {200, *STATUS_BY_CODE.values()}

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(),  # NaN and infinities too: the runtime's decoder accepts them
        st.text(max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _check(response: Any) -> dict[str, Any]:
    assert set(response) == {"statusCode", "headers", "body"}
    assert response["statusCode"] in STATUSES
    assert response["headers"]["content-type"] == "application/json"
    body: dict[str, Any] = json.loads(response["body"])
    if response["statusCode"] == 200:
        assert body["total_events"] >= body["invalid_events"] >= 0
    else:
        assert body["error"] in STATUS_BY_CODE
        assert STATUS_BY_CODE[body["error"]] == response["statusCode"]
        assert body["detail"]
    return body


@given(json_values)
def test_any_event(event: Any) -> None:
    _check(handle(event)[0])


@given(
    body=st.one_of(st.none(), st.text(max_size=60), st.integers(), json_values),
    method=st.one_of(st.none(), st.sampled_from(["POST", "GET", "post", ""]), json_values),
    encoding=st.one_of(
        st.none(), st.sampled_from(["gzip", "identity", "br", " GZIP"]), json_values
    ),
    b64=st.one_of(st.booleans(), json_values),
    headers_shape=st.booleans(),
)
def test_any_function_url_event(
    body: Any, method: Any, encoding: Any, b64: Any, headers_shape: bool
) -> None:
    headers: Any = {"content-encoding": encoding} if headers_shape else encoding
    event = {
        "requestContext": {"http": {"method": method}},
        "headers": headers,
        "isBase64Encoded": b64,
        "body": body,
    }
    _check(handle(event)[0])


@given(st.binary(max_size=300), st.booleans(), st.sampled_from(["gzip", "identity"]))
def test_any_bytes(data: bytes, compress: bool, encoding: str) -> None:
    payload = gzip.compress(data) if compress else data
    event = {
        "requestContext": {"http": {"method": "POST"}},
        "headers": {"content-encoding": encoding},
        "isBase64Encoded": True,
        "body": base64.b64encode(payload).decode(),
    }
    body = _check(handle(event)[0])
    if not compress and encoding == "gzip" and data:
        assert body["error"] == "invalid_encoding"


@given(st.binary(min_size=1, max_size=300))
def test_any_corrupted_gzip(data: bytes) -> None:
    stream = bytearray(gzip.compress(b'[{"status":200}]'))
    for i, byte in enumerate(data):
        stream[(i * 7) % len(stream)] ^= byte
    event = {
        "headers": {"content-encoding": "gzip"},
        "isBase64Encoded": True,
        "body": base64.b64encode(bytes(stream)).decode(),
    }
    _check(handle(event)[0])
