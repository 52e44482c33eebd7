"""The one exception of the package: a request the contract answers with an error code."""

from __future__ import annotations

from typing import Final

#: Every error code of the contract (§4) and its HTTP status.
STATUS_BY_CODE: Final[dict[str, int]] = {
    "expected_array": 400,
    "invalid_event": 400,
    "invalid_base64": 400,
    "invalid_encoding": 400,
    "invalid_json": 400,
    "method_not_allowed": 405,
    "payload_too_large": 413,
    "unsupported_encoding": 415,
    # §5, the stored workload only (telemetry_agg.store):
    "summary_too_large": 413,
    "store_unavailable": 503,
}


class AggregationError(ValueError):
    """A request or document the contract rejects.

    ``code`` is the contract's error code, ``status`` its HTTP status, ``detail`` a sentence a
    person can act on (it never quotes the payload).
    """

    def __init__(self, code: str, detail: str) -> None:
        if code not in STATUS_BY_CODE:
            raise KeyError(f"unknown error code {code!r}; add it to STATUS_BY_CODE first")
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.status = STATUS_BY_CODE[code]
        self.detail = detail

    @property
    def headers(self) -> dict[str, str]:
        """The response headers this error carries besides content-type."""
        return {"allow": "POST"} if self.code == "method_not_allowed" else {}

    def to_dict(self) -> dict[str, str]:
        from telemetry_agg.limits import LANGUAGE  # noqa: PLC0415 - tiny, keeps this module leaf

        return {"error": self.code, "detail": self.detail, "language": LANGUAGE}


def invalid_json(reason: str) -> AggregationError:
    """§2: the document is not one strict UTF-8 JSON text; ``reason`` says where and why."""
    return AggregationError(
        "invalid_json",
        f"The body is not valid JSON: {reason}. Send one UTF-8 JSON array of event objects "
        "(RFC 8259: no NaN, no comments, no byte-order mark, at most 1024 levels of nesting).",
    )


def invalid_utf8(offset: int) -> AggregationError:
    """§2: the body's bytes are not UTF-8 from ``offset`` on (the words Go's scanner uses)."""
    return AggregationError(
        "invalid_json", f"The body is not valid UTF-8 at offset {offset}; send UTF-8 text."
    )


def utf8_error(document: bytes | str) -> AggregationError | None:
    """invalid_utf8 at the first byte that is not UTF-8, or None when every byte is."""
    if isinstance(document, str):
        return None
    try:
        document.decode("utf-8")
    except UnicodeDecodeError as exc:
        return invalid_utf8(exc.start)
    return None


def expected_array(found: str) -> AggregationError:
    """§2: valid JSON whose top level is not an array."""
    return AggregationError(
        "expected_array",
        f"The body is JSON but its top level is {found}, not an array. Send a JSON array of "
        'event objects, for example [{"endpoint": "/login", "status": 200}].',
    )


def json_type_name(value: object) -> str:
    """The JSON name of a decoded value, for error details (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
