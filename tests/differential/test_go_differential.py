"""The Go twin against the Python package, on many random and malformed inputs.

Every case is an invocation event. The Go CLI (`build/telemetry-agg -event -lines`) answers all
of them in one process, one event per line; the Python handler (`telemetry_agg.handler.handle`)
answers each under every built-in aggregator. Two answers must agree by docs/contract.md §4:
the same status code and headers; for a 200, equal bodies once `parse_ms`, `compute_ms`,
`language` and `aggregator` are dropped; for an error, the same `error` code.

The cases come from a seeded generator (the same cases on every run, so a failure reproduces)
plus hypothesis, which shrinks a disagreement to a small example.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import random
import shutil
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import ALWAYS_ANSWERED, TIMING_KEYS
from telemetry_agg.aggregators import ENV_VAR, builtin_aggregators
from telemetry_agg.handler import handle

pytestmark = pytest.mark.go

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "telemetry-agg"
SEED = int(os.environ.get("DIFFERENTIAL_SEED", "20261128"))
CASES = int(os.environ.get("DIFFERENTIAL_CASES", "1500"))

ENDPOINTS = ["/login", "/search", "/checkout", "/profile", "/feed", "/ping"]
STATUSES = [200, 200, 200, 201, 400, 401, 403, 500]
JSONValue = Any


@pytest.fixture(scope="session")
def go_cli() -> Path:
    """build/telemetry-agg, built through scripts/build-go.sh (which skips an up-to-date build)."""
    if shutil.which("go") is None and not CLI.exists():
        pytest.skip("Go is not installed and build/telemetry-agg is missing: install Go 1.26+")
    subprocess.run([str(ROOT / "scripts" / "build-go.sh"), "host"], check=True, capture_output=True)
    return CLI


def go_answers(cli: Path, events: list[bytes]) -> list[dict[str, Any]]:
    """Go's responses to raw event texts (each without a newline), one process for all."""
    assert all(b"\n" not in e for e in events)
    proc = subprocess.run(
        [str(cli), "-event", "-lines"],
        input=b"\n".join(events) + b"\n",
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode in (0, 2), proc.stderr.decode(errors="replace")
    lines = proc.stdout.splitlines()
    assert len(lines) == len(events), proc.stderr.decode(errors="replace")
    return [json.loads(line) for line in lines]


def comparable(response: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    """A response reduced to what two agreeing answers share (docs/contract.md §4)."""
    assert set(response) == {"statusCode", "headers", "body"}, response
    body = json.loads(response["body"])
    if response["statusCode"] == 200:
        for key in ALWAYS_ANSWERED:
            assert key in body, (key, body)
        kept = {k: v for k, v in body.items() if k not in TIMING_KEYS}
    else:
        assert isinstance(body.get("detail"), str)
        assert body["detail"]
        kept = {"error": body["error"]}
    return response["statusCode"], response["headers"], kept


def check_agreement(cli: Path, events: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    go = go_answers(cli, events)
    disagreements = []
    for aggregator in builtin_aggregators():
        monkeypatch.setenv(ENV_VAR, aggregator)
        for text, go_response in zip(events, go, strict=True):
            python_response, _ = handle(json.loads(text))
            if comparable(python_response) != comparable(go_response):
                disagreements.append((aggregator, text[:300], python_response, go_response))
    assert not disagreements, (
        f"{len(disagreements)} disagreements; first: aggregator {disagreements[0][0]}\n"
        f"event: {disagreements[0][1]!r}\npython: {disagreements[0][2]}\ngo: {disagreements[0][3]}"
    )


# The generator: events of the study's shape with every kind of odd or wrong field mixed in,
# documents broken in every way §2 names, and events broken in every way §1 names.


def odd_number(rng: random.Random) -> str:
    return rng.choice(
        [
            "0",
            "-0",
            "-0.0",
            "12.9",
            "-0.5",
            "-1.5",
            "1e2",
            "1E+2",
            "100.0",
            "1e-400",
            "9007199254740991",
            "9007199254740992",
            "9007199254740993",
            "-9007199254740991",
            "-9007199254740992",
            "9007199254740991.5",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "1" * rng.randint(20, 330),
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "0.00001e312",
            f"{rng.randint(-(10**18), 10**18)}",
            f"{rng.uniform(-1e16, 1e16)!r}",
            f"{rng.randint(0, 999)}e{rng.randint(-5, 5)}",
        ]
    )


def odd_string(rng: random.Random) -> str:
    """A JSON string literal (with its quotes), often with escapes or unusual characters."""
    pieces = [
        "/a",
        "\\u00e9",
        "é",
        "\\ud83d\\ude00",
        "😀",
        "\\n",
        '\\"',
        "\\\\",
        "\\/",
        "\\u0000",
        "\uffff",
        "\u2028",
        "unknown",
        "\\t",
    ]
    if rng.random() < 0.1:  # at the 1024-code-point limit: one character repeated, or two kinds
        unit = rng.choice(["x", "é", "😀", "\\u00e9", "\\ud83d\\ude00", "\\n"])
        count = rng.choice([1023, 1024, 1025])
        if rng.random() < 0.5:
            return '"' + unit * count + '"'
        return '"' + "é" + unit * (count - 1) + '"'
    n = rng.choice([0, 1, 1, 2, 3])
    return '"' + "".join(rng.choice(pieces) for _ in range(n)) + '"'


def typical_value(rng: random.Random, name: str) -> str:
    """A value as the study's generator writes it."""
    if name == "endpoint":
        return json.dumps(rng.choice(ENDPOINTS))
    if name == "status":
        return str(rng.choice(STATUSES))
    if name == "duration_ms":
        return str(int(rng.expovariate(1 / 120)) + rng.randint(0, 30))
    if rng.random() < 0.7:
        return json.dumps(f"u_{rng.randint(0, 30)}")
    # integer ids and their decimal text are one user (42 and "42"; -0 is "0")
    k = rng.randint(0, 5)
    return rng.choice([str(k), json.dumps(str(k)), "-0"])


def field_value(rng: random.Random, name: str, odd: float) -> str:
    """A field's value: the study's kind, or with probability ``odd`` something unusual."""
    roll = rng.random()
    if roll >= odd:
        return typical_value(rng, name)
    roll /= odd
    if roll < 0.4:
        return odd_number(rng)
    if roll < 0.8:
        return odd_string(rng)
    return rng.choice(
        ["null", "true", "false", "[]", "{}", '[{"status": 200}]', '{"a": [1, {"b": null}]}']
    )


def event_object(rng: random.Random, odd: float, present: float) -> str:
    """An event with each field present with probability ``present``, odd ones mixed in."""
    names = ["endpoint", "status", "duration_ms", "user_id"]
    members = [
        f"{json.dumps(n)}: {field_value(rng, n, odd)}" for n in names if rng.random() < present
    ]
    if rng.random() < odd / 2:  # a duplicate key: the last one wins
        n = rng.choice(names)
        members.append(f"{json.dumps(n)}: {field_value(rng, n, odd)}")
    if rng.random() < odd / 2:  # a key spelt with an escape, or another case
        members.append(rng.choice(['"st\\u0061tus": 201', '"Status": "x"', '"user_\\u0069d": 7']))
    if rng.random() < odd / 2:
        members.append(f'"extra": {rng.choice([odd_number(rng), odd_string(rng), "[[[]]]"])}')
    rng.shuffle(members)
    return "{" + ", ".join(members) + "}"


def batch(rng: random.Random, n: int) -> str:
    """Either wild (fields often missing or odd, non-objects mixed in) or the study's shape
    (every field present) with a few odd values: the Python aggregators take different paths
    for the two, and both must agree with Go."""
    if rng.random() < 0.5:
        odd, present, non_objects = 0.4, 0.85, 0.15
    else:
        odd, present = rng.choice([0.0, 0.01, 0.05, 0.2]), 1.0
        non_objects = odd / 4
    elements = []
    for _ in range(n):
        if rng.random() >= non_objects:
            elements.append(event_object(rng, odd, present))
        else:
            elements.append(rng.choice(["1", '"x"', "null", "true", "[]", "[{}]", odd_number(rng)]))
    return "[" + ", ".join(elements) + "]"


BREAKERS = [
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"\xef\xbb\xbf",
    b"\x01",
    b"\xff",
    b"\xed\xa0\x80",
    b"\xc0\x80",
    b"\xe0\x80\x80",
    b"\xf0\x80\x80\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
    b"\xed\x9f\xbf",
    b"\xf0\x9f\x98\x80",
    b'"\\ud800"',
    b'"\\udc00x"',
    b"01",
    b"+1",
    b".5",
    b"1.",
    b",",
    b"]",
    b"}",
    b"[",
    b"{",
    b'"',
    b"\\",
    b"1e400",
    b"tru",
    b" ",
    b"\t",
    b"\r\n",
]


def broken(rng: random.Random, document: bytes) -> bytes:
    """A document damaged in one of the ways §2 names (or by chance left valid)."""
    roll = rng.random()
    if roll < 0.3 and document:
        cut = rng.randrange(len(document) + 1)
        return document[:cut]
    at = rng.randrange(len(document) + 1)
    if roll < 0.8:
        return document[:at] + rng.choice(BREAKERS) + document[at:]
    if roll < 0.9:
        depth = rng.choice([1023, 1024, 1025])
        return b"[" * depth + b"]" * depth
    return rng.choice([b"{}", b'"[]"', b"1", b"true", b"null", b" [] ", b"", b"   ", b"[] []"])


def function_url_event(rng: random.Random, document: bytes) -> dict[str, Any]:
    """A Function URL event carrying ``document`` in one of the ways §1 allows (or not)."""
    event: dict[str, Any] = {
        "version": "2.0",
        "rawPath": "/",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/"}},
        "isBase64Encoded": False,
    }
    encoding = rng.choice(["plain", "plain", "base64", "gzip", "gzip2", "header-only"])
    if encoding == "plain":
        try:
            event["body"] = document.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "base64"
    if encoding == "base64":
        event["body"] = base64.b64encode(document).decode()
        event["isBase64Encoded"] = True
    if encoding in ("gzip", "gzip2"):
        stream = gzip.compress(document, mtime=0)
        if encoding == "gzip2":  # two members, or a damaged stream
            stream = rng.choice(
                [
                    stream + gzip.compress(b" ", mtime=0),
                    stream[: rng.randrange(len(stream))],
                    stream + b"\0",
                    stream[:-5] + bytes([stream[-5] ^ 1]) + stream[-4:],
                    zlib.compress(document),
                ]
            )
        event["body"] = base64.b64encode(stream).decode()
        event["isBase64Encoded"] = True
        event["headers"]["content-encoding"] = rng.choice(["gzip", "GZIP", " gzip\t"])
    if encoding == "header-only":
        event["body"] = document.decode("utf-8", errors="replace")
        event["headers"]["content-encoding"] = rng.choice(
            ["identity", "Identity", "br", "", "x-gzip", "gzip, identity", None, 5]
        )
    return event


def odd_event(rng: random.Random) -> JSONValue:
    """An event broken at the §1 level: method, body, headers, base64, shape."""
    event = function_url_event(rng, batch(rng, rng.randint(0, 4)).encode())
    mutation = rng.choice(
        ["method", "body", "b64flag", "b64text", "headers", "shape", "context", "nobody"]
    )
    if mutation == "method":
        event["requestContext"]["http"]["method"] = rng.choice(
            ["GET", "post", "", None, 42, ["POST"], "POST "]
        )
    elif mutation == "body":
        event["body"] = rng.choice([None, 5, [], {}, True, "", " ", "[]"])
    elif mutation == "b64flag":
        event["isBase64Encoded"] = rng.choice([True, "true", 1, None, False])
    elif mutation == "b64text":
        event["isBase64Encoded"] = True
        alphabet = "ABCDW10g+/=-_ \n\r*"
        event["body"] = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
    elif mutation == "headers":
        event["headers"] = rng.choice(
            [
                None,
                [],
                "gzip",
                {"Content-Encoding": "br"},
                {"CONTENT-ENCODING": "identity"},
                {"content-encoding": "gzip", "Content-Encoding": "br"},
            ]
        )
    elif mutation == "shape":
        return rng.choice([None, 1, "[]", True, [], [1, {"status": 200}], {}])
    elif mutation == "context":
        event["requestContext"] = rng.choice([None, [], {"http": None}, {"http": {}}, "POST"])
    else:
        event.pop("body", None)
    return event


def cases(seed: int, n: int) -> list[bytes]:
    rng = random.Random(seed)
    events: list[bytes] = []
    for _ in range(n):
        roll = rng.random()
        size = rng.choice([0, 1, 2, 3, 5, 8, 20, 60])
        document = batch(rng, size).encode()
        if roll < 0.45:
            event: JSONValue = function_url_event(rng, document)
        elif roll < 0.7:
            event = function_url_event(rng, broken(rng, document))
        elif roll < 0.85:
            event = odd_event(rng)
        else:
            event = json.loads(document) if rng.random() < 0.5 else document
        text = event if isinstance(event, bytes) else json.dumps(event).encode()
        events.append(text)
    return events


def test_random_and_malformed_batches(go_cli: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = cases(SEED, CASES)
    # Keep only the raw direct arrays Python's json.loads can read (the runtime would refuse
    # the rest before any handler runs).
    readable = []
    for text in events:
        try:
            json.loads(text)
        except ValueError:
            continue
        readable.append(text)
    assert len(readable) > CASES * 0.9
    check_agreement(go_cli, readable, monkeypatch)


def test_the_generator_reaches_every_answer(go_cli: Path) -> None:
    """The random cases are only worth something if they reach every status and error."""
    answers = go_answers(go_cli, cases(SEED, CASES))
    seen = {(a["statusCode"], json.loads(a["body"]).get("error")) for a in answers}
    want = {
        (200, None),
        (400, "expected_array"),
        (400, "invalid_event"),
        (400, "invalid_base64"),
        (400, "invalid_encoding"),
        (400, "invalid_json"),
        (405, "method_not_allowed"),
        (415, "unsupported_encoding"),
    }
    assert want <= seen, want - seen


json_text = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["endpoint", "status", "duration_ms", "user_id", "x"])
            | st.text(max_size=3),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(st.lists(json_text, max_size=8))
def test_hypothesis_batches(go_cli: Path, batch_value: list[JSONValue]) -> None:
    """Arbitrary JSON batches (hypothesis shrinks any disagreement to a small one)."""
    document = json.dumps(batch_value)
    event = json.dumps({"requestContext": {"http": {"method": "POST"}}, "body": document})
    go = go_answers(go_cli, [event.encode(), document.encode()])
    for text, go_response in zip([event, document], go, strict=True):
        python_response, _ = handle(json.loads(text))
        assert comparable(python_response) == comparable(go_response), text


def damaged(value: JSONValue, cut: int, insert: bytes, at: int) -> bytes:
    """JSON text of ``value``, cut after ``cut`` bytes (0: whole), ``insert`` put in somewhere."""
    text = json.dumps(value, ensure_ascii=False).encode()[: cut or None]
    at %= len(text) + 1
    return text[:at] + insert + text[at:]


json_bytes = st.builds(
    damaged,
    st.lists(json_text, max_size=4),
    st.integers(min_value=0, max_value=40),
    st.sampled_from([b"", *BREAKERS]) | st.binary(max_size=3),
    st.integers(min_value=0),
)


@given(st.lists(json_bytes | st.binary(max_size=40), min_size=1, max_size=20))
def test_hypothesis_documents(go_cli: Path, documents: list[bytes]) -> None:
    """Arbitrary bytes and damaged JSON as base64 bodies: the §2 rules byte by byte."""
    events = [
        json.dumps(
            {
                "requestContext": {"http": {"method": "POST"}},
                "isBase64Encoded": True,
                "body": base64.b64encode(document).decode(),
            }
        ).encode()
        for document in documents
    ]
    go = go_answers(go_cli, events)
    for text, go_response in zip(events, go, strict=True):
        python_response, _ = handle(json.loads(text))
        assert comparable(python_response) == comparable(go_response), text


def test_body_mode_and_exit_codes(go_cli: Path, tmp_path: Path) -> None:
    """Without -event the input is the body: the answer's JSON, exit 0 or 2."""
    rng = random.Random(SEED)
    for document in [batch(rng, 30).encode(), b"[1, {}]", b"{}", b"[NaN]", b"\xff", b""]:
        path = tmp_path / "body.json"
        path.write_bytes(document)
        proc = subprocess.run([str(go_cli), str(path)], capture_output=True, check=False)
        event = {
            "requestContext": {"http": {"method": "POST"}},
            "isBase64Encoded": True,
            "body": base64.b64encode(document).decode(),
        }
        python_response, _ = handle(event)
        want = comparable(python_response)
        answer = json.loads(proc.stdout)
        assert proc.returncode == (0 if want[0] == 200 else 2), proc.stderr
        got = {k: v for k, v in answer.items() if k not in TIMING_KEYS}
        assert (got if want[0] == 200 else {"error": answer["error"]}) == want[2]
        assert answer["language"] == "go"
