"""CLI fixtures: a `runner` around Typer's CliRunner (TERM=dumb, no colour), the app with every
command registered, and what the emulator tests need: the tools, fake handlers, a process check.

Tests marked `emulator` run the real Lambda Runtime Interface Emulator and both real runtimes;
when a tool is missing they skip and say which command installs it.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench import cli
from telemetry_agg.bench.local import emulator
from telemetry_agg.bench.local.emulator import Runtime, ToolMissingError

if TYPE_CHECKING:
    import typer

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(sys.executable).with_name("telemetry-bench")


@pytest.fixture(scope="session")
def app() -> typer.Typer:
    if not cli.app.registered_commands:
        cli._register_commands()
    return cli.app


@pytest.fixture(scope="session")
def tools() -> None:
    """Skip (saying why and what to run) unless the emulator and the Go bootstrap are here."""
    try:
        emulator.rie_path()
        emulator.go_runtime(build=False)
    except ToolMissingError as exc:
        pytest.skip(f"needs the emulator and the Go bootstrap: {exc}")


def fake_runtime(tmp_path: Path, source: str, name: str = "fake") -> Runtime:
    """A Python runtime whose handler module is `source` (awslambdaric, as the real one)."""
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    return Runtime(
        language="python",
        argv=[sys.executable, "-m", "awslambdaric", f"{name}.handler"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
    )


def descendants(pid: int) -> list[int]:
    return emulator._descendants(pid)


def alive(pid: int) -> bool:
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


def bench_env() -> dict[str, str]:
    env = dict(os.environ, TERM="dumb", NO_COLOR="1", COLUMNS="200")
    env.pop("FORCE_COLOR", None)
    return env
