"""§5 behaviour beyond the vectors: the size rule, the item, the deadline, the client made once,
boto3 only when the store is on, compute_ms without the store, what the log line carries."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest

from aws_servers import StubDynamoDB, create_table, scan_items
from telemetry_agg import store
from telemetry_agg.store import build_item, decision_size, item_size, number_size, value_size
from telemetry_agg.summary import Summary

if TYPE_CHECKING:
    from collections.abc import Callable

THROTTLE = (400, {"__type": "ProvisionedThroughputExceededException", "message": "slow down"})
ONE = '[{"endpoint":"/a","status":200,"duration_ms":7,"user_id":"u1"}]'


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0", 2),
        ("7", 2),
        ("12", 2),
        ("123", 3),
        ("1234", 3),
        ("700", 2),
        ("1000001", 5),
        ("-7", 3),
        ("-1234", 4),
        ("9223372036854775807", 11),
        ("1.50", 2),
    ],
)
def test_number_size_is_half_a_byte_a_significant_digit_plus_one(text: str, size: int) -> None:
    assert number_size(text) == size


def test_value_sizes_by_hand() -> None:
    assert value_size({"S": "/a"}) == 2
    assert value_size({"S": "é€😀"}) == 2 + 3 + 4  # UTF-8 bytes, not characters
    assert value_size({"L": []}) == 3
    assert value_size({"M": {}}) == 3
    # L of one [S, N]: 3 + (1 + (3 + (1 + 2) + (1 + 2)))
    assert value_size({"L": [{"L": [{"S": "/a"}, {"N": "10"}]}]}) == 13
    # M {"200": 5, "404": 12}: 3 + (1 + 3 + 2) + (1 + 3 + 2)
    assert value_size({"M": {"200": {"N": "5"}, "404": {"N": "12"}}}) == 15
    with pytest.raises(ValueError, match="BOOL"):
        value_size({"BOOL": True})


def test_item_of_an_empty_summary_by_hand() -> None:
    item = build_item(Summary.empty("msgspec"), "r-1", 1_764_888_700_123_456_789)
    assert item["stored_at"] == {"S": "2025-12-04T22:51:40.123Z"}  # truncated, not rounded
    assert item["expires_at"] == {"N": str(1_764_888_700 + 7 * 24 * 3600)}
    names = "".join(item)
    assert len(names) == 10 + 12 + 14 + 12 + 15 + 13 + 13 + 8 + 9 + 10
    # request_id 3, four zeros 2 each, L 3, M 3, "python" 6, stored_at 24, and expires_at
    # 1765493500: 8 significant digits once the trailing zeros go, 5 bytes
    assert item_size(item) == len(names) + 3 + 4 * 2 + 3 + 3 + 6 + 24 + 5


def test_the_decision_size_is_the_same_in_both_languages_and_at_any_time() -> None:
    """§5.5: `language` counts as "python" and `expires_at` as 10 digits: Go's item (4 bytes
    shorter) and an expiry with trailing zeros (fewer significant digits) count the same."""
    item = build_item(Summary.empty("msgspec"), "r-1", 1_764_888_700_123_456_789)
    size = decision_size(item)
    assert size == item_size(item) + 1  # expires_at 1765493500: 5 bytes counted as 6
    assert decision_size({**item, "language": {"S": "go"}}) == size
    for expires in ("1765493501", "1800000000", "1765493500"):
        assert decision_size({**item, "expires_at": {"N": expires}}) == size
    assert item_size({**item, "expires_at": {"N": "9999999999"}}) == size


def _summary_of_size(target: int) -> Summary:
    """A summary whose item is exactly ``target`` bytes by the 413 decision's count
    (distinct 6-digit statuses, one endpoint padded to the byte)."""
    statuses = {f"{100_000 + i}": 1 for i in range((target - 300) // 9)}  # 1 + 6 + 2 a status
    base = Summary(1, 0, 0, 0, (("", 1),), statuses, "msgspec")
    pad = target - decision_size(build_item(base, "r", time.time_ns()))
    assert 0 <= pad < 1024
    return base._replace(top_endpoints=(("x" * pad, 1),))


@pytest.mark.parametrize(("size", "status"), [(400_000, 200), (400_001, 413)])
def test_the_size_limit_to_the_byte(
    size: int,
    status: int,
    moto_endpoint: str,
    table_name: str,
    use_endpoint: Callable[[str, str], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # moto on a busy 2-core machine can take seconds over a 400 KB item: a longer read timeout
    monkeypatch.setattr(store, "READ_TIMEOUT_S", 30.0)
    create_table(moto_endpoint, table_name)
    use_endpoint(moto_endpoint, table_name)
    summary = _summary_of_size(size)
    assert decision_size(build_item(summary, "r", time.time_ns())) == size
    monkeypatch.setattr(
        "telemetry_agg.handler.Summary.empty", classmethod(lambda cls, name: summary)
    )
    from support import LambdaContext  # noqa: PLC0415
    from telemetry_agg.handler import handle  # noqa: PLC0415

    response, _ = handle({"body": None}, LambdaContext("r"))
    assert response["statusCode"] == status, response["body"]
    assert (scan_items(moto_endpoint, table_name) != {}) is (status == 200)


def test_a_retried_request_id_keeps_the_first_item(
    table: str, moto_endpoint: str, invoke: Callable[..., Any]
) -> None:
    first, _ = invoke("same", ONE)
    stored_at = scan_items(moto_endpoint, table)["same"]["stored_at"]
    time.sleep(0.002)
    second, record = invoke("same", '[{"status": 500}]')  # not Lambda's way, but it shows
    assert first["statusCode"] == second["statusCode"] == 200
    assert json.loads(second["body"])["stored"] is True
    items = scan_items(moto_endpoint, table)
    assert list(items) == ["same"]
    assert items["same"]["stored_at"] == stored_at
    assert items["same"]["status_counts"] == {"M": {"200": {"N": "1"}}}
    assert record["stored"] is True


def test_compute_ms_leaves_the_store_out(
    use_endpoint: Callable[[str, str], None], invoke: Callable[..., Any]
) -> None:
    with StubDynamoDB([(200, {})], delay_s=0.3) as stub:
        use_endpoint(stub.endpoint, "t")
        response, record = invoke("r", ONE)
    body = json.loads(response["body"])
    assert body["store_ms"] >= 300 > body["compute_ms"]
    assert record["store_ms"] == body["store_ms"]
    assert record["compute_ms"] == body["compute_ms"]


def test_too_little_time_left_sends_nothing(
    use_endpoint: Callable[[str, str], None], invoke: Callable[..., Any]
) -> None:
    with StubDynamoDB([(200, {})]) as stub:
        use_endpoint(stub.endpoint, "t")
        response, record = invoke("r", ONE, remaining_ms=2100)
    assert response["statusCode"] == 503
    assert "(cause: unreachable)" in json.loads(response["body"])["detail"]
    assert stub.requests == 0
    assert record["store_cause"] == "unreachable"


@pytest.mark.parametrize(("remaining_ms", "attempts"), [(10_000, 3), (3_900, 2), (2_900, 1)])
def test_retries_stop_before_the_deadline(
    remaining_ms: int,
    attempts: int,
    use_endpoint: Callable[[str, str], None],
    invoke: Callable[..., Any],
    no_backoff: None,
) -> None:
    # Left after an attempt: a retry needs its longest back-off (1 s, then 2 s) + 2 s + 0.2 s.
    with StubDynamoDB([THROTTLE]) as stub:
        use_endpoint(stub.endpoint, "t")
        response, record = invoke("r", ONE, remaining_ms=remaining_ms)
    assert response["statusCode"] == 503
    assert record["store_cause"] == "throttled"
    assert stub.requests == attempts


def test_a_silent_endpoint_is_unreachable_within_the_deadline(
    use_endpoint: Callable[[str, str], None], invoke: Callable[..., Any]
) -> None:
    # It takes the connection and never answers: each attempt ends at the 1 s read timeout.
    with StubDynamoDB([(200, {})], delay_s=30) as stub:
        use_endpoint(stub.endpoint, "t")
        started = time.monotonic()
        response, record = invoke("r", ONE, remaining_ms=4_000)
        elapsed = time.monotonic() - started
    assert response["statusCode"] == 503
    assert record["store_cause"] == "unreachable"
    assert record["store_error"] == "ReadTimeoutError"
    assert elapsed < 4.0 - store.ANSWER_MARGIN_S
    assert stub.requests == 1  # 1 s + 1 s + 2 s + 0.2 s do not fit in the 3 s left


def test_no_credentials_is_access_denied(
    moto_endpoint: str,
    use_endpoint: Callable[[str, str], None],
    invoke: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    use_endpoint(moto_endpoint, "t")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    response, record = invoke("r", ONE)
    assert response["statusCode"] == 503
    assert record["store_cause"] == "access denied"
    assert record["store_error"] == "NoCredentialsError"


def test_no_client_is_a_503_not_a_500(
    use_endpoint: Callable[[str, str], None],
    invoke: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_endpoint("not a url", "t")
    response, record = invoke("r", ONE)
    assert response["statusCode"] == 503
    assert record["store_cause"] == "service error"
    assert record["level"] == "WARNING"


def test_the_detail_and_the_log_never_hold_the_payload(
    use_endpoint: Callable[[str, str], None], invoke: Callable[..., Any]
) -> None:
    secret = "/SECRET-ENDPOINT-4f0c"
    echo = (400, {"__type": "ValidationException", "message": f"bad item {secret}"})
    with StubDynamoDB([echo]) as stub:
        use_endpoint(stub.endpoint, "t")
        response, record = invoke("r", json.dumps([{"endpoint": secret}]))
    assert response["statusCode"] == 503
    assert secret not in json.dumps(response) + json.dumps(record)
    assert record["store_error"] == "ValidationException"


def test_the_client_is_made_once(table: str, invoke: Callable[..., Any]) -> None:
    invoke("a", ONE)
    made = store.current()
    invoke("b", ONE)
    assert made is not None
    assert store.current() is made


def test_without_a_context_the_item_gets_a_uuid(table: str, moto_endpoint: str) -> None:
    from telemetry_agg.handler import handle  # noqa: PLC0415

    response, _ = handle({"body": ONE})
    assert response["statusCode"] == 200
    (request_id,) = scan_items(moto_endpoint, table)
    assert len(request_id) == 36


def test_off_without_the_table(invoke: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(store.TABLE_ENV, "")
    response, record = invoke("r", ONE)
    assert list(json.loads(response["body"]))[-1] == "compute_ms"
    assert "stored" not in record


_IMPORTED = (
    "import sys, telemetry_agg.handler as h;"
    "print(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore'}))"
)


@pytest.mark.parametrize(("table", "loaded"), [("", "[]"), ("t", "['boto3', 'botocore']")])
def test_boto3_is_imported_at_init_only_when_the_store_is_on(table: str, loaded: str) -> None:
    env = {
        "TELEMETRY_AGG_TABLE": table,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "PATH": "",
    }
    out = subprocess.run(
        [sys.executable, "-c", _IMPORTED], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == loaded
