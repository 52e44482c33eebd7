"""Write the shared test vectors (tests/vectors/**/*.json) from the table below.

Run it from anywhere: ``python tests/vectors/generate.py``. Every expected answer in this file is
written by hand from docs/contract.md, never computed by an implementation: the script only
builds the inputs that are tedious to type (deep nesting, long strings, base64, gzip streams,
the large events, written beside their vector as NAME.event) and writes one JSON file per
vector (format: README.md).
Rerunning it rewrites the same files; remove a vector here, delete its file by hand.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MIB = 1024 * 1024
LIMIT = 32 * MIB
JSON_HEADERS = {"content-type": "application/json"}

Vector = dict[str, Any]
VECTORS: dict[str, Vector] = {}


def ok(
    total: int,
    invalid: int,
    users: int,
    p95: int,
    top: list[list[Any]],
    statuses: dict[str, int],
) -> dict[str, Any]:
    return {
        "statusCode": 200,
        "headers": JSON_HEADERS,
        "body": {
            "total_events": total,
            "invalid_events": invalid,
            "unique_users": users,
            "p95_duration_ms": p95,
            "top_endpoints": top,
            "status_counts": statuses,
        },
    }


EMPTY = ok(0, 0, 0, 0, [], {})


def err(status: int, code: str, **headers: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {**JSON_HEADERS, **headers},
        "body": {"error": code},
    }


def post(body: Any = None, *, omit_body: bool = False, **extra: Any) -> dict[str, Any]:
    """A Function URL event (payload format 2.0), trimmed to the fields the handler reads."""
    event: dict[str, Any] = {
        "version": "2.0",
        "rawPath": "/",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/"}},
        "isBase64Encoded": False,
    }
    if not omit_body:
        event["body"] = body
    for key, value in extra.items():
        if key == "headers":
            event["headers"] = value
        else:
            event[key] = value
    return event


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def gz_event(data: bytes, encoding: str = "gzip") -> dict[str, Any]:
    return post(
        b64(data),
        isBase64Encoded=True,
        headers={"content-type": "application/json", "content-encoding": encoding},
    )


def add(name: str, rule: str, description: str, event: Any, expect: dict[str, Any]) -> None:
    assert name not in VECTORS, name
    VECTORS[name] = {"description": description, "rule": rule, "event": event, "expect": expect}


def add_file(
    name: str, rule: str, description: str, event_text: bytes, expect: dict[str, Any]
) -> None:
    """A vector whose event lives in a file of its own (large or not plain RFC 8259 JSON)."""
    assert name not in VECTORS, name
    event_name = Path(name).name + ".event"
    VECTORS[name] = {
        "description": description + " (event written by tests/vectors/generate.py)",
        "rule": rule,
        "event_file": event_name,
        "expect": expect,
        "_event_text": event_text,
    }


ONE = '[{"endpoint":"/a","status":200,"duration_ms":7,"user_id":"u1"}]'
ONE_OK = ok(1, 0, 1, 7, [["/a", 1]], {"200": 1})

# ---------------------------------------------------------------- §1 the invocation event
E = "event/"
add(E + "method_post", "§1 method", "POST goes on", post(ONE), ONE_OK)
add(
    E + "method_get",
    "§1 method",
    "GET is 405 with allow: POST",
    post(ONE, requestContext={"http": {"method": "GET"}}),
    err(405, "method_not_allowed", allow="POST"),
)
add(
    E + "method_lower_case",
    "§1 method",
    "methods are case-sensitive: post is not POST",
    post(ONE, requestContext={"http": {"method": "post"}}),
    err(405, "method_not_allowed", allow="POST"),
)
add(
    E + "method_number",
    "§1 method",
    "a method that is not a string is 405",
    post(ONE, requestContext={"http": {"method": 42}}),
    err(405, "method_not_allowed", allow="POST"),
)
add(
    E + "method_empty_string",
    "§1 method",
    "an empty method is present and not POST",
    post(ONE, requestContext={"http": {"method": ""}}),
    err(405, "method_not_allowed", allow="POST"),
)
add(
    E + "method_null",
    "§1 method",
    "a null method counts as absent: a direct invocation",
    post(ONE, requestContext={"http": {"method": None}}),
    ONE_OK,
)
add(
    E + "method_absent",
    "§1 method",
    "no requestContext: a direct invocation goes on",
    {"body": ONE},
    ONE_OK,
)
add(
    E + "method_context_not_object",
    "§1 method",
    "requestContext that is not an object: no method",
    {"requestContext": "GET", "body": ONE},
    ONE_OK,
)
add(
    E + "method_http_not_object",
    "§1 method",
    "requestContext.http that is not an object: no method",
    {"requestContext": {"http": ["GET"]}, "body": ONE},
    ONE_OK,
)
add(
    E + "method_before_body",
    "§1 method",
    "the method is checked before the body",
    post(5, requestContext={"http": {"method": "PUT"}}),
    err(405, "method_not_allowed", allow="POST"),
)

add(E + "body_absent", "§1 body", "an absent body is an empty batch", post(omit_body=True), EMPTY)
add(E + "body_null", "§1 body", "a null body is an empty batch", post(None), EMPTY)
add(E + "body_empty", "§1 body", "an empty body is an empty batch", post(""), EMPTY)
add(
    E + "body_number",
    "§1 body",
    "a body that is a number is invalid_event",
    post(5),
    err(400, "invalid_event"),
)
add(
    E + "body_object",
    "§1 body",
    "a body that is an object is invalid_event",
    post({"a": 1}),
    err(400, "invalid_event"),
)
add(
    E + "body_array",
    "§1 body",
    "a body that is an array is invalid_event (even a batch)",
    post([{"status": 200}]),
    err(400, "invalid_event"),
)
add(
    E + "body_true",
    "§1 body",
    "a body that is a boolean is invalid_event",
    post(True),
    err(400, "invalid_event"),
)
add(
    E + "body_lone_surrogate",
    "§1 body",
    "a body string holding a lone surrogate cannot be UTF-8: invalid_json",
    post('["\ud800"]'),
    err(400, "invalid_json"),
)
add(
    E + "body_whitespace",
    "§1 body",
    "a body of white space only is not empty: it is not JSON",
    post(" \n"),
    err(400, "invalid_json"),
)

add(
    E + "direct_array",
    "§1 direct",
    "a direct invocation whose event is an array is the batch",
    [{"endpoint": "/a", "status": 200, "duration_ms": 7, "user_id": "u1"}],
    ONE_OK,
)
add(E + "direct_empty_array", "§1 direct", "an empty array event is an empty batch", [], EMPTY)
add(
    E + "direct_array_of_junk",
    "§1 direct",
    "an array event's elements are events like any other",
    [1, "x", None, {"status": 201}],
    ok(4, 3, 0, 0, [["unknown", 1]], {"201": 1}),
)
add(
    E + "direct_array_lone_surrogate",
    "§1 direct",
    "an array event holding a lone surrogate is invalid_json, as the raw bytes are",
    [{"endpoint": "\udc00"}],
    err(400, "invalid_json"),
)
add_file(
    E + "direct_array_nan",
    "§1 direct",
    "an array event holding NaN is invalid_json, as the raw bytes are",
    b'[{"duration_ms": NaN}]',
    err(400, "invalid_json"),
)
add(
    E + "direct_array_with_body_key",
    "§1 direct",
    "an array event is the batch even when its objects look like events",
    [{"body": "[]"}],
    ok(1, 0, 0, 0, [["unknown", 1]], {"unknown": 1}),
)
add(
    E + "event_string",
    "§1 shape",
    "an event that is a string is expected_array",
    "[]",
    err(400, "expected_array"),
)
add(
    E + "event_number",
    "§1 shape",
    "an event that is a number is expected_array",
    5,
    err(400, "expected_array"),
)
add(
    E + "event_null",
    "§1 shape",
    "an event that is null is expected_array",
    None,
    err(400, "expected_array"),
)
add(
    E + "event_false",
    "§1 shape",
    "an event that is false is expected_array",
    False,
    err(400, "expected_array"),
)
add(
    E + "event_empty_object",
    "§1 shape",
    "an empty object event: no method, no body, empty batch",
    {},
    EMPTY,
)

# base64
add(
    E + "base64_valid",
    "§1 base64",
    "a base64 body is decoded first",
    post(b64(ONE.encode()), isBase64Encoded=True),
    ONE_OK,
)
add(
    E + "base64_empty",
    "§1 base64",
    "an empty base64 body is an empty batch",
    post("", isBase64Encoded=True),
    EMPTY,
)
add(
    E + "base64_flag_string",
    "§1 base64",
    'isBase64Encoded "true" is not true: the body is read as is',
    post("W10=", isBase64Encoded="true"),
    err(400, "invalid_json"),
)
add(
    E + "base64_flag_one",
    "§1 base64",
    "isBase64Encoded 1 is not true: the body is read as is",
    post("[]", isBase64Encoded=1),
    EMPTY,
)
add(
    E + "base64_flag_null",
    "§1 base64",
    "isBase64Encoded null is not true",
    post("[]", isBase64Encoded=None),
    EMPTY,
)
add(
    E + "base64_bad_character",
    "§1 base64",
    "a character outside the alphabet is invalid_base64",
    post("W10*", isBase64Encoded=True),
    err(400, "invalid_base64"),
)
add(
    E + "base64_url_alphabet",
    "§1 base64",
    "the URL-safe alphabet (- and _) is not standard base64",
    post("W3_-", isBase64Encoded=True),
    err(400, "invalid_base64"),
)
add(
    E + "base64_missing_padding",
    "§1 base64",
    "padding is required",
    post("W10", isBase64Encoded=True),
    err(400, "invalid_base64"),
)
add(
    E + "base64_newline",
    "§1 base64",
    "a line break is not allowed",
    post("W10=\n", isBase64Encoded=True),
    err(400, "invalid_base64"),
)
add(
    E + "base64_space",
    "§1 base64",
    "a space is not allowed",
    post("W1 0=", isBase64Encoded=True),
    err(400, "invalid_base64"),
)
add(
    E + "base64_data_after_padding",
    "§1 base64",
    "nothing may follow the padding",
    post("W10=W10=", isBase64Encoded=True),
    err(400, "invalid_base64"),
)
add(
    E + "base64_three_pad",
    "§1 base64",
    "three padding characters are invalid",
    post("W===", isBase64Encoded=True),
    err(400, "invalid_base64"),
)
add(
    E + "base64_pad_only",
    "§1 base64",
    "a lone = is invalid",
    post("=", isBase64Encoded=True),
    err(400, "invalid_base64"),
)
add(
    E + "base64_trailing_bits",
    "§1 base64",
    "bits left over in the last character are ignored: W11= is []",
    post("W11=", isBase64Encoded=True),
    EMPTY,
)
add(
    E + "base64_invalid_utf8",
    "§2 utf-8",
    "invalid UTF-8 carried in base64 is invalid_json",
    post(b64(b'[{"endpoint":"\xff"}]'), isBase64Encoded=True),
    err(400, "invalid_json"),
)


# content encoding
def enc(value: Any, body: str = "[]", *, b64body: bool = False) -> dict[str, Any]:
    return post(
        body,
        isBase64Encoded=b64body,
        headers={"content-type": "application/json", "content-encoding": value},
    )


add(
    E + "encoding_identity",
    "§1 encoding",
    "identity is the body as is",
    enc("identity", ONE),
    ONE_OK,
)
add(
    E + "encoding_identity_case",
    "§1 encoding",
    "content codings are case-insensitive and trimmed",
    enc(" IDENTITY\t", ONE),
    ONE_OK,
)
add(
    E + "encoding_null",
    "§1 encoding",
    "a null content-encoding counts as absent",
    enc(None, ONE),
    ONE_OK,
)
add(
    E + "encoding_br",
    "§1 encoding",
    "br is unsupported",
    enc("br"),
    err(415, "unsupported_encoding"),
)
add(
    E + "encoding_x_gzip",
    "§1 encoding",
    "x-gzip is unsupported",
    enc("x-gzip"),
    err(415, "unsupported_encoding"),
)
add(
    E + "encoding_empty",
    "§1 encoding",
    "an empty content-encoding is unsupported",
    enc(""),
    err(415, "unsupported_encoding"),
)
add(
    E + "encoding_list",
    "§1 encoding",
    "a list of codings is unsupported",
    enc("gzip, identity"),
    err(415, "unsupported_encoding"),
)
add(
    E + "encoding_number",
    "§1 encoding",
    "a content-encoding that is not a string is unsupported",
    enc(1),
    err(415, "unsupported_encoding"),
)
add(
    E + "encoding_header_name_case",
    "§1 encoding",
    "the header name is matched case-insensitively",
    post("[]", headers={"Content-Encoding": "br"}),
    err(415, "unsupported_encoding"),
)
add(
    E + "encoding_exact_name_wins",
    "§1 encoding",
    "content-encoding spelled exactly wins over other spellings",
    post(ONE, headers={"Content-Encoding": "br", "content-encoding": "identity"}),
    ONE_OK,
)
add(
    E + "encoding_first_spelling_br",
    "§1 encoding",
    "without the exact name, the first other spelling in the event's order counts (br: 415)",
    post("[]", headers={"Content-Encoding": "br", "CONTENT-ENCODING": "gzip"}),
    err(415, "unsupported_encoding"),
)
add(
    E + "encoding_first_spelling_gzip",
    "§1 encoding",
    "without the exact name, the first other spelling in the event's order counts (gzip first)",
    post("[]", headers={"CONTENT-ENCODING": "gzip", "Content-Encoding": "br"}),
    err(400, "invalid_encoding"),
)
add(
    E + "encoding_headers_not_object",
    "§1 encoding",
    "headers that are not an object count as no headers",
    post(ONE, headers=["content-encoding", "br"]),
    ONE_OK,
)
add(
    E + "encoding_before_base64",
    "§1 encoding",
    "the encoding is checked before base64",
    enc("br", "not base64!", b64body=True),
    err(415, "unsupported_encoding"),
)
add(
    E + "encoding_before_empty",
    "§1 encoding",
    "an unsupported encoding is 415 even with an empty body",
    enc("br", ""),
    err(415, "unsupported_encoding"),
)
add(
    E + "encoding_before_null_body",
    "§1 encoding",
    "a null body is an empty batch only once the encoding is known to be supported",
    post(None, headers={"content-encoding": "br"}),
    err(415, "unsupported_encoding"),
)
add(E + "gzip_valid", "§1 gzip", "a gzip body is inflated", gz_event(gz(ONE.encode())), ONE_OK)
add(E + "gzip_case", "§1 gzip", "GZIP is gzip", gz_event(gz(ONE.encode()), " GZip "), ONE_OK)
add(
    E + "gzip_empty_body",
    "§1 gzip",
    "an empty body is an empty batch, whatever the encoding",
    enc("gzip", ""),
    EMPTY,
)
add(
    E + "gzip_not_gzip",
    "§1 gzip",
    "bytes that are not gzip are invalid_encoding",
    enc("gzip", "[]"),
    err(400, "invalid_encoding"),
)
_g = gz(ONE.encode())
add(
    E + "gzip_truncated",
    "§1 gzip",
    "a truncated gzip member is invalid_encoding",
    gz_event(_g[:-6]),
    err(400, "invalid_encoding"),
)
add(
    E + "gzip_header_only",
    "§1 gzip",
    "a gzip header alone is invalid_encoding",
    gz_event(_g[:10]),
    err(400, "invalid_encoding"),
)
_bad_crc = bytearray(_g)
_bad_crc[-8] ^= 0xFF
add(
    E + "gzip_bad_crc",
    "§1 gzip",
    "a wrong CRC-32 is invalid_encoding",
    gz_event(bytes(_bad_crc)),
    err(400, "invalid_encoding"),
)
_bad_len = bytearray(_g)
_bad_len[-4] ^= 0x01
add(
    E + "gzip_bad_length",
    "§1 gzip",
    "a wrong length (ISIZE) is invalid_encoding",
    gz_event(bytes(_bad_len)),
    err(400, "invalid_encoding"),
)
add(
    E + "gzip_trailing_garbage",
    "§1 gzip",
    "bytes after the last member that are not a member: invalid_encoding",
    gz_event(_g + b"garbage!"),
    err(400, "invalid_encoding"),
)
add(
    E + "gzip_trailing_zeros",
    "§1 gzip",
    "zero bytes after the last member are invalid_encoding",
    gz_event(_g + b"\0\0\0\0"),
    err(400, "invalid_encoding"),
)
add(
    E + "gzip_two_members",
    "§1 gzip",
    "two gzip members make one document",
    gz_event(gz(b'[{"status":200,"user_id":1},') + gz(b'{"status":201,"user_id":"1"}]')),
    ok(2, 0, 1, 0, [["unknown", 2]], {"200": 1, "201": 1}),
)
add(
    E + "gzip_inflates_to_nothing",
    "§1 gzip",
    "a member that inflates to nothing leaves no document: invalid_json",
    gz_event(gz(b"")),
    err(400, "invalid_json"),
)
add(
    E + "gzip_of_invalid_json",
    "§1 gzip",
    "the inflated document still follows §2",
    gz_event(gz(b"[1,]")),
    err(400, "invalid_json"),
)

# limits: generated, large; the zero bomb and the exact-limit documents compress about 1000:1
_event = b'{"endpoint":"/a","status":200,"duration_ms":7,"user_id":"u1"}'


def _doc(size: int) -> bytes:
    head = b"[" + _event
    return head + b" " * (size - len(head) - 1) + b"]"


def _event_text(event: dict[str, Any]) -> bytes:
    return json.dumps(event, indent=1).encode("ascii")


add_file(
    E + "gzip_exactly_32_mib",
    "§1 limit",
    "a gzip stream that inflates to exactly 33554432 bytes is accepted",
    _event_text(gz_event(gz(_doc(LIMIT)))),
    ONE_OK,
)
add_file(
    E + "gzip_32_mib_plus_one",
    "§1 limit",
    "a gzip stream that inflates to 33554433 bytes is payload_too_large",
    _event_text(gz_event(gz(_doc(LIMIT + 1)))),
    err(413, "payload_too_large"),
)
add_file(
    E + "gzip_bomb_then_garbage",
    "§1 limit",
    "a gzip bomb (33 MiB of zero bytes) is payload_too_large, whatever follows it",
    _event_text(gz_event(gz(bytes(33 * MIB)) + b"not gzip")),
    err(413, "payload_too_large"),
)
add_file(
    E + "gzip_two_members_over_limit",
    "§1 limit",
    "the limit counts every member: two members of 17 MiB each are payload_too_large",
    _event_text(gz_event(gz(b" " * (17 * MIB)) + gz(b" " * (17 * MIB)))),
    err(413, "payload_too_large"),
)

# ---------------------------------------------------------------- §2 the document
D = "document/"
add(
    D + "not_json",
    "§2 json",
    "text that is not JSON is invalid_json",
    post("hello"),
    err(400, "invalid_json"),
)
add(
    D + "white_space_around",
    "§2 json",
    "white space around the array is allowed",
    post(" \t\r\n[]\n "),
    EMPTY,
)
add(
    D + "trailing_data",
    "§2 json",
    "anything after the document is invalid_json",
    post("[] x"),
    err(400, "invalid_json"),
)
add(
    D + "two_documents",
    "§2 json",
    "two arrays are not one document",
    post("[][]"),
    err(400, "invalid_json"),
)
add(
    D + "trailing_comma",
    "§2 json",
    "a trailing comma is invalid_json",
    post("[{},]"),
    err(400, "invalid_json"),
)
add(
    D + "single_quotes",
    "§2 json",
    "single quotes are invalid_json",
    post("[{'status':200}]"),
    err(400, "invalid_json"),
)
add(
    D + "unclosed",
    "§2 json",
    "an unclosed array is invalid_json",
    post('[{"status":200}'),
    err(400, "invalid_json"),
)
add(
    D + "bom_text",
    "§2 bom",
    "a byte-order mark before the document is invalid_json",
    post("\ufeff[]"),
    err(400, "invalid_json"),
)
add(
    D + "bom_base64",
    "§2 bom",
    "a byte-order mark (base64 EF BB BF) is invalid_json",
    post(b64(b"\xef\xbb\xbf[]"), isBase64Encoded=True),
    err(400, "invalid_json"),
)
add(
    D + "utf8_invalid_byte",
    "§2 utf-8",
    "an invalid UTF-8 byte is invalid_json",
    post(b64(b'[{"user_id":"a\xfeb"}]'), isBase64Encoded=True),
    err(400, "invalid_json"),
)
add(
    D + "utf8_encoded_surrogate",
    "§2 utf-8",
    "an encoded surrogate (ED A0 80) is invalid_json",
    post(b64(b'[{"user_id":"\xed\xa0\x80"}]'), isBase64Encoded=True),
    err(400, "invalid_json"),
)
add(
    D + "utf8_overlong",
    "§2 utf-8",
    "an overlong form (C0 AF) is invalid_json",
    post(b64(b'[{"user_id":"\xc0\xaf"}]'), isBase64Encoded=True),
    err(400, "invalid_json"),
)
add(
    D + "utf8_in_unknown_field",
    "§2 utf-8",
    "invalid UTF-8 in an unknown field is invalid_json",
    post(b64(b'[{"note":"\xff"}]'), isBase64Encoded=True),
    err(400, "invalid_json"),
)
add(
    D + "utf8_valid_multibyte",
    "§2 utf-8",
    "valid multi-byte UTF-8 (base64) is fine",
    post(b64('[{"endpoint":"/caf\u00e9","user_id":"\U0001f600"}]'.encode()), isBase64Encoded=True),
    ok(1, 0, 1, 0, [["/caf\u00e9", 1]], {"unknown": 1}),
)
add(
    D + "control_char_in_string",
    "§2 control",
    "an unescaped control character inside a string is invalid_json",
    post('[{"endpoint":"/a\u0001b"}]'),
    err(400, "invalid_json"),
)
add(
    D + "tab_in_string",
    "§2 control",
    "an unescaped tab inside a string is invalid_json",
    post('[{"endpoint":"/a\tb"}]'),
    err(400, "invalid_json"),
)
add(
    D + "escaped_control_char",
    "§2 control",
    "an escaped control character is fine",
    post('[{"endpoint":"/a\\u0001b\\t"}]'),
    ok(1, 0, 0, 0, [["/a\u0001b\t", 1]], {"unknown": 1}),
)
add(
    D + "lone_high_surrogate",
    "§2 surrogate",
    "a lone high surrogate escape is invalid_json",
    post('[{"endpoint":"\\ud800"}]'),
    err(400, "invalid_json"),
)
add(
    D + "lone_low_surrogate",
    "§2 surrogate",
    "a lone low surrogate escape is invalid_json",
    post('[{"endpoint":"\\udc00"}]'),
    err(400, "invalid_json"),
)
add(
    D + "high_surrogate_then_letter",
    "§2 surrogate",
    "a high surrogate escape followed by a letter is invalid_json",
    post('[{"endpoint":"\\ud800x"}]'),
    err(400, "invalid_json"),
)
add(
    D + "high_surrogate_then_bmp_escape",
    "§2 surrogate",
    "a high surrogate escape followed by a non-surrogate escape is invalid_json",
    post('[{"endpoint":"\\ud800\\u0041"}]'),
    err(400, "invalid_json"),
)
add(
    D + "reversed_surrogate_pair",
    "§2 surrogate",
    "a low then a high surrogate escape is invalid_json",
    post('[{"endpoint":"\\ude00\\ud83d"}]'),
    err(400, "invalid_json"),
)
add(
    D + "lone_surrogate_in_key",
    "§2 surrogate",
    "a lone surrogate escape in a key is invalid_json",
    post('[{"\\ud800":1}]'),
    err(400, "invalid_json"),
)
add(
    D + "lone_surrogate_in_unknown_field",
    "§2 surrogate",
    "a lone surrogate escape in an unknown field is invalid_json",
    post('[{"note":["\\udfff"]}]'),
    err(400, "invalid_json"),
)
add(
    D + "surrogate_pair",
    "§2 surrogate",
    "a correct surrogate pair escape is one code point",
    post('[{"endpoint":"\\ud83d\\ude00","user_id":"\\ud83d\\ude00"}]'),
    ok(1, 0, 1, 0, [["\U0001f600", 1]], {"unknown": 1}),
)
add(
    D + "nan",
    "§2 literal",
    "NaN is invalid_json",
    post('[{"duration_ms":NaN}]'),
    err(400, "invalid_json"),
)
add(
    D + "infinity",
    "§2 literal",
    "Infinity is invalid_json",
    post('[{"duration_ms":Infinity}]'),
    err(400, "invalid_json"),
)
add(
    D + "minus_infinity",
    "§2 literal",
    "-Infinity is invalid_json",
    post('[{"x":-Infinity}]'),
    err(400, "invalid_json"),
)
add(
    D + "leading_zero",
    "§2 literal",
    "a leading zero is invalid_json",
    post('[{"status":0200}]'),
    err(400, "invalid_json"),
)
add(
    D + "plus_sign",
    "§2 literal",
    "a leading + is invalid_json",
    post('[{"status":+1}]'),
    err(400, "invalid_json"),
)
add(
    D + "bare_fraction",
    "§2 literal",
    ".5 is invalid_json",
    post('[{"duration_ms":.5}]'),
    err(400, "invalid_json"),
)
add(
    D + "trailing_dot",
    "§2 literal",
    "1. is invalid_json",
    post('[{"duration_ms":1.}]'),
    err(400, "invalid_json"),
)
add(
    D + "capital_true",
    "§2 literal",
    "True is invalid_json",
    post("[True]"),
    err(400, "invalid_json"),
)
add(
    D + "overflow_float",
    "§2 overflow",
    "1e400 overflows a double: invalid_json",
    post('[{"duration_ms":1e400}]'),
    err(400, "invalid_json"),
)
add(
    D + "overflow_in_unknown_field",
    "§2 overflow",
    "an overflowing number in an unknown field is invalid_json",
    post('[{"x":{"y":[-1e400]}}]'),
    err(400, "invalid_json"),
)
add(
    D + "overflow_integer_literal",
    "§2 overflow",
    "an integer literal of 400 digits overflows: invalid_json",
    post('[{"x":' + "9" * 400 + "}]"),
    err(400, "invalid_json"),
)
add(
    D + "overflow_integer_status",
    "§2 overflow",
    "an integer literal of 310 digits as status overflows: invalid_json",
    post('[{"status":1' + "0" * 309 + "}]"),
    err(400, "invalid_json"),
)
add(
    D + "largest_double",
    "§2 overflow",
    "1.7976931348623158e308 rounds to the largest double: valid JSON, a duration out of range",
    post('[{"duration_ms":1.7976931348623158e308},{"x":-1.7976931348623157e308}]'),
    ok(2, 1, 0, 0, [["unknown", 1]], {"unknown": 1}),
)
add(
    D + "just_past_largest_double",
    "§2 overflow",
    "1.7976931348623159e308 rounds to infinity: invalid_json",
    post('[{"x":1.7976931348623159e308}]'),
    err(400, "invalid_json"),
)
add(
    D + "underflow",
    "§2 overflow",
    "1e-400 underflows to 0: a valid duration of 0",
    post('[{"duration_ms":1e-400,"status":200}]'),
    ok(1, 0, 0, 0, [["unknown", 1]], {"200": 1}),
)
add(
    D + "big_integer_not_overflowing",
    "§2 overflow",
    "a 30-digit integer literal fits a double: valid JSON, a status out of range",
    post('[{"status":100000000000000000000000000000},{"x":100000000000000000000000000000}]'),
    ok(2, 1, 0, 0, [["unknown", 1]], {"unknown": 1}),
)

add(
    D + "depth_1024_arrays",
    "§2 depth",
    "1024 nested arrays is valid: the inner arrays make one invalid event",
    post("[" * 1024 + "]" * 1024),
    ok(1, 1, 0, 0, [], {}),
)
add(
    D + "depth_1025_arrays",
    "§2 depth",
    "1025 nested arrays is invalid_json",
    post("[" * 1025 + "]" * 1025),
    err(400, "invalid_json"),
)
_objs_1024 = "[" + '{"x":' * 1022 + "{}" + "}" * 1022 + "]"  # 1 array + 1023 objects = 1024 levels
_objs_1025 = "[" + '{"x":' * 1023 + "{}" + "}" * 1023 + "]"
add(
    D + "depth_1024_objects",
    "§2 depth",
    "an event whose unknown field nests objects to level 1024 is valid",
    post(_objs_1024),
    ok(1, 0, 0, 0, [["unknown", 1]], {"unknown": 1}),
)
add(
    D + "depth_1025_objects",
    "§2 depth",
    "objects nested to level 1025 are invalid_json",
    post(_objs_1025),
    err(400, "invalid_json"),
)
add(
    D + "depth_1025_in_second_event",
    "§2 depth",
    "depth is checked in every event, not only the first",
    post('[{"status":200},' + "[" * 1024 + "]" * 1024 + "]"),
    err(400, "invalid_json"),
)

add(
    D + "expected_array_object",
    "§2 array",
    "an object document is expected_array",
    post('{"status":200}'),
    err(400, "expected_array"),
)
add(
    D + "expected_array_string",
    "§2 array",
    "a string document is expected_array",
    post('"[]"'),
    err(400, "expected_array"),
)
add(
    D + "expected_array_number",
    "§2 array",
    "a number document is expected_array",
    post("42"),
    err(400, "expected_array"),
)
add(
    D + "expected_array_true",
    "§2 array",
    "true is expected_array",
    post("true"),
    err(400, "expected_array"),
)
add(
    D + "expected_array_null",
    "§2 array",
    "null is expected_array",
    post(" null "),
    err(400, "expected_array"),
)
add(
    D + "invalid_json_before_expected_array",
    "§2 array",
    "an object with trailing data is invalid_json first",
    post("{} x"),
    err(400, "invalid_json"),
)
add(
    D + "duplicate_key_last_wins",
    "§2 duplicates",
    "the last duplicate wins, whatever the earlier held",
    post('[{"status":"bad","status":200,"endpoint":5,"endpoint":"/a"}]'),
    ok(1, 0, 0, 0, [["/a", 1]], {"200": 1}),
)
add(
    D + "duplicate_key_last_invalid",
    "§2 duplicates",
    "a wrong-typed last duplicate makes the event invalid",
    post('[{"status":200,"status":"200"}]'),
    ok(1, 1, 0, 0, [], {}),
)
add(
    D + "duplicate_key_last_null",
    "§2 duplicates",
    "a last duplicate of null makes the field absent",
    post('[{"status":200,"status":null,"user_id":"u1","user_id":null}]'),
    ok(1, 0, 0, 0, [["unknown", 1]], {"unknown": 1}),
)
add(
    D + "duplicate_key_duration",
    "§2 duplicates",
    "the last duration wins",
    post('[{"duration_ms":"x","duration_ms":9.9}]'),
    ok(1, 0, 0, 9, [["unknown", 1]], {"unknown": 1}),
)

# ---------------------------------------------------------------- §3 one event
F = "fields/"
add(
    F + "all_absent",
    "§3",
    "an empty object is a valid event with every default",
    post("[{}]"),
    ok(1, 0, 0, 0, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "all_null",
    "§3",
    "null counts as absent for every field",
    post('[{"endpoint":null,"status":null,"duration_ms":null,"user_id":null}]'),
    ok(1, 0, 0, 0, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "unknown_fields_ignored",
    "§3",
    "unknown fields of any type are ignored",
    post('[{"Status":"x","ENDPOINT":1,"extra":[1,{"a":null}],"status":204}]'),
    ok(1, 0, 0, 0, [["unknown", 1]], {"204": 1}),
)
add(
    F + "non_objects",
    "§3",
    "elements that are not objects are invalid events",
    post('[1,"x",[],null,true,false,-0.5,{"status":200}]'),
    ok(8, 7, 0, 0, [["unknown", 1]], {"200": 1}),
)
add(
    F + "endpoint_empty",
    "§3 endpoint",
    '"" counts as "unknown"',
    post('[{"endpoint":""},{}]'),
    ok(2, 0, 0, 0, [["unknown", 2]], {"unknown": 2}),
)
add(
    F + "endpoint_not_string",
    "§3 endpoint",
    "an endpoint that is not a string is invalid",
    post('[{"endpoint":5},{"endpoint":["/a"]},{"endpoint":true},{"endpoint":{}}]'),
    ok(4, 4, 0, 0, [], {}),
)
add(
    F + "endpoint_1024",
    "§3 endpoint",
    "an endpoint of 1024 code points is valid",
    post('[{"endpoint":"' + "a" * 1024 + '"}]'),
    ok(1, 0, 0, 0, [["a" * 1024, 1]], {"unknown": 1}),
)
add(
    F + "endpoint_1025",
    "§3 endpoint",
    "an endpoint of 1025 code points is invalid",
    post('[{"endpoint":"' + "a" * 1025 + '"}]'),
    ok(1, 1, 0, 0, [], {}),
)
add(
    F + "endpoint_1024_astral",
    "§3 endpoint",
    "1024 astral code points (2048 UTF-16 units, 4096 bytes) is valid: length is in code points",
    post('[{"endpoint":"' + "\U0001f600" * 1024 + '"}]'),
    ok(1, 0, 0, 0, [["\U0001f600" * 1024, 1]], {"unknown": 1}),
)
add(
    F + "endpoint_1025_escaped",
    "§3 endpoint",
    "1025 code points written as escapes is invalid",
    post('[{"endpoint":"' + "\\u00e9" * 1025 + '"}]'),
    ok(1, 1, 0, 0, [], {}),
)
add(
    F + "endpoint_1024_pairs_escaped",
    "§3 endpoint",
    "1024 surrogate-pair escapes are 1024 code points: valid",
    post('[{"endpoint":"' + "\\ud83d\\ude00" * 1024 + '"}]'),
    ok(1, 0, 0, 0, [["\U0001f600" * 1024, 1]], {"unknown": 1}),
)
add(
    F + "endpoint_escapes_decoded",
    "§3 endpoint",
    "escapes are decoded before counting: \\/a is /a",
    post('[{"endpoint":"\\/a"},{"endpoint":"\\u002fa"},{"endpoint":"/a"}]'),
    ok(3, 0, 0, 0, [["/a", 3]], {"unknown": 3}),
)
add(
    F + "endpoint_case_sensitive",
    "§3 endpoint",
    "endpoints are compared exactly",
    post('[{"endpoint":"/A"},{"endpoint":"/a"},{"endpoint":"/a "}]'),
    ok(3, 0, 0, 0, [["/A", 1], ["/a", 1], ["/a ", 1]], {"unknown": 3}),
)

add(
    F + "status_values",
    "§3 status",
    "status counts as the decimal text of its value",
    post('[{"status":200},{"status":-0},{"status":0},{"status":-7},{"status":404}]'),
    ok(5, 0, 0, 0, [["unknown", 5]], {"-7": 1, "0": 2, "200": 1, "404": 1}),
)
add(
    F + "status_int64_bounds",
    "§3 status",
    "the signed 64-bit bounds are valid",
    post('[{"status":9223372036854775807},{"status":-9223372036854775808}]'),
    ok(2, 0, 0, 0, [["unknown", 2]], {"-9223372036854775808": 1, "9223372036854775807": 1}),
)
add(
    F + "status_past_int64",
    "§3 status",
    "one past either 64-bit bound is invalid",
    post(
        '[{"status":9223372036854775808},{"status":-9223372036854775809},{"status":18446744073709551616}]'
    ),
    ok(3, 3, 0, 0, [], {}),
)
add(
    F + "status_wrong_types",
    "§3 status",
    "a status that is not an integer literal is invalid",
    post(
        '[{"status":"200"},{"status":200.0},{"status":2e2},{"status":2E2},{"status":true},'
        '{"status":[200]},{"status":{}},{"status":-0.0},{"status":1.5}]'
    ),
    ok(9, 9, 0, 0, [], {}),
)

add(
    F + "duration_truncation",
    "§3 duration",
    "durations truncate toward zero",
    post('[{"duration_ms":12.9}]'),
    ok(1, 0, 0, 12, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "duration_negative_half",
    "§3 duration",
    "-0.5 truncates to 0",
    post('[{"duration_ms":-0.5}]'),
    ok(1, 0, 0, 0, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "duration_negative",
    "§3 duration",
    "-1.5 truncates to -1",
    post('[{"duration_ms":-1.5}]'),
    ok(1, 0, 0, -1, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "duration_negative_zero",
    "§3 duration",
    "-0.0 is valid and gives 0",
    post('[{"duration_ms":-0.0}]'),
    ok(1, 0, 0, 0, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "duration_exponent",
    "§3 duration",
    "an exponent is fine in a duration: 1.5e2 is 150",
    post('[{"duration_ms":1.5e2}]'),
    ok(1, 0, 0, 150, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "duration_below_2_53",
    "§3 duration",
    "2^53-1 is valid",
    post('[{"duration_ms":9007199254740991}]'),
    ok(1, 0, 0, 9007199254740991, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "duration_minus_below_2_53",
    "§3 duration",
    "-(2^53-1) is valid",
    post('[{"duration_ms":-9007199254740991}]'),
    ok(1, 0, 0, -9007199254740991, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "duration_2_53",
    "§3 duration",
    "2^53 and -2^53 are out of range: invalid",
    post(
        '[{"duration_ms":9007199254740992},{"duration_ms":-9007199254740992},{"duration_ms":9007199254740992.0}]'
    ),
    ok(3, 3, 0, 0, [], {}),
)
add(
    F + "duration_rounds_to_2_53",
    "§3 duration",
    "9007199254740991.5 and 9007199254740993 round to 2^53 as doubles: invalid",
    post(
        '[{"duration_ms":9007199254740991.5},{"duration_ms":9007199254740993},{"duration_ms":1e16}]'
    ),
    ok(3, 3, 0, 0, [], {}),
)
add(
    F + "duration_fraction_below_2_53",
    "§3 duration",
    "9007199254740990.5 is a double below 2^53: 9007199254740990",
    post('[{"duration_ms":9007199254740990.5}]'),
    ok(1, 0, 0, 9007199254740990, [["unknown", 1]], {"unknown": 1}),
)
add(
    F + "duration_wrong_types",
    "§3 duration",
    "a duration that is not a number is invalid",
    post('[{"duration_ms":"5"},{"duration_ms":true},{"duration_ms":[5]},{"duration_ms":{}}]'),
    ok(4, 4, 0, 0, [], {}),
)

add(
    F + "user_id_int_and_string",
    "§3 user_id",
    '42 and "42" are one user; -0 and "0" are one user',
    post('[{"user_id":42},{"user_id":"42"},{"user_id":-0},{"user_id":"0"},{"user_id":"-0"}]'),
    ok(5, 0, 3, 0, [["unknown", 5]], {"unknown": 5}),
)
add(
    F + "user_id_empty",
    "§3 user_id",
    '"" is valid and not counted',
    post('[{"user_id":""},{"user_id":null}]'),
    ok(2, 0, 0, 0, [["unknown", 2]], {"unknown": 2}),
)
add(
    F + "user_id_bounds",
    "§3 user_id",
    "the signed 64-bit bounds are valid, one past is invalid",
    post(
        '[{"user_id":9223372036854775807},{"user_id":-9223372036854775808},'
        '{"user_id":9223372036854775808},{"user_id":-9223372036854775809}]'
    ),
    ok(4, 2, 2, 0, [["unknown", 2]], {"unknown": 2}),
)
add(
    F + "user_id_wrong_types",
    "§3 user_id",
    "a user id that is a float literal, boolean, array or object is invalid",
    post(
        '[{"user_id":1.5},{"user_id":4.2e1},{"user_id":42.0},{"user_id":true},{"user_id":[]},{"user_id":{}}]'
    ),
    ok(6, 6, 0, 0, [], {}),
)
add(
    F + "user_id_unicode",
    "§3 user_id",
    "user ids are compared exactly, code point by code point",
    post(
        '[{"user_id":"\\u00e9"},{"user_id":"e\\u0301"},{"user_id":"\u00e9"},{"user_id":"U1"},{"user_id":"u1"}]'
    ),
    ok(5, 0, 4, 0, [["unknown", 5]], {"unknown": 5}),
)
add(
    F + "one_bad_field_spoils_event",
    "§3",
    "one wrong field makes the whole event count nowhere else",
    post(
        '[{"endpoint":"/a","status":200,"duration_ms":50,"user_id":"u1","x":0},'
        '{"endpoint":"/b","status":500,"duration_ms":999,"user_id":true}]'
    ),
    ok(2, 1, 1, 50, [["/a", 1]], {"200": 1}),
)

# ---------------------------------------------------------------- §4 the answer
A = "answer/"


def durations(values: list[int]) -> str:
    return json.dumps([{"duration_ms": v} for v in values], separators=(",", ":"))


add(
    A + "p95_m1",
    "§4 p95",
    "m = 1: index 0",
    post(durations([42])),
    ok(1, 0, 0, 42, [["unknown", 1]], {"unknown": 1}),
)
add(
    A + "p95_m2",
    "§4 p95",
    "m = 2: index floor(0.95) = 0, the smaller",
    post(durations([9, 3])),
    ok(2, 0, 0, 3, [["unknown", 2]], {"unknown": 2}),
)
add(
    A + "p95_m20",
    "§4 p95",
    "m = 20: index 18 (0.95 x 19 = 18.05), input unsorted",
    post(durations(list(range(20, 0, -1)))),
    ok(20, 0, 0, 19, [["unknown", 20]], {"unknown": 20}),
)
add(
    A + "p95_m21",
    "§4 p95",
    "m = 21: index 19",
    post(durations([21, *range(1, 21)])),
    ok(21, 0, 0, 20, [["unknown", 21]], {"unknown": 21}),
)
add(
    A + "p95_m101",
    "§4 p95",
    "m = 101: index 95, durations 100 down to 0",
    post(durations(list(range(100, -1, -1)))),
    ok(101, 0, 0, 95, [["unknown", 101]], {"unknown": 101}),
)
add(
    A + "p95_m0",
    "§4 p95",
    "no valid events: p95 is 0",
    post('[1,2,{"status":"x"}]'),
    ok(3, 3, 0, 0, [], {}),
)
add(
    A + "p95_ignores_invalid",
    "§4 p95",
    "invalid events' durations do not count",
    post('[{"duration_ms":5},{"duration_ms":1000,"status":"bad"}]'),
    ok(2, 1, 0, 5, [["unknown", 1]], {"unknown": 1}),
)
add(
    A + "p95_negative_and_fractions",
    "§4 p95",
    "durations are truncated before sorting: -1.9 -> -1, 0.9 -> 0",
    post('[{"duration_ms":0.9},{"duration_ms":-1.9}]'),
    ok(2, 0, 0, -1, [["unknown", 2]], {"unknown": 2}),
)
add(
    A + "p95_absent_is_zero",
    "§4 p95",
    "an absent duration counts as 0",
    post('[{},{},{"duration_ms":-3}]'),
    ok(3, 0, 0, 0, [["unknown", 3]], {"unknown": 3}),
)

add(
    A + "top_ties_by_code_point",
    "§4 top",
    "ties are broken by endpoint ascending by code point (B before a)",
    post('[{"endpoint":"a"},{"endpoint":"B"},{"endpoint":"b"},{"endpoint":"a"},{"endpoint":"B"}]'),
    ok(5, 0, 0, 0, [["B", 2], ["a", 2], ["b", 1]], {"unknown": 5}),
)
add(
    A + "top_code_point_not_utf16",
    "§4 top",
    "code point order, not UTF-16 order: U+FF5E sorts before U+1F600",
    post('[{"endpoint":"\U0001f600"},{"endpoint":"\uff5e"}]'),
    ok(2, 0, 0, 0, [["\uff5e", 1], ["\U0001f600", 1]], {"unknown": 2}),
)
add(
    A + "top_five_only",
    "§4 top",
    "at most five endpoints, count descending then endpoint ascending",
    post(
        json.dumps(
            [
                {"endpoint": e}
                for e in ["/g", "/f", "/e", "/d", "/c", "/b", "/a", "/a", "/g", "/unknown"]
            ]
            + [{"endpoint": ""}] * 3
            + [{}],
            separators=(",", ":"),
        )
    ),
    ok(14, 0, 0, 0, [["unknown", 4], ["/a", 2], ["/g", 2], ["/b", 1], ["/c", 1]], {"unknown": 14}),
)
add(
    A + "status_key_order",
    "§4 status",
    "status keys ascend by code point: 1000 before 200, - before digits",
    post('[{"status":200},{"status":1000},{"status":-1},{"status":99},{},{"status":200}]'),
    ok(6, 0, 0, 0, [["unknown", 6]], {"-1": 1, "1000": 1, "200": 2, "99": 1, "unknown": 1}),
)
add(
    A + "unique_users",
    "§4 users",
    "distinct user ids among valid events only",
    post(
        '[{"user_id":"a"},{"user_id":"b"},{"user_id":"a"},{"user_id":"c","status":"x"},{"user_id":"d"}]'
    ),
    ok(5, 1, 3, 0, [["unknown", 4]], {"unknown": 4}),
)
add(
    A + "mixed_batch",
    "§4",
    "a realistic batch: the study's endpoints, statuses, durations and users",
    post(
        json.dumps(
            [
                {"endpoint": "/login", "status": 200, "duration_ms": 120, "user_id": "u_a1b2c3d4"},
                {"endpoint": "/search", "status": 200, "duration_ms": 95, "user_id": "u_e5f6g7h8"},
                {"endpoint": "/login", "status": 401, "duration_ms": 30, "user_id": "u_a1b2c3d4"},
                {
                    "endpoint": "/checkout",
                    "status": 500,
                    "duration_ms": 870,
                    "user_id": "u_zz99yy88",
                },
                {"endpoint": "/feed", "status": 201, "duration_ms": 15.7},
                {"endpoint": "/ping", "status": 200, "duration_ms": 1, "user_id": 7},
                {"endpoint": "/profile", "status": 403, "duration_ms": 240, "user_id": "7"},
                {"endpoint": "/search", "status": 400, "duration_ms": 60, "user_id": "u_e5f6g7h8"},
                "garbage",
                {"endpoint": "/login", "status": "200", "duration_ms": 5},
            ]
        )
    ),
    ok(
        10,
        2,
        4,
        240,
        [["/login", 2], ["/search", 2], ["/checkout", 1], ["/feed", 1], ["/ping", 1]],
        {"200": 3, "201": 1, "400": 1, "401": 1, "403": 1, "500": 1},
    ),
)


# ---------------------------------------------------------------- §5 the stored workload
# Store vectors (folder store/, their own format: README.md "Store vectors"): each runs one or
# more invocations against a DynamoDB API (a real one, a stub that answers what the vector says,
# or a port where nothing listens) with TELEMETRY_AGG_TABLE set, then checks the answers and,
# against a real one, the table's whole content.
STORE_VECTORS: dict[str, Vector] = {}
DDB = "com.amazonaws.dynamodb.v20120810#"
TABLE = {"kind": "dynamodb", "table_exists": True}


def rid(n: int) -> str:
    """A request id shaped as Lambda's (a UUID), fixed so that vectors are reproducible."""
    return f"5e0c1a2b-7d3e-4f60-9a1b-{n:012d}"


def stored(expect: dict[str, Any]) -> dict[str, Any]:
    """A 200 answer with the store on: the same answer, then stored: true (store_ms dropped)."""
    return {**expect, "body": {**expect["body"], "stored": True}}


def unavailable(detail: str) -> dict[str, Any]:
    """503 store_unavailable with the exact detail of its cause class (docs/contract.md §5)."""
    return {
        "statusCode": 503,
        "headers": JSON_HEADERS,
        "body": {"error": "store_unavailable", "detail": detail},
    }


def item(request_id: str, expect: dict[str, Any]) -> dict[str, Any]:
    """The §5 item of a 200 answer in DynamoDB's typed JSON, less language, stored_at and
    expires_at (the runner checks those three by rule). Written from the answer, typed by hand:
    counts and p95 are N, top_endpoints an L of [S, N] Ls, status_counts an M of N."""
    body = expect["body"]
    return {
        "request_id": {"S": request_id},
        "total_events": {"N": str(body["total_events"])},
        "invalid_events": {"N": str(body["invalid_events"])},
        "unique_users": {"N": str(body["unique_users"])},
        "p95_duration_ms": {"N": str(body["p95_duration_ms"])},
        "top_endpoints": {
            "L": [{"L": [{"S": e}, {"N": str(c)}]} for e, c in body["top_endpoints"]]
        },
        "status_counts": {"M": {k: {"N": str(v)} for k, v in body["status_counts"].items()}},
    }


def call(request_id: str, event: Any, expect: dict[str, Any]) -> dict[str, Any]:
    return {"request_id": request_id, "event": event, "expect": expect}


def add_store(
    name: str,
    rule: str,
    description: str,
    server: dict[str, Any],
    invocations: list[dict[str, Any]],
    items: dict[str, Any] | None = None,
) -> None:
    assert name not in STORE_VECTORS, name
    vector: Vector = {
        "description": description,
        "rule": rule,
        "server": server,
        "invocations": invocations,
    }
    if server["kind"] == "dynamodb" and server["table_exists"]:
        vector["items"] = items or {}
    STORE_VECTORS[name] = vector


def stub(*responses: tuple[int, dict[str, Any]]) -> dict[str, Any]:
    """A stub DynamoDB endpoint: one response per HTTP request, in order, the last repeated."""
    return {"kind": "stub", "responses": [{"status": s, "body": b} for s, b in responses]}


def ddb_error(type_: str, message: str) -> dict[str, Any]:
    return {"__type": type_, "message": message}


THROTTLED = (
    "The summary could not be stored (cause: throttled): DynamoDB throttled the write until "
    "the retries ran out. Retry later, or raise the table's capacity."
)
ACCESS_DENIED = (
    "The summary could not be stored (cause: access denied): the function may not write to "
    "the table. Grant its role dynamodb:PutItem on the table named in TELEMETRY_AGG_TABLE."
)
UNREACHABLE = (
    "The summary could not be stored (cause: unreachable): DynamoDB did not answer before the "
    "retries or the invocation's time ran out. Retry later."
)
TABLE_MISSING = (
    "The summary could not be stored (cause: table missing): the table named in "
    "TELEMETRY_AGG_TABLE does not exist in this account and region. Create it, or fix the name."
)
SERVICE_ERROR = (
    "The summary could not be stored (cause: service error): DynamoDB refused the write. "
    "Retry later; if it persists, read the function's log line for the error code."
)

TOO_LARGE = (
    "The summary is too large to store: its DynamoDB item would be over DynamoDB's 400 KB item "
    "limit. Send fewer distinct status values (or shorter endpoints) per request, or split the "
    "batch."
)

S = "store/"
MIXED = next(v for k, v in VECTORS.items() if k == A + "mixed_batch")
add_store(
    S + "stored_one",
    "§5 item",
    "a 200 answer stores its summary first: one item keyed by the request id",
    TABLE,
    [call(rid(1), post(ONE), stored(ONE_OK))],
    {rid(1): item(rid(1), ONE_OK)},
)
add_store(
    S + "stored_mixed_batch",
    "§5 item",
    "top_endpoints is an L of [S endpoint, N count] in the answer's order; status_counts an M",
    TABLE,
    [call(rid(2), MIXED["event"], stored(MIXED["expect"]))],
    {rid(2): item(rid(2), MIXED["expect"])},
)
add_store(
    S + "stored_empty_batch",
    "§5 item",
    "an empty batch is a 200 and is stored too: zero counts, an empty L and an empty M",
    TABLE,
    [call(rid(3), post(omit_body=True), stored(EMPTY))],
    {rid(3): item(rid(3), EMPTY)},
)
add_store(
    S + "stored_direct_invocation",
    "§5 item",
    "a direct invocation (the batch array as the event) is stored like a Function URL request",
    TABLE,
    [call(rid(4), json.loads(ONE), stored(ONE_OK))],
    {rid(4): item(rid(4), ONE_OK)},
)
add_store(
    S + "retried_request_id",
    "§5 condition",
    "the same request id invoked twice (Lambda's retry): 200 both times, one item",
    TABLE,
    [call(rid(5), post(ONE), stored(ONE_OK)), call(rid(5), post(ONE), stored(ONE_OK))],
    {rid(5): item(rid(5), ONE_OK)},
)
add_store(
    S + "errors_write_nothing",
    "§5 errors",
    "an error answer stores nothing; a 200 among them stores only its own item",
    TABLE,
    [
        call(rid(6), post("[1,2,]"), err(400, "invalid_json")),
        call(
            rid(7),
            post(ONE, requestContext={"http": {"method": "GET"}}),
            err(405, "method_not_allowed", allow="POST"),
        ),
        call(rid(8), post('{"a":1}'), err(400, "expected_array")),
        call(rid(9), post("!!", isBase64Encoded=True), err(400, "invalid_base64")),
        call(rid(10), gz_event(b"[]", encoding="br"), err(415, "unsupported_encoding")),
        call(rid(11), post(ONE), stored(ONE_OK)),
    ],
    {rid(11): item(rid(11), ONE_OK)},
)
TOO_MANY = 18_000  # distinct 20-character statuses: each map entry counts 23 bytes (README)
add_store(
    S + "summary_too_large",
    "§5 item size",
    f"{TOO_MANY} distinct 20-character statuses make an item over 400,000 bytes: 413, "
    "nothing stored (the gzip body, base64, is in the .event file)",
    TABLE,
    [
        {
            "request_id": rid(12),
            "event_file": "summary_too_large.event",
            "expect": {
                "statusCode": 413,
                "headers": JSON_HEADERS,
                "body": {"error": "summary_too_large", "detail": TOO_LARGE},
            },
        }
    ],
    {},
)
# One byte over the limit, counted as §5.5 decides: language as "python" and expires_at as 10
# digits whatever the language and the clock. Go's own item is 4 bytes smaller (and 1 to 2
# more when the expiry ends in zeros): counting its real item would store this summary in Go.
EDGE_ENDPOINT = "/edge"
EDGE_STATUSES = 44_400  # distinct 6-digit statuses (100000 + i), one event each
EDGE_OVER = 400_001


def number_bytes(n: int) -> int:
    """§5.5: ceil(d / 2) + 1 bytes for d significant digits (non-negative n here)."""
    digits = len(str(n).strip("0")) or 1
    return (digits + 1) // 2 + 1


def edge_item_bytes(endpoint_len: int) -> int:
    """The decision's count of the edge event's item, by hand (docs/contract.md §5.5)."""
    names = "request_id total_events invalid_events unique_users p95_duration_ms top_endpoints"
    names += " status_counts language stored_at expires_at"
    n = EDGE_STATUSES
    top = 3 + 1 + (3 + (1 + endpoint_len) + (1 + number_bytes(n)))  # [[endpoint, n]]
    statuses = 3 + n * (1 + 6 + number_bytes(1))
    values = len(rid(22)) + number_bytes(n) + 3 * number_bytes(0) + top + statuses
    return len(names.replace(" ", "")) + values + len("python") + 24 + 6


def edge_event() -> bytes:
    """The summary_one_byte_over event: EDGE_STATUSES events on one endpoint whose length
    brings the item to EDGE_OVER bytes."""
    pad = EDGE_OVER - edge_item_bytes(len(EDGE_ENDPOINT))
    assert 0 <= pad < 1000, pad
    endpoint = EDGE_ENDPOINT + "x" * pad
    assert edge_item_bytes(len(endpoint)) == EDGE_OVER
    events = ",".join(
        f'{{"endpoint":"{endpoint}","status":{100_000 + i}}}' for i in range(EDGE_STATUSES)
    )
    return json.dumps(gz_event(gz(f"[{events}]".encode()))).encode()


add_store(
    S + "summary_one_byte_over",
    "§5 item size",
    f"{EDGE_STATUSES} distinct statuses and a padded endpoint make an item of exactly "
    f"{EDGE_OVER:,} bytes as §5.5 counts it (language as python, expires_at as 10 digits, in "
    "both languages and at any time): 413 in both, nothing stored (the event is in the .event "
    "file)",
    TABLE,
    [
        {
            "request_id": rid(22),
            "event_file": "summary_one_byte_over.event",
            "expect": {
                "statusCode": 413,
                "headers": JSON_HEADERS,
                "body": {"error": "summary_too_large", "detail": TOO_LARGE},
            },
        }
    ],
    {},
)
add_store(
    S + "table_missing",
    "§5 failures",
    "the table does not exist (ResourceNotFoundException): 503, cause table missing",
    {"kind": "dynamodb", "table_exists": False},
    [call(rid(13), post(ONE), unavailable(TABLE_MISSING))],
)
add_store(
    S + "access_denied",
    "§5 failures",
    "AccessDeniedException (not retried): 503, cause access denied",
    stub(
        (
            400,
            ddb_error(
                "com.amazon.coral.service#AccessDeniedException",
                "User: arn:aws:sts::123456789012:assumed-role/fn/fn is not authorized to "
                "perform: dynamodb:PutItem on resource: "
                "arn:aws:dynamodb:us-east-1:123456789012:table/summaries",
            ),
        )
    ),
    [call(rid(14), post(ONE), unavailable(ACCESS_DENIED))],
)
add_store(
    S + "unrecognized_client",
    "§5 failures",
    "UnrecognizedClientException (credentials DynamoDB does not know): cause access denied",
    stub(
        (
            400,
            ddb_error(
                "com.amazon.coral.service#UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ),
        )
    ),
    [call(rid(15), post(ONE), unavailable(ACCESS_DENIED))],
)
add_store(
    S + "throttled",
    "§5 failures",
    "ProvisionedThroughputExceededException on every attempt: 503, cause throttled",
    stub(
        (
            400,
            ddb_error(
                DDB + "ProvisionedThroughputExceededException",
                "The level of configured provisioned throughput for the table was exceeded.",
            ),
        )
    ),
    [call(rid(16), post(ONE), unavailable(THROTTLED))],
)
add_store(
    S + "throttling_exception",
    "§5 failures",
    "ThrottlingException on every attempt: 503, cause throttled",
    stub((400, ddb_error("com.amazon.coral.availability#ThrottlingException", "Rate exceeded"))),
    [call(rid(17), post(ONE), unavailable(THROTTLED))],
)
add_store(
    S + "throttled_then_stored",
    "§5 retries",
    "throttled once, then written: the SDK's retry stores it, 200",
    stub(
        (400, ddb_error(DDB + "ProvisionedThroughputExceededException", "Slow down.")),
        (200, {}),
    ),
    [call(rid(18), post(ONE), stored(ONE_OK))],
)
add_store(
    S + "server_error",
    "§5 failures",
    "InternalServerError (500) on every attempt, retried then given up: 503, cause service error",
    stub((500, ddb_error(DDB + "InternalServerError", "Internal server error"))),
    [call(rid(19), post(ONE), unavailable(SERVICE_ERROR))],
)
add_store(
    S + "already_stored",
    "§5 condition",
    "ConditionalCheckFailedException: this request id is stored already, the usual 200",
    stub(
        (400, ddb_error(DDB + "ConditionalCheckFailedException", "The conditional request failed"))
    ),
    [call(rid(20), post(ONE), stored(ONE_OK))],
)
add_store(
    S + "unreachable",
    "§5 failures",
    "nothing listens at the endpoint (connection refused): 503, cause unreachable",
    {"kind": "refused"},
    [call(rid(21), post(ONE), unavailable(UNREACHABLE))],
)


def too_large_event() -> bytes:
    """The summary_too_large event: statuses -9223372036854775808 + i, one event each."""
    low = -(2**63)
    events = ",".join(f'{{"status":{low + i}}}' for i in range(TOO_MANY))
    return json.dumps(gz_event(gz(f"[{events}]".encode()))).encode()


def write(out: Path = HERE) -> int:
    """Write every vector (and its event file) under ``out``; return how many."""
    for name, spec in VECTORS.items():
        vector = dict(spec)
        path = out / (name + ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        event_text = vector.pop("_event_text", None)
        if event_text is not None:
            (path.parent / vector["event_file"]).write_bytes(event_text)
        try:
            text = json.dumps(vector, ensure_ascii=False, indent=2)
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: only an escape can carry it
            data = json.dumps(vector, ensure_ascii=True, indent=2).encode("ascii")
        path.write_bytes(data + b"\n")
    for name, vector in STORE_VECTORS.items():
        path = out / (name + ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(json.dumps(vector, ensure_ascii=False, indent=2).encode() + b"\n")
    (out / S / "summary_too_large.event").write_bytes(too_large_event())
    (out / S / "summary_one_byte_over.event").write_bytes(edge_event())
    return len(VECTORS) + len(STORE_VECTORS)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    print(f"wrote {write(out)} vectors under {out}")


if __name__ == "__main__":
    main()
