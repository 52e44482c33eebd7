"""Shared fixtures: the vectors, the sample events, the built-in aggregators; the CLI runner
and moto in server mode for every suite that needs them.

One loader for the shared vectors (tests/vectors, format in its README) and one for the
sample events (tests/events). Any test that takes a ``vector`` argument runs once per vector;
any test that takes ``aggregator_name`` runs once per installed built-in aggregator.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from aws_servers import moto_server
from telemetry_agg.aggregators import ENV_VAR, builtin_aggregators
from telemetry_agg.limits import NOT_COMPARED

if TYPE_CHECKING:
    from collections.abc import Iterator

    from typer.testing import CliRunner

TESTS = Path(__file__).resolve().parent
VECTORS = TESTS / "vectors"
STORE_VECTORS = VECTORS / "store"
EVENTS = TESTS / "events"
TIMING_KEYS = NOT_COMPARED  # what the agreement rule drops

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "vector" in metafunc.fixturenames:
        vectors = load_vectors()
        metafunc.parametrize("vector", vectors, ids=[v.name for v in vectors])
    if "aggregator_name" in metafunc.fixturenames:
        metafunc.parametrize("aggregator_name", builtin_aggregators())


@pytest.fixture
def use_aggregator(aggregator_name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Select ``aggregator_name`` the way an operator does: TELEMETRY_AGG_AGGREGATOR."""
    monkeypatch.setenv(ENV_VAR, aggregator_name)
    return aggregator_name


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """telemetry-bench's test runner: every command registered, plain text (TERM=dumb, no
    colour) and wide lines, so tests read the words and not the wrapping."""
    from typer.testing import CliRunner  # noqa: PLC0415 - only the CLI suites pay for Typer

    from telemetry_agg.bench import cli  # noqa: PLC0415

    if not cli.app.registered_commands:
        cli._register_commands()
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "250")
    return CliRunner()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto in server mode: a real AWS API over HTTP on 127.0.0.1, one for the session."""
    with moto_server() as endpoint:
        yield endpoint
