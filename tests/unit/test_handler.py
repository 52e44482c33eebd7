"""The handler's own behaviour beyond the vectors: the log line, limits, configuration."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest

from telemetry_agg.aggregators import ENV_VAR
from telemetry_agg.handler import handle, handler
from telemetry_agg.limits import MAX_DOCUMENT_BYTES
from telemetry_agg.request import gunzip

LOG_KEYS = {
    "level",
    "message",
    "language",
    "aggregator",
    "status_code",
    "error",
    "request_bytes",
    "document_bytes",
    "total_events",
    "invalid_events",
    "parse_ms",
    "compute_ms",
    "request_id",
}


class Context:
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"


def post(body: str, **extra: Any) -> dict[str, Any]:
    return {"requestContext": {"http": {"method": "POST"}}, "body": body, **extra}


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_one_log_line_without_the_payload(capsys: pytest.CaptureFixture[str]) -> None:
    marker = "u_marker_that_must_not_be_logged"
    body = json.dumps([{"endpoint": "/a", "user_id": marker}, 5])
    response = handler(post(body), Context())
    assert response["statusCode"] == 200
    (record,) = log_lines(capsys)
    assert set(record) == LOG_KEYS
    assert marker not in json.dumps(record)
    assert record["message"] == "aggregated"
    assert record["request_id"] == Context.aws_request_id
    assert record["status_code"] == 200
    assert record["error"] is None
    assert (record["total_events"], record["invalid_events"]) == (2, 1)
    assert record["request_bytes"] == record["document_bytes"] == len(body)
    assert record["compute_ms"] >= record["parse_ms"] >= 0


def test_error_log_line(capsys: pytest.CaptureFixture[str]) -> None:
    response = handler({"requestContext": {"http": {"method": "GET"}}}, None)
    assert response["statusCode"] == 405
    assert response["headers"]["allow"] == "POST"
    (record,) = log_lines(capsys)
    assert (record["status_code"], record["error"], record["request_id"]) == (
        405,
        "method_not_allowed",
        None,
    )


def test_gzip_sizes_are_logged() -> None:
    document = b'[{"status":200}]' + b" " * 1000
    packed = base64.b64encode(gzip.compress(document)).decode()
    event = post(packed, isBase64Encoded=True, headers={"content-encoding": "gzip"})
    response, record = handle(event)
    assert response["statusCode"] == 200
    assert record["request_bytes"] == len(packed)
    assert record["document_bytes"] == len(document)


def test_identity_body_over_the_limit() -> None:
    body = "[" + " " * MAX_DOCUMENT_BYTES + "]"
    response, record = handle(post(body))
    assert response["statusCode"] == 413
    assert json.loads(response["body"])["error"] == "payload_too_large"
    assert record["error"] == "payload_too_large"


def test_identity_body_at_the_limit() -> None:
    body = "[" + " " * (MAX_DOCUMENT_BYTES - 2) + "]"
    response, _ = handle(post(body))
    assert response["statusCode"] == 200


def test_gunzip_stops_at_the_limit_plus_one() -> None:
    with pytest.raises(Exception, match="payload_too_large"):
        gunzip(gzip.compress(b"x" * 101), limit=100)
    assert gunzip(gzip.compress(b"x" * 100), limit=100) == b"x" * 100


def test_bad_aggregator_setting_falls_back_and_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "no-such-aggregator")
    response, record = handle(post("[{}]"))
    assert response["statusCode"] == 200
    assert record["level"] == "WARNING"
    assert "no-such-aggregator" in record["warning"]
    assert record["aggregator"] == json.loads(response["body"])["aggregator"] == "msgspec"


def test_deep_direct_array() -> None:
    deep: Any = []
    for _ in range(1023):
        deep = [deep]
    response, _ = handle([deep])  # 1 + 1024 levels
    assert json.loads(response["body"])["error"] == "invalid_json"
    response, _ = handle(deep)  # 1024 levels: one invalid event
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["invalid_events"] == 1


def test_very_deep_direct_array_is_answered() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    response, _ = handle(deep)
    assert json.loads(response["body"])["error"] == "invalid_json"


def test_unexpected_failure_is_never_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(event: Any) -> Any:
        raise TypeError("a bug")

    monkeypatch.setattr("telemetry_agg.handler.read_request", explode)
    response, record = handle(post("[]"))
    assert response["statusCode"] == 400
    assert record["level"] == "ERROR"
    assert record["exception"] == "TypeError"


class _CStackExhausted:
    """Stands in for a C scanner that hits its own C-stack limit (Python 3.12+)."""

    def decode(self, text: str) -> Any:
        raise RecursionError("C stack")


def test_reference_reaches_depth_1024_without_the_c_scanner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from telemetry_agg.aggregators import reference  # noqa: PLC0415

    monkeypatch.setattr(reference, "_DECODER", _CStackExhausted())
    document = '[{"status":200},' + "[" * 1023 + "]" * 1023 + "]"
    summary = reference.AGGREGATOR.summarize(document)
    assert (summary.total_events, summary.invalid_events) == (2, 1)
    with pytest.raises(Exception, match="invalid_json"):
        reference.AGGREGATOR.summarize("[" * 1025 + "]" * 1025)


def test_direct_array_reaches_depth_1024_without_the_c_encoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Encoder(json.JSONEncoder):
        def encode(self, o: Any) -> str:
            raise RecursionError("C stack")

    encoder = Encoder(allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    monkeypatch.setattr("telemetry_agg.request._direct_encoder", lambda: encoder)
    deep: Any = [{"status": 201}]  # 2 levels
    for _ in range(1022):
        deep = [deep]
    response, _ = handle(deep)  # 1024 levels, the event object at the bottom
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["invalid_events"] == 1
