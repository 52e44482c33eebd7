"""`local` takes each lane's cold starts in turn (python, go, python, go, ...), and its warm
invocations in turns too, so that a burst of load on a shared machine falls on every lane alike,
not on one lane's block."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from support import skip_without_lane_tools
from telemetry_agg.bench.cli import app
from telemetry_agg.bench.local import run

if TYPE_CHECKING:
    from telemetry_agg.bench.local.emulator import Emulator
    from telemetry_agg.bench.local.runtimes import Runtime

pytestmark = pytest.mark.emulator


def test_cold_starts_take_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    skip_without_lane_tools()
    started: list[str] = []
    real_start = run.Fleet.start

    def start(self: run.Fleet, runtime: Runtime) -> Emulator:
        started.append(runtime.lane)
        return real_start(self, runtime)

    turns: list[tuple[str, int]] = []
    real_turn = run.Measurer.warm_turn

    def warm_turn(
        self: run.Measurer, series: run.Measured, task: Any, envs: list[Emulator], count: int
    ) -> None:
        turns.append((series.runtime.lane, count))
        real_turn(self, series, task, envs, count)

    monkeypatch.setattr(run.Fleet, "start", start)
    monkeypatch.setattr(run.Measurer, "warm_turn", warm_turn)
    monkeypatch.setattr(run, "WARM_TURN", 2)
    args = ["local", "--lanes", "python,go", "--sizes", "10", "--cold", "3", "--warm", "5"]
    args += ["-c", "1", "--json"]
    result = CliRunner().invoke(app, args, env={"TERM": "dumb", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert started == ["python", "go"] * 3 + ["python", "go"]  # then one warm environment each
    assert turns == [("python", 2), ("go", 2), ("python", 2), ("go", 2), ("python", 1), ("go", 1)]
    rows = json.loads(result.stdout)["summary"]
    assert {r["lane"]: r["warm"]["count"] for r in rows} == {"python": 5, "go": 5}
