"""The payload generator: the study's distribution, deterministic for a seed, the knobs."""

from __future__ import annotations

import base64
import json
import re
from typing import TYPE_CHECKING

import pytest

from telemetry_agg import aggregate
from telemetry_agg.bench.model import payloads
from telemetry_agg.bench.model.payloads import ENDPOINTS, STATUSES, Knobs, PayloadError

if TYPE_CHECKING:
    from pathlib import Path

USER = re.compile(r"^u_[a-z0-9]{8}$")


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    a = payloads.payload(500, Knobs(seed=7))
    assert a == payloads.payload(500, Knobs(seed=7))
    assert a != payloads.payload(500, Knobs(seed=8))
    # A size is not a prefix of a bigger size: each (seed, size) has a stream of its own.
    assert payloads.payload(100, Knobs(seed=7)) != a[:100]


def test_the_study_distribution() -> None:
    events = payloads.generate(2000, Knobs(seed=1))
    assert len(events) == 2000
    assert {e["endpoint"] for e in events} == set(ENDPOINTS)
    assert {e["status"] for e in events} == set(STATUSES)
    assert all(USER.match(e["user_id"]) for e in events)
    durations = [e["duration_ms"] for e in events]
    assert all(isinstance(d, int) and d >= 0 for d in durations)
    mean = sum(durations) / len(durations)
    assert 120 < mean < 150  # exponential mean 120 + uniform 0..30 (mean 15): about 135
    # status 200 is three of the eight entries
    share_200 = sum(e["status"] == 200 for e in events) / len(events)
    assert 0.3 < share_200 < 0.45


def test_about_82_bytes_an_event_as_in_the_study() -> None:
    size = len(payloads.payload(1000))
    assert 78_000 < size < 88_000


def test_knobs_endpoints_and_users() -> None:
    events = payloads.generate(3000, Knobs(seed=3, endpoints=8, users=25))
    assert {e["endpoint"] for e in events} == {*ENDPOINTS, "/e7", "/e8"}
    assert len({e["user_id"] for e in events}) <= 25
    summary = aggregate(payloads.payload(3000, Knobs(seed=3, endpoints=2, users=25)))
    assert {name for name, _ in summary.top_endpoints} == {"/login", "/search"}
    assert summary.unique_users <= 25


def test_invalid_share_is_counted_invalid_by_the_library() -> None:
    knobs = Knobs(seed=5, invalid=0.1)
    events = payloads.generate(2000, knobs)
    planted = sum(
        1
        for e in events
        if not isinstance(e, dict)
        or not isinstance(e["status"], int)
        or not isinstance(e["duration_ms"], int)
        or not isinstance(e["endpoint"], str)
        or not isinstance(e["user_id"], str)
    )
    assert 100 < planted < 300
    summary = aggregate(payloads.payload(2000, knobs))
    assert summary.total_events == 2000
    assert summary.invalid_events == planted


@pytest.mark.parametrize(
    ("knobs", "message"),
    [
        (Knobs(endpoints=0), "--endpoints"),
        (Knobs(users=0), "--users"),
        (Knobs(invalid=1.5), "--invalid"),
        (Knobs(invalid=float("nan")), "--invalid"),
    ],
)
def test_bad_knobs(knobs: Knobs, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        payloads.generate(10, knobs)


def test_parse_sizes() -> None:
    assert payloads.parse_sizes("100, 1k,5000,100") == [100, 1000, 5000]
    for bad in ["", "abc", "0", "-5", "1.5k", "99999999"]:
        with pytest.raises(PayloadError):
            payloads.parse_sizes(bad)


def test_function_url_event() -> None:
    event = payloads.function_url_event(b"[1]", headers={"Content-Type": "application/json"})
    assert event["version"] == "2.0"
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["headers"] == {"content-type": "application/json"}
    assert event["body"] == "[1]"
    assert event["isBase64Encoded"] is False
    binary = payloads.function_url_event(b"\x1f\x8b\xff")
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x1f\x8b\xff"
    json.dumps(binary)  # JSON-ready


def test_write_and_read(tmp_path: Path) -> None:
    out = tmp_path
    paths = payloads.write(out, [10, 20], Knobs(seed=2), event=True)
    assert [p.name for p in paths] == [
        "payload-10.json",
        "event-10.json",
        "payload-20.json",
        "event-20.json",
    ]
    assert payloads.read_payload(out / "payload-10.json") == payloads.payload(10, Knobs(seed=2))
    event = json.loads((out / "event-20.json").read_text())
    assert json.loads(event["body"]) == payloads.generate(20, Knobs(seed=2))
    with pytest.raises(PayloadError, match="telemetry-bench gen"):
        payloads.read_payload(out / "payload-30.json")
