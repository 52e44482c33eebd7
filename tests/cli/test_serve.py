"""`serve`: local HTTP endpoints that behave like the two Function URLs, started from a test."""

from __future__ import annotations

import http.client
import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from telemetry_agg.bench.local.serve import serve_functions
from telemetry_agg.bench.model import payloads
from telemetry_agg.limits import NOT_COMPARED

from .support import request

if TYPE_CHECKING:
    from collections.abc import Iterator

    from telemetry_agg.bench.local.serve import Served

pytestmark = [pytest.mark.emulator, pytest.mark.usefixtures("tools")]


@pytest.fixture(scope="module")
def served(tools: None) -> Iterator[Served]:
    with serve_functions(concurrency=1) as s:
        yield s


def test_both_answer_alike(served: Served) -> None:
    body = payloads.payload(300, payloads.Knobs(seed=4, invalid=0.05))
    answers = {}
    for lang, url in served.urls.items():
        status, headers, data = request(url, "POST", body, {"content-type": "application/json"})
        assert status == 200, data
        assert headers["content-type"] == "application/json"
        answer = json.loads(data)
        assert answer["language"] == lang.split("-")[0]  # python-lean answers as python
        answers[lang] = {k: v for k, v in answer.items() if k not in NOT_COMPARED}
    assert answers["python"] == answers["go"] == answers["python-lean"]
    assert answers["go"]["total_events"] == 300


def test_method_headers_and_binary_bodies(served: Served) -> None:
    for url in served.urls.values():
        status, headers, data = request(url, "GET")
        assert status == 405
        assert headers["allow"] == "POST"
        assert json.loads(data)["error"] == "method_not_allowed"
        # Not UTF-8: travels base64 (isBase64Encoded), and is then not JSON.
        status, _, data = request(url, "POST", b"\xff\xfe[]")
        assert status == 400
        assert json.loads(data)["error"] == "invalid_json"
        status, _, data = request(url, "POST", b"[]", {"Content-Encoding": "br"})
        assert status == 415


def test_request_over_6_mb_is_413_without_reading_it(served: Served) -> None:
    parts = urlsplit(served.urls["go"])
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.putrequest("POST", "/")
        conn.putheader("content-length", str(7 * 1024 * 1024))
        conn.endheaders()
        resp = conn.getresponse()
        assert resp.status == 413
        resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize("method", ["post", "Post", "FOO", "PUT", "DELETE"])
def test_every_method_but_post_is_405_from_the_function(served: Served, method: str) -> None:
    """As a Function URL: the function sees any method (http.server alone answers 501 to one
    it does not know), and the contract's answer is 405 method_not_allowed, allow: POST."""
    for url in served.urls.values():
        status, headers, data = request(url, method, b"[]")
        assert status == 405, (method, data)
        assert headers["allow"] == "POST"
        assert json.loads(data)["error"] == "method_not_allowed"
