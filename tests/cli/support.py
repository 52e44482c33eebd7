"""Helpers shared by the tests of this folder (the fixtures are in conftest.py)."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

from telemetry_agg.bench.local import emulator
from telemetry_agg.bench.local.runtimes import Runtime

ROOT = Path(__file__).resolve().parents[2]


BENCH = Path(sys.executable).with_name("telemetry-bench")


def fake_runtime(tmp_path: Path, source: str, name: str = "fake") -> Runtime:
    """A Python runtime whose handler module is `source` (awslambdaric, as the real one)."""
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    return Runtime(
        lane="python",
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
