"""§5, the stored workload: each 200 answer's summary written to DynamoDB first.

On only when ``TELEMETRY_AGG_TABLE`` names a table. Then importing this module (the runtime's
init phase: the handler imports it) imports boto3 and makes the one DynamoDB client of the
execution environment; without the table nothing here imports boto3, so the CPU workload never
pays for it. The handler calls :func:`save` once per 200 answer. Every rule and decision (item,
size rule, cause classes, retries against the deadline) is docs/contract.md §5.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import TYPE_CHECKING, Any, Final

from telemetry_agg.errors import AggregationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from telemetry_agg.summary import Summary

#: The environment variable that turns the store on: the table's name.
TABLE_ENV: Final = "TELEMETRY_AGG_TABLE"
#: The SDK's bounds: each attempt connects within 1 s and reads within 1 s; 3 attempts at most.
CONNECT_TIMEOUT_S: Final = 1.0
READ_TIMEOUT_S: Final = 1.0
MAX_ATTEMPTS: Final = 3
#: What the store step leaves of the invocation's time, to answer and log.
ANSWER_MARGIN_S: Final = 0.2
_ATTEMPT_S: Final = CONNECT_TIMEOUT_S + READ_TIMEOUT_S
#: The largest item we send, by our size rule (docs/contract.md §5.5).
MAX_ITEM_BYTES: Final = 400_000
#: expires_at is stored_at plus this (the table's TTL attribute).
TTL_SECONDS: Final = 7 * 24 * 3600
_CONDITION: Final = "attribute_not_exists(request_id)"

_PREFIX = "The summary could not be stored (cause: "
#: The cause classes of a 503 and their details, the same text in both languages.
DETAILS: Final[dict[str, str]] = {
    "throttled": _PREFIX + "throttled): DynamoDB throttled the write until the retries ran out. "
    "Retry later, or raise the table's capacity.",
    "access denied": _PREFIX + "access denied): the function may not write to the table. "
    "Grant its role dynamodb:PutItem on the table named in TELEMETRY_AGG_TABLE.",
    "table missing": _PREFIX + "table missing): the table named in TELEMETRY_AGG_TABLE does not "
    "exist in this account and region. Create it, or fix the name.",
    "unreachable": _PREFIX + "unreachable): DynamoDB did not answer before the retries or the "
    "invocation's time ran out. Retry later.",
    "service error": _PREFIX + "service error): DynamoDB refused the write. Retry later; if it "
    "persists, read the function's log line for the error code.",
}
TOO_LARGE: Final = (
    "The summary is too large to store: its DynamoDB item would be over DynamoDB's 400 KB item "
    "limit. Send fewer distinct status values (or shorter endpoints) per request, or split the "
    "batch."
)
_CAUSE_BY_CODE: Final = {
    "ProvisionedThroughputExceededException": "throttled",
    "ThrottlingException": "throttled",
    "RequestLimitExceeded": "throttled",
    "AccessDeniedException": "access denied",
    "UnrecognizedClientException": "access denied",
    "InvalidSignatureException": "access denied",
    "MissingAuthenticationTokenException": "access denied",
    "ExpiredTokenException": "access denied",
    "ResourceNotFoundException": "table missing",
}
_ALREADY_STORED: Final = "ConditionalCheckFailedException"


class StoreError(AggregationError):
    """A 200 answer that could not be stored: 503 ``store_unavailable`` (``cause`` one of
    DETAILS, ``sdk_error`` the SDK's error code or exception name, for the log line only) or
    413 ``summary_too_large``."""

    def __init__(self, code: str, detail: str, cause: str | None, sdk_error: str | None) -> None:
        super().__init__(code, detail)
        self.cause = cause
        self.sdk_error = sdk_error


def unavailable(cause: str, sdk_error: str | None) -> StoreError:
    return StoreError("store_unavailable", DETAILS[cause], cause, sdk_error)


# ------------------------------------------------------------------------------- the item
def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def number_size(text: str) -> int:
    """§5.5: ceil(d / 2) + 1 bytes for d significant digits (at least 1), + 1 when negative."""
    digits = len(text.lstrip("+-").replace(".", "").strip("0")) or 1
    return (digits + 1) // 2 + 1 + text.startswith("-")


def value_size(value: Mapping[str, Any]) -> int:
    """§5.5: the size of one typed value (S, N, L or M)."""
    ((kind, content),) = value.items()
    if kind == "S":
        return _utf8_len(content)
    if kind == "N":
        return number_size(content)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + _utf8_len(key) + value_size(v) for key, v in content.items())
    raise ValueError(f"no size rule for DynamoDB type {kind}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """§5.5: an item's size in bytes as we count it (names and values, UTF-8, with overheads)."""
    return sum(_utf8_len(name) + value_size(value) for name, value in item.items())


#: §5.5: the 413 decision counts the two attributes that differ by language or clock alone at
#: their largest: ``language`` as "python" (Go's "go" is 4 bytes shorter) and ``expires_at`` as
#: a 10-digit number with no trailing zero (every epoch second until 2286 has 10 digits, and
#: trailing zeros count nothing), so that both languages, at any time, decide alike.
_COUNTED_AS: Final = {"language": {"S": "python"}, "expires_at": {"N": "9999999999"}}


def decision_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """§5.5: the size the 413 decision reads (never below `item_size`)."""
    return item_size({**item, **_COUNTED_AS})


def build_item(summary: Summary, request_id: str, now_ns: int) -> dict[str, Any]:
    """The §5 item for a summary, built by hand in DynamoDB's typed form (no serializer)."""
    seconds, millis = divmod(now_ns // 1_000_000, 1000)
    stored_at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"
    return {
        "request_id": {"S": request_id},
        "total_events": {"N": str(summary.total_events)},
        "invalid_events": {"N": str(summary.invalid_events)},
        "unique_users": {"N": str(summary.unique_users)},
        "p95_duration_ms": {"N": str(summary.p95_duration_ms)},
        "top_endpoints": {
            "L": [{"L": [{"S": name}, {"N": str(count)}]} for name, count in summary.top_endpoints]
        },
        "status_counts": {"M": {key: {"N": str(n)} for key, n in summary.status_counts.items()}},
        "language": {"S": summary.language},
        "stored_at": {"S": stored_at},
        "expires_at": {"N": str(seconds + TTL_SECONDS)},
    }


# ------------------------------------------------------------------------------ the client
def make_client() -> Any:
    """The DynamoDB client: standard retries, attempts and timeouts bounded (§5.6).

    boto3 is imported here, and only here: never on the CPU workload's path.
    """
    import boto3  # noqa: PLC0415 - only the stored workload pays for the SDK
    from botocore.config import Config  # noqa: PLC0415

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    )
    return boto3.session.Session().client("dynamodb", config=config)


def cause_of(exc: Exception) -> tuple[str, str]:
    """The cause class of a failed PutItem and the SDK's name for it (an error code or an
    exception's class name; never a message, which may quote the item)."""
    from botocore import exceptions  # noqa: PLC0415 - loaded with the client already

    if isinstance(exc, exceptions.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", "")) or "ClientError"
        return _CAUSE_BY_CODE.get(code, "service error"), code
    name = type(exc).__name__
    if isinstance(exc, exceptions.ConnectionError | exceptions.HTTPClientError):
        return "unreachable", name
    if isinstance(exc, exceptions.NoCredentialsError | exceptions.PartialCredentialsError):
        return "access denied", name
    return "service error", name


class Store:
    """One table and the environment's client. One invocation at a time, as Lambda runs them:
    the deadline of the invocation in progress is kept here for the retry guard."""

    def __init__(self, table: str, client: Any) -> None:
        self.table = table
        self.client = client
        self._deadline: float | None = None
        client.meta.events.register("needs-retry.dynamodb.PutItem", self._may_retry)

    def _may_retry(self, attempts: int, **_: Any) -> bool | None:
        """§5.6: stop the retries (False) when the longest back-off before the next attempt,
        the attempt and the margin would not fit before the deadline; else let the standard
        retry mode decide (None). Runs before it: the emitter calls the most specific first."""
        if self._deadline is None:
            return None
        longest_backoff = min(2.0 ** (attempts - 1), 20.0)
        needed = longest_backoff + _ATTEMPT_S + ANSWER_MARGIN_S
        return False if self._deadline - time.monotonic() < needed else None

    def put(self, summary: Summary, request_id: str, remaining_ms: float | None) -> None:
        """Store a summary (StoreError when it cannot be); an item already there is success."""
        item = build_item(summary, request_id, time.time_ns())
        if decision_size(item) > MAX_ITEM_BYTES:
            raise StoreError("summary_too_large", TOO_LARGE, None, None)
        if remaining_ms is not None:
            if remaining_ms / 1000 < _ATTEMPT_S + ANSWER_MARGIN_S:
                raise unavailable("unreachable", "NoTimeLeft")
            self._deadline = time.monotonic() + remaining_ms / 1000
        try:
            self.client.put_item(TableName=self.table, Item=item, ConditionExpression=_CONDITION)
        except Exception as exc:
            cause, sdk_error = cause_of(exc)
            if sdk_error != _ALREADY_STORED:
                raise unavailable(cause, sdk_error) from None
        finally:
            self._deadline = None


# --------------------------------------------------------------- the environment's store
_stores: dict[str, Store] = {}


def current() -> Store | None:
    """The store of this environment: None when TELEMETRY_AGG_TABLE is unset or empty."""
    table = os.environ.get(TABLE_ENV, "")
    return _store_for(table) if table else None


def _store_for(table: str) -> Store:
    """The table's store, its client made once; StoreError (service error) when none can be."""
    if table not in _stores:
        try:
            _stores[table] = Store(table, make_client())
        except Exception as exc:  # no region, a bad endpoint URL: answered 503, never a 500
            raise unavailable("service error", type(exc).__name__) from None
    return _stores[table]


def reset() -> None:
    """Forget the clients made so far (tests: after changing the endpoint or credentials)."""
    _stores.clear()


def _remaining_ms(context: Any) -> float | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return float(remaining()) if callable(remaining) else None


def _request_id(context: Any) -> str:
    request_id = getattr(context, "aws_request_id", None)
    if isinstance(request_id, str) and request_id:
        return request_id
    import uuid  # noqa: PLC0415 - only outside Lambda (no context)

    return str(uuid.uuid4())


def save(summary: Summary, context: Any, record: dict[str, Any]) -> float | None:
    """§5 for one 200 answer: store its summary, return store_ms (None when the store is off).

    Raises StoreError (503 or 413). Fills the log record's store fields (§5.9).
    """
    table = os.environ.get(TABLE_ENV, "")
    if not table:
        return None
    started = time.perf_counter()
    record.update(stored=False, store_ms=None)
    try:
        _store_for(table).put(summary, _request_id(context), _remaining_ms(context))
    except StoreError as exc:
        if exc.cause is not None:  # a 503: logged as a WARNING, with the time spent trying
            record.update(level="WARNING", store_ms=(time.perf_counter() - started) * 1000)
        record.update(store_cause=exc.cause, store_error=exc.sdk_error)
        raise
    except Exception as exc:  # a bug of ours, not the network's: still never a 500
        record.update(level="ERROR", store_cause="service error", store_error=type(exc).__name__)
        raise unavailable("service error", type(exc).__name__) from None
    store_ms = (time.perf_counter() - started) * 1000
    record.update(stored=True, store_ms=store_ms)
    return store_ms


# The runtime's init phase: make the client now when the store is on, so that no request pays
# for importing boto3 (a failure here is answered 503 by each request instead).
with contextlib.suppress(StoreError):
    current()
