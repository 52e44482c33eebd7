"""Lanes are data: one registry entry gives a lane every command, option, table row and
results series, with no other change (the lean Python lane is added this way)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench.errors import UsageError
from telemetry_agg.bench.model import lanes
from telemetry_agg.bench.reporting.tables import lane_pairs

from .support import bench_env

if TYPE_CHECKING:
    from pathlib import Path

# A third lane: the stock Python runtime again, under another name (what python-lean will be,
# with its own start command).
EXTRA = """
import sys
from dataclasses import replace
from telemetry_agg.bench.model import lanes
lanes.register(replace(lanes.PYTHON, name="python-alt", display="Python (alt)"))
from telemetry_agg.bench.cli import app
app(sys.argv[1:], prog_name="telemetry-bench")
"""


def _bench_with_extra_lane(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", EXTRA, *args],
        capture_output=True,
        text=True,
        env=bench_env(),
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_select_by_lanes_and_by_language() -> None:
    assert [x.name for x in lanes.select()] == ["python", "python-lean", "go"]
    assert [x.name for x in lanes.select(None, ["python"])] == ["python", "python-lean"]
    assert [x.name for x in lanes.select("go")] == ["go"]
    assert [x.name for x in lanes.select("go,python")] == ["python", "go"]  # registry order
    assert [x.name for x in lanes.select(None, ["go"])] == ["go"]
    for bad in ("", "python,,go", "rust"):
        with pytest.raises(UsageError, match="--lanes"):
            lanes.select(bad)
    with pytest.raises(UsageError, match="--language takes python or go, not rust"):
        lanes.select(None, ["rust"])


def test_every_lane_against_go_and_stock_python() -> None:
    assert lane_pairs(["python", "go"]) == [("python", "go")]
    assert lane_pairs(["python", "go", "python-lean"]) == [
        ("python", "go"),
        ("python-lean", "go"),
        ("python-lean", "python"),
    ]
    assert lane_pairs(["go"]) == []


def test_a_lane_unknown_here_still_reads() -> None:
    old = lanes.get("ruby")
    assert (old.name, old.language, old.display) == ("ruby", "ruby", "ruby")


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("serve", ["--port-python-alt", "--port-python", "--port-go"]),
        ("remote", ["--python-alt-url", "--python-alt-function", "--python-alt-log-group"]),
        ("local", ["--lanes"]),
        ("deploy", ["--lanes"]),
        ("package", ["--lanes"]),
    ],
)
def test_a_registered_lane_gets_its_options(
    tmp_path: Path, command: str, options: list[str]
) -> None:
    out = _bench_with_extra_lane([command, "--help"], tmp_path)
    assert out.returncode == 0, out.stderr
    for option in options:
        assert option in out.stdout, option
    assert "python-alt" in out.stdout


@pytest.mark.emulator
@pytest.mark.usefixtures("tools")
def test_a_registered_lane_is_measured_compared_and_tabled(tmp_path: Path) -> None:
    args = ["local", "--lanes", "python-alt,go", "--sizes", "10", "--cold", "1", "--warm", "2"]
    out = _bench_with_extra_lane([*args, "--json", "-o", str(tmp_path / "out")], tmp_path)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert {r["lane"] for r in summary["summary"]} == {"python-alt", "go"}
    assert {(s["lane"], s["baseline"]) for s in summary["speedup"]} == {("python-alt", "go")}
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {s["lane"] for s in saved["series"]} == {"python-alt", "go"}
    assert "Python (alt)" in out.stderr  # the latency table, on stderr with --json
