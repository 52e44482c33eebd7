"""§1: from an invocation event to the document's bytes.

Method, body, content encoding, base64, gzip and the size limit, in the contract's order.
"""

from __future__ import annotations

import binascii
import zlib
from typing import TYPE_CHECKING, Any, NamedTuple

from telemetry_agg.errors import AggregationError, invalid_json
from telemetry_agg.limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, room_for_max_depth
from telemetry_agg.runtime import loads_event

if TYPE_CHECKING:
    import json
    import re
    from collections.abc import Callable

#: A document: bytes, or text that is all ASCII (so its bytes are its characters).
Document = bytes | str

# json and re are imported where they are used: neither is on a Function URL event's path, and
# each costs milliseconds of a cold start that has not loaded it (json: the lean runtime's).
_base64_pattern: re.Pattern[str] | None = None
_TOO_LARGE = (
    f"The body is larger than {MAX_DOCUMENT_BYTES} bytes (32 MiB) after decoding. "
    "Split the batch into smaller requests."
)


class Request(NamedTuple):
    """What §1 makes of an event: the document (None for an empty batch) and the body's size."""

    document: Document | None
    request_bytes: int


def check_size(document: Document) -> Document:
    """§1 step 8: at most 32 MiB, whatever the encoding (an ASCII str has a byte a character)."""
    if len(document) > MAX_DOCUMENT_BYTES:
        raise AggregationError("payload_too_large", _TOO_LARGE)
    return document


def as_document(text: str) -> Document:
    """A text as a document: ASCII text as it is (no copy), any other text as UTF-8 bytes."""
    return check_size(text if text.isascii() else utf8(text))


def utf8(text: str) -> bytes:
    """A text's UTF-8 bytes; a lone surrogate has none, which §2 calls invalid_json."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_json("it holds a lone surrogate, which has no UTF-8 form") from None


def _method(event: dict[str, Any]) -> Any:
    context = event.get("requestContext")
    if isinstance(context, dict):
        http = context.get("http")
        if isinstance(http, dict):
            return http.get("method")
    return None


def _content_encoding(event: dict[str, Any]) -> str:
    """§1 step 4: "gzip" or "identity", or AggregationError (415)."""
    headers = event.get("headers")
    value: Any = None
    if isinstance(headers, dict):
        if "content-encoding" in headers:
            value = headers["content-encoding"]
        else:
            for name, header in headers.items():
                if isinstance(name, str) and name.lower() == "content-encoding":
                    value = header
                    break
    if value is None:
        return "identity"
    if isinstance(value, str) and value.isascii():
        coding = value.strip(" \t").lower()
        if coding in ("gzip", "identity"):
            return coding
    raise AggregationError(
        "unsupported_encoding",
        "The content-encoding header must be gzip or identity (or absent). "
        "Send the body uncompressed or gzip-compressed.",
    )


def _base64(body: str) -> bytes:
    """§1 step 5: standard alphabet, padding required, no white space."""
    global _base64_pattern  # noqa: PLW0603 - compiled once, at the first base64 body
    if _base64_pattern is None:
        import re  # noqa: PLC0415 - see above

        _base64_pattern = re.compile(r"[A-Za-z0-9+/]*={0,2}")
    if len(body) % 4 == 0 and _base64_pattern.fullmatch(body):
        try:
            return binascii.a2b_base64(body)
        except binascii.Error:  # pragma: no cover - the pattern admits only decodable text
            pass
    raise AggregationError(
        "invalid_base64",
        "isBase64Encoded is true but the body is not valid base64. Encode it with the "
        "standard alphabet (A-Z a-z 0-9 + /), with = padding and no line breaks.",
    )


def gunzip(data: bytes, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """§1 step 7: inflate one or more complete gzip members, never past ``limit`` + 1 bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        member = zlib.decompressobj(wbits=31)
        try:
            chunk = member.decompress(data, limit + 1 - size)
        except zlib.error:
            raise _bad_gzip() from None
        size += len(chunk)
        if size > limit:
            raise AggregationError("payload_too_large", _TOO_LARGE)
        chunks.append(chunk)
        if not member.eof:
            raise _bad_gzip()
        data = member.unused_data
        if not data:
            return b"".join(chunks)


def _bad_gzip() -> AggregationError:
    return AggregationError(
        "invalid_encoding",
        "content-encoding is gzip but the body is not a complete gzip stream (bad header, "
        "corrupt or truncated data, or bytes after the last member). Compress the whole body "
        "with gzip, and set isBase64Encoded with a base64 body when sending binary.",
    )


def _nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and dicts nest more than ``limit`` levels (``value`` itself is level 1)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, list):
            stack.extend((child, depth + 1) for child in item if isinstance(child, list | dict))
        elif isinstance(item, dict):
            stack.extend(
                (child, depth + 1) for child in item.values() if isinstance(child, list | dict)
            )
    return False


def _direct_encoder() -> json.JSONEncoder:
    import json  # noqa: PLC0415 - see above

    return json.JSONEncoder(allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def encode_direct(batch: list[Any]) -> Document:
    """A direct invocation's array event, back to JSON text (no NaN, no lone surrogates)."""
    encoder = _direct_encoder()
    too_deep = invalid_json(f"arrays and objects nest deeper than {MAX_DEPTH} levels")
    try:
        try:
            text = encoder.encode(batch)
        except RecursionError:
            if _nests_deeper_than(batch, MAX_DEPTH):
                raise too_deep from None
            # Within 1024 levels: room for the C encoder, else the pure-Python one (the C
            # encoder has a C-stack limit of its own on 3.12+).
            with room_for_max_depth():
                try:
                    text = encoder.encode(batch)
                except RecursionError:
                    text = "".join(encoder.iterencode(batch))
    except RecursionError:
        raise too_deep from None
    except ValueError:
        raise invalid_json("it holds NaN or Infinity, which JSON has no literal for") from None
    return as_document(text)


_NOT_JSON = (
    "The invocation event is not valid JSON (one UTF-8 JSON text). Invoke with a Function URL "
    "event object, or with the JSON array of events itself."
)
_envelope_decoder: Callable[[bytes], Any] | None = None


def _typed_envelope() -> Callable[[bytes], Any]:
    """A msgspec decoder of the four members §1 reads, made at the first raw event."""
    import msgspec  # noqa: PLC0415 - only the lean runtime's raw events need it

    class Envelope(msgspec.Struct):
        body: Any = None
        base64: Any = msgspec.field(default=None, name="isBase64Encoded")
        headers: Any = None
        context: Any = msgspec.field(default=None, name="requestContext")

    decode = msgspec.json.Decoder(Envelope).decode

    def envelope(data: bytes) -> dict[str, Any]:
        e = decode(data)
        return {
            "body": e.body,
            "isBase64Encoded": e.base64,
            "headers": e.headers,
            "requestContext": e.context,
        }

    return envelope


def decode_event(data: bytes) -> Any:
    """An event's raw JSON bytes, decoded as the Python runtime's own decoder reads them.

    The fast path decodes only what §1 reads (a typed msgspec decode; absent and null members
    mean the same to read_request). Whatever it refuses (an array, NaN, a lone surrogate, a
    byte-order mark, ...) goes to json.loads, which accepts what the stock runtime's decoder
    accepts. The bytes must be UTF-8, as the stock decoder requires: msgspec does not check the
    members it skips, so text that is not ASCII is checked first. An event that is not JSON at
    all is 400 invalid_json (the stock runtime fails before its handler runs).
    """
    global _envelope_decoder  # noqa: PLW0603 - made once, at the first raw event
    try:
        if not data.isascii():
            data.decode("utf-8")
        if _envelope_decoder is None:
            _envelope_decoder = _typed_envelope()
        return _envelope_decoder(data)
    except UnicodeDecodeError:
        raise AggregationError("invalid_json", _NOT_JSON) from None
    except ValueError:  # msgspec's DecodeError and ValidationError are ValueErrors
        pass
    try:
        return loads_event(data)
    except (ValueError, RecursionError):
        raise AggregationError("invalid_json", _NOT_JSON) from None


def read_request(event: Any) -> Request:
    """§1: the document an invocation event carries, or AggregationError.

    ``event`` is the event as the runtime decoded it, or its raw JSON bytes (the lean runtime,
    telemetry_agg.runtime), which decode_event decodes first.
    """
    if isinstance(event, bytes):
        event = decode_event(event)
    if isinstance(event, list):
        document = encode_direct(event)
        return Request(document, len(document))  # ASCII text or bytes: a byte a unit
    if not isinstance(event, dict):
        raise AggregationError(
            "expected_array",
            "The invocation event is neither a Function URL event object nor a JSON array of "
            "events. Invoke with an event object carrying a body, or with the array itself.",
        )

    method = _method(event)
    if method is not None and not (type(method) is str and method == "POST"):
        raise AggregationError(
            "method_not_allowed", "Only POST is accepted. Send the batch as the body of a POST."
        )

    body = event.get("body")
    if body is None:
        body = ""
    elif not isinstance(body, str):
        raise AggregationError(
            "invalid_event",
            "The event's body must be a string (the request body) or null. Put the batch in "
            "the body as JSON text, or invoke with the array itself as the event.",
        )

    coding = _content_encoding(event)
    if event.get("isBase64Encoded") is True:
        raw: Document = _base64(body)
        request_bytes = len(body)
    else:
        raw = body if body.isascii() else utf8(body)  # ASCII text goes on without a copy
        request_bytes = len(raw)
    if not raw:
        return Request(None, request_bytes)
    if coding == "gzip":
        return Request(gunzip(raw.encode("ascii") if isinstance(raw, str) else raw), request_bytes)
    return Request(check_size(raw), request_bytes)
