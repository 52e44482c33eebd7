"""`telemetry-bench micro`: every Python aggregator and the Go core, answers checked, ratios."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench.local import micro
from telemetry_agg.bench.local.emulator import ToolMissingError

if TYPE_CHECKING:
    import typer
    from typer.testing import CliRunner


@pytest.mark.go
@pytest.mark.usefixtures("tools")
def test_micro_json(app: typer.Typer, runner: CliRunner) -> None:
    try:
        micro.go_cli()
    except ToolMissingError as exc:
        pytest.skip(str(exc))
    result = runner.invoke(app, ["micro", "--sizes", "50,500", "--repeat", "3", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    impls = {r["implementation"] for r in rows}
    assert "go" in impls
    assert "python:reference" in impls
    for r in rows:
        assert r["runs"] == 3
        assert 0 < r["min_ms"] <= r["median_ms"]
        if r["implementation"] == "python:reference":
            assert r["vs_reference"] == 1.0
        if r["implementation"] == "go":
            assert r["vs_go"] == 1.0
        expected = next(
            x["median_ms"]
            for x in rows
            if x["size"] == r["size"] and x["implementation"] == "python:reference"
        )
        assert math.isclose(r["vs_reference"], expected / r["median_ms"])


def test_micro_python_only_table(app: typer.Typer, runner: CliRunner) -> None:
    args = ["micro", "--sizes", "20", "--repeat", "2", "--no-go", "-a", "reference"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "python:reference" in result.stdout
    assert "Aggregation alone" in result.stdout


def test_micro_bad_input(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["micro", "-a", "nope", "--no-go"])
    assert result.exit_code == 2
    assert "unknown aggregator nope" in result.output
    result = runner.invoke(app, ["micro", "--repeat", "0", "--no-go"])
    assert result.exit_code == 2
    assert "--repeat must be 1 to 100000" in result.output
