"""The handler on real-shaped events (tests/events), round-tripped the way the runtime does it.

Each event file is decoded with the Python runtime's own marshaller (awslambdaric) and the
response encoded with it, so what is checked is what a Function URL caller would receive.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from support import EVENTS, load_event
from telemetry_agg.handler import handler

awslambdaric = pytest.importorskip(
    "awslambdaric.lambda_runtime_marshaller",
    reason="awslambdaric (the bench extra) marshals events like the Lambda runtime",
)

BATCH_ANSWER = {
    "total_events": 8,
    "invalid_events": 0,
    "unique_users": 5,
    "p95_duration_ms": 131,
    "top_endpoints": [["/login", 2], ["/search", 2], ["/checkout", 1], ["/feed", 1], ["/ping", 1]],
    "status_counts": {"200": 3, "201": 1, "400": 1, "401": 1, "403": 1, "500": 1},
}
EMPTY_ANSWER = {
    "total_events": 0,
    "invalid_events": 0,
    "unique_users": 0,
    "p95_duration_ms": 0,
    "top_endpoints": [],
    "status_counts": {},
}
CASES: dict[str, tuple[int, dict[str, Any]]] = {
    "function_url_post": (200, BATCH_ANSWER),
    "function_url_gzip": (200, BATCH_ANSWER),
    "function_url_base64": (200, BATCH_ANSWER),
    "direct_invoke_batch": (200, BATCH_ANSWER),
    "direct_invoke_object": (200, BATCH_ANSWER),
    "function_url_no_body": (200, EMPTY_ANSWER),
    "function_url_invalid_events": (
        200,
        {
            "total_events": 4,
            "invalid_events": 3,
            "unique_users": 0,
            "p95_duration_ms": 5,
            "top_endpoints": [["/a", 1]],
            "status_counts": {"200": 1},
        },
    ),
    "function_url_get": (405, {"error": "method_not_allowed"}),
    "function_url_brotli": (415, {"error": "unsupported_encoding"}),
    "function_url_not_json": (400, {"error": "invalid_json"}),
}


class Context:
    aws_request_id = "8f5e6d4c-1b2a-4c3d-9e8f-0a1b2c3d4e5f"
    function_name = "telemetry-agg-python"


def invoke(name: str) -> dict[str, Any]:
    marshaller = awslambdaric.LambdaMarshaller()
    event = marshaller.unmarshal_request((EVENTS / f"{name}.json").read_bytes())
    response = handler(event, Context())
    text, content_type = marshaller.marshal_response(response)
    assert content_type == "application/json"
    decoded: dict[str, Any] = json.loads(text)
    return decoded


def test_every_sample_event_has_a_case() -> None:
    assert {path.stem for path in EVENTS.glob("*.json")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_event(name: str, aggregator_name: str, use_aggregator: str) -> None:
    status, expected = CASES[name]
    response = invoke(name)
    assert response["statusCode"] == status
    assert response["headers"]["content-type"] == "application/json"
    body = json.loads(response["body"])
    if status == 200:
        assert body["language"] == "python"
        assert body["aggregator"] == aggregator_name
        assert {k: v for k, v in body.items() if k in expected} == expected
        assert set(body) == {*expected, "language", "aggregator", "parse_ms", "compute_ms"}
    else:
        assert body["error"] == expected["error"]
        assert body["detail"]
    if status == 405:
        assert response["headers"]["allow"] == "POST"


def test_sample_events_load_through_the_shared_helper() -> None:
    event = load_event("function_url_post")
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["version"] == "2.0"


def test_log_line_per_invocation(capsys: pytest.CaptureFixture[str]) -> None:
    invoke("function_url_gzip")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["request_id"] == Context.aws_request_id
    assert record["total_events"] == 8
    assert "u_k2m9x0qa" not in lines[0]
