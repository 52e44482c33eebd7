"""Helpers shared by the tests of this folder (the fixtures are in conftest.py)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telemetry_agg.limits import NOT_COMPARED

TESTS = Path(__file__).resolve().parent


VECTORS = TESTS / "vectors"
STORE_VECTORS = VECTORS / "store"


EVENTS = TESTS / "events"


TIMING_KEYS = NOT_COMPARED  # what the agreement rule drops
# What every 200 answer carries among those; store_ms only when the store is on (§5).
ALWAYS_ANSWERED = tuple(key for key in NOT_COMPARED if key != "store_ms")


@dataclass(frozen=True)
class Vector:
    name: str
    rule: str
    description: str
    expect: dict[str, Any]
    path: Path
    event_file: Path | None
    inline_event: Any

    def event(self) -> Any:
        """The event as the Python runtime hands it over (its decoder accepts NaN)."""
        if self.event_file is not None:
            return json.loads(self.event_file.read_bytes())
        return self.inline_event


def load_vectors() -> list[Vector]:
    """Every vector under tests/vectors, sorted by path, less the store vectors (store/, their
    own format, run by tests/store)."""
    vectors = []
    for path in sorted(VECTORS.rglob("*.json")):
        if path.parent == STORE_VECTORS:
            continue
        raw = json.loads(path.read_bytes())
        event_file = path.parent / raw["event_file"] if "event_file" in raw else None
        vectors.append(
            Vector(
                name=str(path.relative_to(VECTORS).with_suffix("")),
                rule=raw["rule"],
                description=raw["description"],
                expect=raw["expect"],
                path=path,
                event_file=event_file,
                inline_event=raw.get("event"),
            )
        )
    return vectors


def load_event(name: str) -> dict[str, Any]:
    """A sample event from tests/events (name without .json)."""
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_bytes())
    return event


def check_response(response: Any, expect: dict[str, Any]) -> None:
    """Assert a handler response matches a vector's ``expect`` (README rules)."""
    assert isinstance(response, dict)
    assert set(response) == {"statusCode", "headers", "body"}
    assert response["statusCode"] == expect["statusCode"], response["body"]
    headers = response["headers"]
    assert all(
        isinstance(k, str) and k == k.lower() and isinstance(v, str) for k, v in headers.items()
    )
    for name, value in expect["headers"].items():
        assert headers.get(name.lower()) == value, (name, headers)
    assert isinstance(response["body"], str)
    body = json.loads(response["body"])
    if expect["statusCode"] == 200:
        assert isinstance(body["parse_ms"], float)
        assert isinstance(body["compute_ms"], float)
        assert body["compute_ms"] >= body["parse_ms"] >= 0
        assert body["language"] == "python"
        assert isinstance(body["aggregator"], str)
        answer = {k: v for k, v in body.items() if k not in TIMING_KEYS}
        assert answer == expect["body"]
    else:
        assert body["error"] == expect["body"]["error"], body
        assert isinstance(body["detail"], str)
        assert body["detail"]
        assert body["language"] == "python"


@dataclass
class LambdaContext:
    """What the handler reads of Lambda's context: the request id and the time left."""

    aws_request_id: str
    remaining_ms: float = 10_000

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def skip_without_lane_tools(*, go: bool = True) -> None:
    """Skip, saying why and what installs it, unless what `local` needs to start the lanes is
    here: the emulator, the Go bootstrap (with `go`) and the Python runtime folder."""
    import pytest  # noqa: PLC0415 - only the tests that start lanes need it

    from telemetry_agg.bench.errors import ToolMissingError  # noqa: PLC0415
    from telemetry_agg.bench.local import pyruntime, runtimes  # noqa: PLC0415

    try:
        runtimes.rie_path()
        if go:
            runtimes.go_runtime(build=False)
        pyruntime.runtime_folder(pyruntime.runtime_python())
    except ToolMissingError as exc:
        pytest.skip(f"needs the emulator, the Go bootstrap and the Python runtime folder: {exc}")


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped by its parent, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pids: list[int], timeout_s: float = 5.0) -> list[int]:
    """The pids still alive after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    left = [p for p in pids if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if alive(p)]
    return left
