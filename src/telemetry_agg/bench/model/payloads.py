"""Telemetry payloads like the original study's, and the Function URL events that carry them.

The generator (STUDY.md): each event has an `endpoint` drawn uniformly from six (`/login`,
`/search`, `/checkout`, `/profile`, `/feed`, `/ping`), a `status` drawn uniformly from
200, 200, 200, 201, 400, 401, 403, 500, a `duration_ms` = floor(exponential variate, mean 120) +
a uniform integer in 0..30, and a `user_id` = ``u_`` + 8 random lower-case letters or digits.
About 82 bytes an event.

Knobs beyond the study: the number of endpoints (more than six adds `/e7`, `/e8`, ...), the number
of distinct users (drawn from a fixed pool instead of fresh ids), and a share of invalid events
(each one of: a bare number, a string status, a string duration, a numeric endpoint, a boolean
user id; all invalid by docs/contract.md section 3).

Deterministic: the same seed, size and knobs give the same bytes on every machine and Python
3.11 to 3.13 (`random.Random` seeded with a string is stable; only `random()`, `choice()`,
`expovariate()` and `randrange()` are used).

API: `Knobs`, `generate(size, knobs) -> list`, `payload(size, knobs) -> bytes`,
`function_url_event(body, ...) -> dict`, `write(directory, sizes, knobs, event=False)`,
`read_payload(path) -> bytes`, `DEFAULT_SIZES`, `QUICK_SIZES`; `register(app)` adds `gen`.
"""

from __future__ import annotations

import base64
import json
import math
import random
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.errors import PayloadError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DEFAULT_SIZES",
    "ENDPOINTS",
    "QUICK_SIZES",
    "STATUSES",
    "Knobs",
    "PayloadError",
    "count_events",
    "function_url_event",
    "generate",
    "parse_sizes",
    "payload",
    "read_payload",
    "write",
]

ENDPOINTS = ("/login", "/search", "/checkout", "/profile", "/feed", "/ping")
STATUSES = (200, 200, 200, 201, 400, 401, 403, 500)
DEFAULT_SIZES = (100, 1000, 5000, 10000, 20000)
QUICK_SIZES = (100, 1000)
USER_ALPHABET = string.ascii_lowercase + string.digits
MAX_EVENTS = 5_000_000  # about 400 MB of JSON: beyond that, say so instead of filling the disk


@dataclass(frozen=True, slots=True)
class Knobs:
    seed: int = 42
    endpoints: int = len(ENDPOINTS)
    users: int | None = None  # None: a fresh random id per event, as the study did
    invalid: float = 0.0  # share of invalid events, 0..1

    def check(self) -> None:
        if self.endpoints < 1:
            raise PayloadError(f"--endpoints must be at least 1, not {self.endpoints}")
        if self.users is not None and self.users < 1:
            raise PayloadError(f"--users must be at least 1, not {self.users}")
        if not (math.isfinite(self.invalid) and 0 <= self.invalid <= 1):
            raise PayloadError(f"--invalid is a share between 0 and 1, not {self.invalid}")


def _endpoints(n: int) -> list[str]:
    return list(ENDPOINTS[:n]) + [f"/e{i}" for i in range(len(ENDPOINTS) + 1, n + 1)]


def _user(rng: random.Random) -> str:
    return "u_" + "".join(rng.choice(USER_ALPHABET) for _ in range(8))


def _invalid(rng: random.Random, event: dict[str, Any]) -> Any:
    kind = rng.randrange(5)
    if kind == 0:
        return event["duration_ms"]
    bad = dict(event)
    if kind == 1:
        bad["status"] = str(event["status"])
    elif kind == 2:
        bad["duration_ms"] = str(event["duration_ms"])
    elif kind == 3:
        bad["endpoint"] = len(event["endpoint"])
    else:
        bad["user_id"] = True
    return bad


def generate(size: int, knobs: Knobs | None = None) -> list[Any]:
    """`size` events; deterministic for (knobs.seed, size, knobs)."""
    knobs = knobs or Knobs()
    knobs.check()
    if not 0 <= size <= MAX_EVENTS:
        raise PayloadError(f"a payload size is 0 to {MAX_EVENTS:,} events, not {size:,}")
    rng = random.Random(f"telemetry-agg:{knobs.seed}:{size}")  # noqa: S311 - not crypto
    endpoints = _endpoints(knobs.endpoints)
    pool = [_user(rng) for _ in range(knobs.users)] if knobs.users else None
    events: list[Any] = []
    for _ in range(size):
        event = {
            "endpoint": rng.choice(endpoints),
            "status": rng.choice(STATUSES),
            "duration_ms": math.floor(rng.expovariate(1 / 120)) + rng.randrange(31),
            "user_id": rng.choice(pool) if pool else _user(rng),
        }
        if knobs.invalid and rng.random() < knobs.invalid:
            events.append(_invalid(rng, event))
        else:
            events.append(event)
    return events


def payload(size: int, knobs: Knobs | None = None) -> bytes:
    """The JSON text of `generate(size, knobs)`, UTF-8."""
    return json.dumps(generate(size, knobs)).encode()


def function_url_event(
    body: bytes,
    *,
    method: str = "POST",
    path: str = "/",
    headers: dict[str, str] | None = None,
    query: str = "",
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """A Lambda Function URL event (payload format 2.0) carrying `body`.

    A UTF-8 body travels as text, anything else base64 with `isBase64Encoded: true`, as Function
    URLs do. Header names are lower-cased.
    """
    hdrs = {k.lower(): v for k, v in (headers or {"content-type": "application/json"}).items()}
    try:
        text, b64 = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, b64 = base64.b64encode(body).decode("ascii"), True
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": hdrs,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "local",
            "domainName": "localhost",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": hdrs.get("user-agent", "telemetry-bench"),
            },
            "requestId": "local",
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": text,
        "isBase64Encoded": b64,
    }


def parse_sizes(text: str) -> list[int]:
    """`"100,1k,5000"` -> [100, 1000, 5000]; a clear PayloadError otherwise."""
    if not text.strip():
        raise PayloadError("--sizes is empty: give at least one event count, e.g. --sizes 100")
    sizes = []
    for raw in text.split(","):
        item = raw.strip().lower()
        if not item:
            raise PayloadError(
                f"--sizes has an empty entry in {text!r}: give event counts separated by single "
                "commas, e.g. 100,1k,5000"
            )
        mult = 1000 if item.endswith("k") else 1
        try:
            n = int(item.removesuffix("k")) * mult
        except ValueError:
            raise PayloadError(
                f"--sizes takes event counts separated by commas (e.g. 100,1k,5000), not {raw!r}"
            ) from None
        if not 1 <= n <= MAX_EVENTS:
            raise PayloadError(f"a payload size is 1 to {MAX_EVENTS:,} events, not {n:,}")
        sizes.append(n)
    return list(dict.fromkeys(sizes))


def payload_name(size: int) -> str:
    return f"payload-{size}.json"


def write(
    directory: Path, sizes: list[int], knobs: Knobs | None = None, *, event: bool = False
) -> list[Path]:
    """payload-SIZE.json per size (and event-SIZE.json, a Function URL event, with `event`)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for size in sizes:
        body = payload(size, knobs)
        path = directory / payload_name(size)
        _write_whole(path, body)
        paths.append(path)
        if event:
            ev = directory / f"event-{size}.json"
            _write_whole(ev, json.dumps(function_url_event(body)).encode())
            paths.append(ev)
    return paths


def _write_whole(path: Path, data: bytes) -> None:
    """All of `data` at `path`, or nothing there (a stop mid-write leaves no half file)."""
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def read_payload(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PayloadError(
            f"{path}: no such payload file; write it with `telemetry-bench gen --output "
            f"{path.parent}` or drop --payloads to generate payloads in memory"
        ) from None
    except OSError as exc:
        raise PayloadError(f"{path}: cannot read it ({exc.strerror})") from None


def count_events(body: bytes, path: Path) -> int:
    """The number of events in a payload file's bytes: a JSON array of at least one; a
    PayloadError that names the file otherwise."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        what = "empty" if not body.strip() else f"not JSON ({exc})"
        raise PayloadError(
            f"{path}: {what}; a payload file holds a JSON array of events "
            "(`telemetry-bench gen` writes them)"
        ) from None
    if not isinstance(data, list):
        raise PayloadError(f"{path}: a JSON {type(data).__name__}, not an array of events")
    if not data:
        raise PayloadError(f"{path}: an empty array: a payload holds at least one event")
    return len(data)
