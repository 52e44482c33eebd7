"""Shared fixtures: the vectors, the sample events, the built-in aggregators; the CLI runner
and moto in server mode for every suite that needs them.

One loader for the shared vectors (tests/vectors, format in its README) and one for the
sample events (tests/events). Any test that takes a ``vector`` argument runs once per vector;
any test that takes ``aggregator_name`` runs once per installed built-in aggregator.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from aws_servers import moto_server
from support import load_vectors
from telemetry_agg.aggregators import ENV_VAR, builtin_aggregators

if TYPE_CHECKING:
    from collections.abc import Iterator

    import typer
    from typer.testing import CliRunner


settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


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

    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "250")
    return CliRunner()


@pytest.fixture(scope="session")
def app() -> typer.Typer:
    """telemetry-bench's Typer app, every command registered."""
    from telemetry_agg.bench import cli  # noqa: PLC0415 - only the CLI suites pay for Typer

    return cli.app


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto in server mode: a real AWS API over HTTP on 127.0.0.1, one for the session."""
    with moto_server() as endpoint:
        yield endpoint
