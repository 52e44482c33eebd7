"""Load like `hey`: C workers on keep-alive connections send one body N times or for S seconds.

- `run_load(make_client, body, concurrency=, requests=|duration_s=, ...)`: one `sigv4.Client`
  per worker; an optional unrecorded warm-up per worker, after which the duration starts;
  `on_outcome` sees every request's `Outcome`; a `stop` event or Ctrl-C ends it cleanly (the
  requests in flight finish, bounded by their timeout).
- `send(client, body, policy)`: one request with its safe retries: a 429 (Lambda did not run it)
  and a connection that failed before anything was sent are retried with exponential backoff
  and jitter (`RetryPolicy`); nothing else is, since a request that may have run would be
  counted twice.
- `Outcome.error`: None for a 2xx answer, else ``"timeout"``, ``"connection"``, ``"throttle"``
  (429) or ``"http_<status>"``: the codes of `results.Sample.error`.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telemetry_agg.bench.errors import BenchError

if TYPE_CHECKING:
    from collections.abc import Callable

    from telemetry_agg.bench.aws import sigv4

__all__ = ["Outcome", "RetryPolicy", "run_load", "send"]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, for the failures that are safe to repeat."""

    max_retries: int = 3
    base_s: float = 0.2
    cap_s: float = 5.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        backoff: float = min(self.cap_s, self.base_s * 2**attempt)
        return backoff * rng.uniform(0.5, 1.0)

    @staticmethod
    def safe(response: sigv4.Response) -> bool:
        """429: Lambda did not run the request. Connection failures before any byte went out."""
        return response.status == 429 or (response.error == "connection" and not response.sent)


DEFAULT_RETRY = RetryPolicy()  # what a remote run uses; tests swap in a zero back-off


@dataclass(frozen=True)
class Outcome:
    """One request after its retries: the last answer, how many retries, how many 429s."""

    response: sigv4.Response
    retries: int = 0
    throttles: int = 0

    @property
    def error(self) -> str | None:
        r = self.response
        if r.error is not None:
            return r.error
        if r.status == 429:
            return "throttle"
        if r.status is None or not 200 <= r.status < 300:
            return f"http_{r.status}"
        return None


def send(
    client: sigv4.Client,
    body: bytes,
    policy: RetryPolicy,
    *,
    rng: random.Random,
    stop: threading.Event | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    retries = throttles = 0
    while True:
        response = client.post(body)
        throttles += response.status == 429
        if (
            not policy.safe(response)
            or retries >= policy.max_retries
            or (stop is not None and stop.is_set())
        ):
            return Outcome(response, retries, throttles)
        sleep(policy.delay(retries, rng))
        retries += 1


@dataclass
class _Load:
    """One load's shared state: what is left to send, until when, what came back."""

    make_client: Callable[[], sigv4.Client]
    body: bytes
    requests: int | None
    duration_s: float | None
    policy: RetryPolicy
    on_outcome: Callable[[Outcome], None] | None
    stop: threading.Event
    clock: Callable[[], float]
    warmup: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)
    issued: int = 0
    deadline: float | None = None
    ready: threading.Barrier | None = None

    def take(self) -> bool:
        """One more request to send: False once stopped, all sent, or past the deadline."""
        with self.lock:
            if self.stop.is_set():
                return False
            if self.requests is not None and self.issued >= self.requests:
                return False
            if self.deadline is not None and self.clock() >= self.deadline:
                return False
            self.issued += 1
            return True

    def start_clock(self) -> None:
        if self.duration_s is not None:
            self.deadline = self.clock() + self.duration_s

    def fail(self, exc: BaseException) -> None:
        self.failures.append(exc)
        self.stop.set()
        if self.ready is not None:
            self.ready.abort()

    def send_all(self, client: sigv4.Client, rng: random.Random) -> None:
        for _ in range(self.warmup):
            if self.stop.is_set():
                break
            send(client, self.body, self.policy, rng=rng, stop=self.stop)
        try:
            if self.ready is not None:
                self.ready.wait()
        except threading.BrokenBarrierError:
            return
        while self.take():
            outcome = send(client, self.body, self.policy, rng=rng, stop=self.stop)
            with self.lock:
                self.outcomes.append(outcome)
                if self.on_outcome is not None:
                    self.on_outcome(outcome)

    def worker(self, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - jitter, not crypto
        try:
            client = self.make_client()
        except BaseException as exc:
            self.fail(exc)
            return
        try:
            self.send_all(client, rng)
        except BaseException as exc:  # a signing failure, say: stop everyone, report it
            self.fail(exc)
        finally:
            client.close()


def run_load(
    make_client: Callable[[], sigv4.Client],
    body: bytes,
    *,
    concurrency: int,
    requests: int | None = None,
    duration_s: float | None = None,
    policy: RetryPolicy | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
    warmup: int = 0,
) -> list[Outcome]:
    """`concurrency` workers send `body` until `requests` are sent or `duration_s` has passed.

    With `warmup`, each worker first sends that many requests that are not recorded (so each
    of the `concurrency` environments is warm before measuring); the duration starts after.
    Ctrl-C stops new requests, waits for the ones in flight (each bounded by its timeout) and
    re-raises; the outcomes so far are in the list passed to `on_outcome`.
    """
    if requests is None and duration_s is None:
        raise ValueError("give a request count, a duration, or both")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    load = _Load(
        make_client, body, requests, duration_s, policy or RetryPolicy(), on_outcome,
        stop or threading.Event(), clock, warmup,
    )  # fmt: skip
    workers = concurrency if requests is None else min(concurrency, max(requests, 1))
    load.ready = threading.Barrier(workers, action=load.start_clock)
    threads = [
        threading.Thread(target=load.worker, args=(i,), daemon=True, name=f"load-{i}")
        for i in range(workers)
    ]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.1)
    except KeyboardInterrupt:
        load.stop.set()
        load.ready.abort()
        for t in threads:
            t.join()
        raise
    if load.failures:
        exc = load.failures[0]
        if isinstance(exc, BenchError):
            raise exc
        raise BenchError(f"the load stopped: {type(exc).__name__}: {exc}") from exc
    return load.outcomes
