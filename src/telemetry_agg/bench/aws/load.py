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
from dataclasses import dataclass
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
    policy = policy or RetryPolicy()
    stop = stop or threading.Event()
    lock = threading.Lock()
    outcomes: list[Outcome] = []
    failures: list[BaseException] = []
    issued = 0
    deadline: float | None = None

    def take() -> bool:
        nonlocal issued
        with lock:
            if stop.is_set():
                return False
            if requests is not None and issued >= requests:
                return False
            if deadline is not None and clock() >= deadline:
                return False
            issued += 1
            return True

    def start_clock() -> None:
        nonlocal deadline
        if duration_s is not None:
            deadline = clock() + duration_s

    workers = concurrency if requests is None else min(concurrency, max(requests, 1))
    ready = threading.Barrier(workers, action=start_clock)

    def worker(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - jitter, not crypto
        try:
            client = make_client()
        except BaseException as exc:
            failures.append(exc)
            stop.set()
            ready.abort()
            return
        try:
            for _ in range(warmup):
                if stop.is_set():
                    break
                send(client, body, policy, rng=rng, stop=stop)
            try:
                ready.wait()
            except threading.BrokenBarrierError:
                return
            while take():
                outcome = send(client, body, policy, rng=rng, stop=stop)
                with lock:
                    outcomes.append(outcome)
                    if on_outcome is not None:
                        on_outcome(outcome)
        except BaseException as exc:  # a signing failure, say: stop everyone, report it
            failures.append(exc)
            stop.set()
            ready.abort()
        finally:
            client.close()

    threads = [
        threading.Thread(target=worker, args=(i,), daemon=True, name=f"load-{i}")
        for i in range(workers)
    ]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.1)
    except KeyboardInterrupt:
        stop.set()
        ready.abort()
        for t in threads:
            t.join()
        raise
    if failures:
        exc = failures[0]
        if isinstance(exc, BenchError):
            raise exc
        raise BenchError(f"the load stopped: {type(exc).__name__}: {exc}") from exc
    return outcomes
