"""The Lambda handler (``telemetry_agg.handler.handler``): event -> document -> summary -> response.

It takes Function URL events (payload format 2.0) and direct invocations, always answers in
the Function URL response shape, and writes one JSON log line per invocation (never the
payload). It never raises: every input gets a contract status. Importing it loads the
configured aggregator and its parser and nothing else (no CLI, no entry-point scan unless the
configured name is not a built-in, no AWS SDK unless TELEMETRY_AGG_TABLE turns the store on:
telemetry_agg.store), so the runtime's init phase does that work once, not the first request.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import msgspec

from telemetry_agg import snapstart, store
from telemetry_agg.aggregators import (
    ENV_VAR,
    Aggregator,
    UnknownAggregatorError,
    builtin_aggregators,
    default_aggregator_name,
    get_aggregator,
)
from telemetry_agg.errors import AggregationError, invalid_json
from telemetry_agg.limits import LANGUAGE
from telemetry_agg.request import read_request
from telemetry_agg.runtime import raw_event
from telemetry_agg.summary import Summary

JSON_HEADERS = {"content-type": "application/json"}
# Answers and log lines are encoded by msgspec, which the default aggregator loads anyway: the
# stdlib json module would be 2 ms more of the lean runtime's cold start, which never needs it.
_ENCODE = msgspec.json.Encoder().encode
_ENCODE_LOG = msgspec.json.Encoder(enc_hook=str).encode


_resolved: dict[str, tuple[Aggregator, str | None]] = {}


def _aggregator() -> tuple[Aggregator, str | None]:
    """The configured aggregator; a bad TELEMETRY_AGG_AGGREGATOR falls back to the default.

    Resolved once per setting, so a bad one costs one entry-point scan, not one per request.
    """
    name = default_aggregator_name()
    if name not in _resolved:
        try:
            _resolved[name] = get_aggregator(name), None
        except UnknownAggregatorError as exc:
            _resolved[name] = get_aggregator(builtin_aggregators()[0]), f"{ENV_VAR}: {exc}"
    return _resolved[name]


def respond(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """The Function URL response shape."""
    return {
        "statusCode": status,
        "headers": {**JSON_HEADERS, **(headers or {})},
        "body": _ENCODE(body).decode("utf-8"),
    }


def handle(event: Any, context: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The response and the log record for one invocation (the handler without the printing)."""
    started = time.perf_counter()
    record: dict[str, Any] = {
        "level": "INFO",
        "message": "aggregated",
        "language": LANGUAGE,
        "aggregator": None,
        "status_code": 200,
        "error": None,
        "request_bytes": None,
        "document_bytes": None,
        "total_events": None,
        "invalid_events": None,
        "parse_ms": None,
        "compute_ms": None,
        "request_id": getattr(context, "aws_request_id", None),
    }
    try:
        aggregator, warning = _aggregator()
        record["aggregator"] = aggregator.name
        if warning:
            record["level"], record["warning"] = "WARNING", warning
        request = read_request(event)
        record["request_bytes"] = request.request_bytes
        if request.document is None:
            summary = Summary.empty(aggregator.name)
            record["document_bytes"] = 0
        else:
            record["document_bytes"] = len(request.document)
            summary = aggregator.summarize(request.document)
        compute_ms = (time.perf_counter() - started) * 1000
        store_ms = store.save(summary, context, record)  # §5: None when the store is off
    except AggregationError as exc:
        error = exc
    except Exception as exc:
        # The last line of defence: never a 500. Logged at ERROR so it is found and fixed.
        record["level"], record["exception"] = "ERROR", type(exc).__name__
        error = invalid_json("it could not be read")
    else:
        answer = summary.to_dict()
        answer["compute_ms"] = compute_ms
        if store_ms is not None:
            answer.update(stored=True, store_ms=store_ms)
        record.update(
            total_events=summary.total_events,
            invalid_events=summary.invalid_events,
            parse_ms=summary.parse_ms,
            compute_ms=compute_ms,
        )
        return respond(200, answer), record
    record.update(status_code=error.status, error=error.code)
    record["compute_ms"] = (time.perf_counter() - started) * 1000
    return respond(error.status, error.to_dict(), error.headers), record


@raw_event
def handler(event: Any, context: Any) -> dict[str, Any]:
    """The Lambda entry point: ``telemetry_agg.handler.handler``.

    Marked `raw_event`: the lean runtime (telemetry_agg.runtime) hands it the event's raw JSON
    bytes, which read_request decodes; the stock runtime hands it the decoded event.
    """
    response, record = handle(event, context)
    sys.stdout.write(_ENCODE_LOG(record).decode("utf-8") + "\n")
    sys.stdout.flush()
    return response


# Load the aggregator now, during the runtime's init phase: Lambda expects start-up work there
# (and runs init at full CPU), and the first invocation's latency then holds no import.
_aggregator()


def _before_snapshot() -> None:
    """SnapStart: the aggregator's first use, done before the snapshot (telemetry_agg.snapstart)."""
    _aggregator()[0].summarize(snapstart.PRIME_DOCUMENT)


snapstart.register(_before_snapshot)  # nothing outside Lambda's managed runtime
