"""The library API: aggregate(), Summary, AggregationError, the registry and plug-ins."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import telemetry_agg
from telemetry_agg import (
    AggregationError,
    Summary,
    UnknownAggregatorError,
    aggregate,
    available_aggregators,
    default_aggregator_name,
    get_aggregator,
)
from telemetry_agg.aggregators import ENTRY_POINT_GROUP, ENV_VAR, builtin_aggregators
from telemetry_agg.errors import STATUS_BY_CODE
from telemetry_agg.handler import handle
from telemetry_agg.limits import MAX_DOCUMENT_BYTES, p95_index

BATCH = (
    b'[{"endpoint":"/login","status":200,"duration_ms":12.9,"user_id":"u1"},'
    b'{"endpoint":"/login","status":401,"duration_ms":30,"user_id":42},'
    b'{"endpoint":"/feed","status":200,"user_id":"42"}, 7]'
)
ANSWER_KEYS = [
    "total_events",
    "invalid_events",
    "unique_users",
    "p95_duration_ms",
    "top_endpoints",
    "status_counts",
    "language",
    "aggregator",
    "parse_ms",
    "compute_ms",
]


def test_aggregate_bytes(aggregator_name: str) -> None:
    summary = aggregate(BATCH, aggregator=aggregator_name)
    assert isinstance(summary, Summary)
    assert summary.total_events == 4
    assert summary.invalid_events == 1
    assert summary.unique_users == 2  # "u1", and 42 == "42"
    assert summary.p95_duration_ms == 12  # sorted [0, 12, 30], index floor(0.95 * 2) = 1
    assert summary.top_endpoints == (("/login", 2), ("/feed", 1))
    assert dict(summary.status_counts) == {"200": 2, "401": 1}
    assert summary.aggregator == aggregator_name
    assert summary.language == "python"
    assert summary.compute_ms >= summary.parse_ms >= 0


def test_aggregate_str_equals_bytes(aggregator_name: str) -> None:
    text = '[{"endpoint":"/caf\u00e9","user_id":"\U0001f600"}]'
    from_text = aggregate(text, aggregator=aggregator_name).to_dict()
    from_bytes = aggregate(text.encode(), aggregator=aggregator_name).to_dict()
    for answer in (from_text, from_bytes):
        del answer["parse_ms"], answer["compute_ms"]
    assert from_text == from_bytes
    assert from_text["top_endpoints"] == [["/caf\u00e9", 1]]


def test_to_dict_key_order_and_to_json() -> None:
    summary = aggregate(BATCH)
    answer = summary.to_dict()
    assert list(answer) == ANSWER_KEYS
    assert json.loads(summary.to_json()) == answer
    assert list(json.loads(summary.to_json())) == ANSWER_KEYS


def test_empty_summary() -> None:
    answer = Summary.empty("reference").to_dict()
    assert answer["total_events"] == answer["unique_users"] == answer["p95_duration_ms"] == 0
    assert answer["top_endpoints"] == []
    assert answer["status_counts"] == {}


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (b"", "invalid_json"),
        (b"[1,]", "invalid_json"),
        (b"\xef\xbb\xbf[]", "invalid_json"),
        ("[\ud800]", "invalid_json"),
        (b'{"a": 1}', "expected_array"),
        (b"null", "expected_array"),
    ],
)
def test_aggregate_rejects(document: bytes | str, code: str, aggregator_name: str) -> None:
    with pytest.raises(AggregationError) as caught:
        aggregate(document, aggregator=aggregator_name)
    assert caught.value.code == code
    assert caught.value.status == 400
    assert caught.value.detail.endswith(".")
    assert "Send" in caught.value.detail  # says what to do next


def test_aggregate_rejects_oversized_document() -> None:
    document = b"[" + b" " * MAX_DOCUMENT_BYTES + b"]"
    with pytest.raises(AggregationError) as caught:
        aggregate(document)
    assert (caught.value.code, caught.value.status) == ("payload_too_large", 413)


@pytest.mark.parametrize("data", [123, 300_000_000, None, 1.5, True, [1], {"a": 1}])
def test_aggregate_takes_only_bytes_like_or_str(data: object) -> None:
    with pytest.raises(TypeError, match=f"bytes-like object\\) or str, not {type(data).__name__}"):
        aggregate(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview])
def test_aggregate_takes_any_bytes_like(wrap: type) -> None:
    summary = aggregate(wrap(BATCH))
    assert summary[:6] == aggregate(BATCH)[:6]  # every count; the timings differ
    assert summary.total_events == 4


GO_UTF8 = "The body is not valid UTF-8 at offset {}; send UTF-8 text."  # go/aggregate's words


@pytest.mark.parametrize(
    ("document", "offset"),
    [
        (b'[{"endpoint":"\xff\xfe"}]', 14),
        (b"\xc3", 0),
        (b'["\xe2\x82"]', 2),  # a sequence cut short
        (b'["\xed\xa0\x80"]', 2),  # a surrogate encoded in UTF-8
    ],
)
def test_invalid_utf8_says_the_byte_offset_as_go(
    document: bytes, offset: int, aggregator_name: str
) -> None:
    with pytest.raises(AggregationError) as caught:
        aggregate(document, aggregator=aggregator_name)
    assert caught.value.code == "invalid_json"
    assert caught.value.detail == GO_UTF8.format(offset)


def test_invalid_utf8_offset_in_a_chunked_document(aggregator_name: str) -> None:
    event = b'{"endpoint":"/a","status":200},'
    body = event * (5 * 1024 * 1024 // len(event))  # over 4 MiB: counted a chunk at a time
    for bad_at in (len(body) - len(event) + 13, 2 * 1024 * 1024 + 5):
        document = b"[" + body[:bad_at] + b"\xff" + body[bad_at + 1 :] + b"{}]"
        with pytest.raises(AggregationError) as caught:
            aggregate(document, aggregator=aggregator_name)
        assert caught.value.detail == GO_UTF8.format(bad_at + 1)


def test_readme_lists_the_summary_fields_in_the_type_order() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("`Summary` is an immutable typed record")
    paragraph = readme[readme.index("):", start) : readme.index("`Summary.empty", start)]
    assert re.findall(r"`(\w+)`", paragraph) == list(Summary._fields)


def test_error_detail_never_echoes_the_payload(aggregator_name: str) -> None:
    secret = "s3cr3t-payload-marker"
    for document in (f'[{{"{secret}": NaN}}]', f'{{"{secret}": 1}}', f'["{secret}"'):
        with pytest.raises(AggregationError) as caught:
            aggregate(document, aggregator=aggregator_name)
        assert secret not in caught.value.detail
        assert secret not in json.dumps(caught.value.to_dict())


def test_error_codes_and_statuses() -> None:
    assert STATUS_BY_CODE == {
        "expected_array": 400,
        "invalid_event": 400,
        "invalid_base64": 400,
        "invalid_encoding": 400,
        "invalid_json": 400,
        "method_not_allowed": 405,
        "payload_too_large": 413,
        "unsupported_encoding": 415,
        "summary_too_large": 413,
        "store_unavailable": 503,
    }
    assert AggregationError("method_not_allowed", "Use POST.").headers == {"allow": "POST"}
    assert AggregationError("invalid_json", "x.").headers == {}
    with pytest.raises(KeyError):
        AggregationError("no_such_code", "x.")


@pytest.mark.parametrize(("m", "index"), [(0, 0), (1, 0), (2, 0), (20, 18), (21, 19), (101, 95)])
def test_p95_index(m: int, index: int) -> None:
    assert p95_index(m) == index


def test_registry_builtins_fastest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert builtin_aggregators() == ["msgspec", "orjson", "reference"]
    assert default_aggregator_name() == "msgspec"
    assert available_aggregators()[:3] == ["msgspec", "orjson", "reference"]
    for name in builtin_aggregators():
        aggregator = get_aggregator(name)
        assert aggregator.name == name
        assert get_aggregator(name) is aggregator  # loaded once


def test_env_var_overrides_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "reference")
    assert default_aggregator_name() == "reference"
    assert aggregate(b"[]").aggregator == "reference"


def test_unknown_aggregator_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnknownAggregatorError) as caught:
        get_aggregator("no-such-aggregator")
    message = str(caught.value)
    assert "msgspec" in message
    assert ENV_VAR in message
    assert ENTRY_POINT_GROUP in message


def _install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    """A real distribution on sys.path whose entry point names ``target`` in plugin_mod."""
    (tmp_path / "plugin_mod.py").write_text(
        textwrap.dedent(
            """
            from telemetry_agg.aggregators.reference import AGGREGATOR as _REFERENCE


            class Upper:
                name = "upper"

                def summarize(self, document):
                    return _REFERENCE.summarize(document)._replace(aggregator=self.name)


            NOT_AN_AGGREGATOR = object()


            class Broken:
                def __init__(self):
                    raise RuntimeError("no licence key")
            """
        )
    )
    info = tmp_path / "plugin_dist-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: plugin-dist\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{target}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(telemetry_agg.aggregators, "_loaded", {})  # forget it afterwards
    monkeypatch.setattr("telemetry_agg.handler._resolved", {})


def test_entry_point_plugin_is_discovered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_plugin(tmp_path, monkeypatch, "upper = plugin_mod:Upper")
    assert "upper" in available_aggregators()
    summary = aggregate(BATCH, aggregator="upper")
    assert summary.aggregator == "upper"
    assert summary.total_events == 4
    monkeypatch.setenv(ENV_VAR, "upper")
    assert aggregate(b"[]").aggregator == "upper"


def test_entry_point_that_is_not_an_aggregator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_plugin(tmp_path, monkeypatch, "broken = plugin_mod:NOT_AN_AGGREGATOR")
    with pytest.raises(UnknownAggregatorError, match="not an aggregator"):
        get_aggregator("broken")


def test_handler_import_loads_the_aggregator_and_nothing_heavy() -> None:
    """Cold start: importing the handler (Lambda's init phase) loads the default aggregator's
    parser, and no CLI, AWS SDK or entry-point scan; nor the msgspec aggregator's strict path
    (orjson, which imports dataclasses) until a document needs it."""
    code = (
        "import sys, telemetry_agg.handler\n"
        "heavy = ['typer', 'rich', 'boto3', 'botocore', 'importlib.metadata',"
        " 'telemetry_agg.bench', 'orjson', 'dataclasses']\n"
        "print([m for m in heavy if m in sys.modules], 'msgspec' in sys.modules)\n"
        "telemetry_agg.handler.handle({'body': '[{\"endpoint\": null}]'})\n"
        "print('orjson' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.split() == ["[]", "True", "True"]  # a null field: the strict path, loaded


def test_entry_point_that_fails_to_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_plugin(tmp_path, monkeypatch, "crashing = plugin_mod:Broken")
    with pytest.raises(UnknownAggregatorError, match=r"failed to load.*no licence key"):
        get_aggregator("crashing")
    monkeypatch.setenv(ENV_VAR, "crashing")
    response, record = handle({"body": "[]"})
    assert response["statusCode"] == 200  # a bad setting is the operator's, not the caller's
    assert "failed to load" in record["warning"]
