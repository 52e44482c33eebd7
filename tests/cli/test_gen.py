"""`telemetry-bench gen` through the runner."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from typing import TYPE_CHECKING

from telemetry_agg.bench.model import payloads

from .support import BENCH, bench_env

if TYPE_CHECKING:
    from pathlib import Path

    import typer
    from typer.testing import CliRunner


def test_gen_writes_deterministic_files(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    args = ["gen", "--sizes", "10,1k", "--seed", "9", "--event", "-o", str(tmp_path), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["event-10.json", "event-1000.json", "payload-10.json", "payload-1000.json"]
    assert report["sizes"] == [10, 1000]
    again = tmp_path / "again"
    assert runner.invoke(app, [*args[:-3], "-o", str(again)]).exit_code == 0
    assert (again / "payload-1000.json").read_bytes() == (
        tmp_path / "payload-1000.json"
    ).read_bytes()
    assert (tmp_path / "payload-10.json").read_bytes() == payloads.payload(
        10, payloads.Knobs(seed=9)
    )


def test_gen_pretty_output(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["gen", "--sizes", "5", "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert "wrote" in result.output
    assert "payload-5.json" in result.output


def test_gen_bad_input(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    for args, message in [
        (["--sizes", "ten"], "--sizes takes event counts"),
        (["--invalid", "2"], "--invalid is a share"),
        (["--users", "0"], "--users must be at least 1"),
    ]:
        result = runner.invoke(app, ["gen", "-o", str(tmp_path), *args])
        assert result.exit_code == 2, args
        assert message in result.output
    result = runner.invoke(app, ["gen", "--no-such-flag"])
    assert result.exit_code == 2
    blocked = tmp_path / "file"
    blocked.write_text("x")
    result = runner.invoke(app, ["gen", "--sizes", "5", "-o", str(blocked / "sub")])
    assert result.exit_code == 1
    assert "cannot write" in result.output


def test_help_teaches(app: typer.Typer, runner: CliRunner) -> None:
    for command in ["gen", "local", "serve", "micro"]:
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, command


def test_gen_ctrl_c_exits_130(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [str(BENCH), "gen", "--sizes", "100,3000000", "-o", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=bench_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "payload-100.json").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert (tmp_path / "payload-100.json").exists()
    assert not (tmp_path / "payload-3000000.json").exists()
