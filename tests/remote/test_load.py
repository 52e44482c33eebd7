"""The load generator: request counts and durations, warm-up, safe retries, stopping."""

from __future__ import annotations

import random
import socket
import threading
import time

import pytest

from telemetry_agg.bench.aws import load, sigv4
from telemetry_agg.bench.errors import BenchError

from .fake_lambda import FakeLambda


def _quick_policy() -> load.RetryPolicy:
    return load.RetryPolicy(max_retries=3, base_s=0.001, cap_s=0.002)


def test_load_sends_exactly_n_requests_with_c_connections() -> None:
    with FakeLambda("go") as fake:
        outcomes = load.run_load(
            lambda: sigv4.Client(fake.url, timeout_s=5), b"[1,2]", concurrency=3, requests=10
        )
    assert len(outcomes) == 10
    assert fake.count == 10
    assert all(o.error is None and o.response.request_id for o in outcomes)
    assert len({o.response.request_id for o in outcomes}) == 10


def test_warmup_requests_are_sent_but_not_recorded() -> None:
    with FakeLambda("go") as fake:
        outcomes = load.run_load(
            lambda: sigv4.Client(fake.url, timeout_s=5), b"[]", concurrency=3, requests=6, warmup=1
        )
    assert len(outcomes) == 6
    assert fake.count == 6 + 3


def test_load_by_duration_stops_in_time() -> None:
    with FakeLambda("go", delay_s=0.01) as fake:
        started = time.monotonic()
        outcomes = load.run_load(
            lambda: sigv4.Client(fake.url, timeout_s=5), b"[]", concurrency=2, duration_s=0.5
        )
        elapsed = time.monotonic() - started
    assert 1 <= len(outcomes) == fake.count
    # it stopped: not the thousands of requests an unbounded loop sends in that time
    assert elapsed < 10
    assert len(outcomes) < 0.5 / 0.01 * 2 + 2


def test_429_is_retried_with_backoff_and_counted() -> None:
    with FakeLambda("python", throttle_first=2) as fake:
        outcomes = load.run_load(
            lambda: sigv4.Client(fake.url, timeout_s=5),
            b"[]",
            concurrency=1,
            requests=1,
            policy=_quick_policy(),
        )
    assert len(outcomes) == 1
    assert outcomes[0].error is None
    assert (outcomes[0].retries, outcomes[0].throttles) == (2, 2)
    assert fake.count == 3


def test_429_beyond_the_retry_budget_is_a_throttle() -> None:
    with FakeLambda("python", throttle_first=100) as fake:
        outcomes = load.run_load(
            lambda: sigv4.Client(fake.url, timeout_s=5),
            b"[]",
            concurrency=1,
            requests=2,
            policy=_quick_policy(),
        )
    assert [o.error for o in outcomes] == ["throttle", "throttle"]
    assert fake.count == 8  # each request: one try and three retries


def test_5xx_is_never_retried() -> None:
    with FakeLambda("go", status=502) as fake:
        outcomes = load.run_load(
            lambda: sigv4.Client(fake.url, timeout_s=5),
            b"[]",
            concurrency=2,
            requests=4,
            policy=_quick_policy(),
        )
    assert [o.error for o in outcomes] == ["http_502"] * 4
    assert all(o.retries == 0 for o in outcomes)
    assert fake.count == 4


def test_refused_connections_are_retried_then_counted() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    outcomes = load.run_load(
        lambda: sigv4.Client(f"http://127.0.0.1:{port}/", timeout_s=1),
        b"[]",
        concurrency=1,
        requests=2,
        policy=_quick_policy(),
    )
    assert [(o.error, o.retries) for o in outcomes] == [("connection", 3)] * 2


def test_a_timeout_is_not_retried() -> None:
    with FakeLambda("go", delay_s=0.5) as fake:
        outcomes = load.run_load(
            lambda: sigv4.Client(fake.url, timeout_s=0.1),
            b"[]",
            concurrency=1,
            requests=1,
            policy=_quick_policy(),
        )
    assert [(o.error, o.retries) for o in outcomes] == [("timeout", 0)]
    assert fake.count == 1


def test_a_failing_worker_stops_the_load_with_a_clear_error() -> None:
    def broken() -> sigv4.Client:
        raise sigv4.CredentialsError("no credentials to sign with")

    with pytest.raises(BenchError, match="no credentials"):
        load.run_load(broken, b"[]", concurrency=2, requests=5)


def test_load_needs_a_count_or_a_duration() -> None:
    with pytest.raises(ValueError, match="request count"):
        load.run_load(lambda: sigv4.Client("http://127.0.0.1:1/"), b"[]", concurrency=1)


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = load.RetryPolicy(base_s=0.1, cap_s=0.5)
    rng = random.Random(1)
    delays = [policy.delay(n, rng) for n in range(6)]
    assert all(0.05 <= d <= 0.1 for d in delays[:1])
    assert all(d <= 0.5 for d in delays)
    assert delays[3] >= 0.25  # 0.8 capped to 0.5, times at least 0.5


def test_stop_event_ends_a_load_early() -> None:
    stop = threading.Event()
    with FakeLambda("go", delay_s=0.02) as fake:

        def on(outcome: load.Outcome) -> None:
            del outcome
            if fake.count >= 3:
                stop.set()

        outcomes = load.run_load(
            lambda: sigv4.Client(fake.url, timeout_s=5),
            b"[]",
            concurrency=1,
            requests=100,
            on_outcome=on,
            stop=stop,
        )
    assert 3 <= len(outcomes) < 100
