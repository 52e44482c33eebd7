"""`local` takes each lane's cold starts in turn (python, go, python, go, ...), so that a burst
of load on a shared machine falls on every lane alike, not on one lane's block."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

    monkeypatch.setattr(run.Fleet, "start", start)
    args = ["local", "--lanes", "python,go", "--sizes", "10", "--cold", "3", "--warm", "1"]
    args += ["-c", "1"]
    result = CliRunner().invoke(app, args, env={"TERM": "dumb", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert started == ["python", "go"] * 3 + ["python", "go"]  # then one warm environment each
