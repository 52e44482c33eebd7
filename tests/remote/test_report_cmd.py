"""`telemetry-bench report DIR...`: saved runs rendered, compared side by side, swept, written."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from telemetry_agg.bench.cli import app
from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.reporting import markdown, remote_tables
from telemetry_agg.bench.reporting import runs as report_cmd

if TYPE_CHECKING:
    from pathlib import Path

    from typer.testing import CliRunner


def make_run(
    source: res.Source, python_ms: float, go_ms: float, *, memory: int = 512, billed: bool = False
) -> res.Results:
    run = res.Results(source=source, options={"memory": memory, "region": "us-east-1"})
    run.environment.region = "us-east-1" if source == "remote" else None
    for lang, ms in (("python", python_ms), ("go", go_ms)):
        series = run.series_for(100, lang, payload_bytes=8200)
        series.samples.append(res.Sample(kind="cold", client_ms=ms * 3, init_ms=100.0))
        for i in range(10):
            series.samples.append(
                res.Sample(
                    kind="warm",
                    client_ms=ms + i,
                    status_code=200,
                    billed_ms=float(ms) if billed else None,
                )
            )
    run.complete = True
    run.finished_at = res.now_iso()
    return run


def test_one_local_run_is_rendered(runner: CliRunner, tmp_path: Path) -> None:
    markdown.save(make_run("local", 70, 41), tmp_path / "local")
    result = runner.invoke(app, ["report", str(tmp_path / "local")])
    assert result.exit_code == 0, result.output
    assert "Latency (ms)" in result.stdout
    assert "Speed-up of Go over Python" in result.stdout
    assert "Runs side by side" not in result.stdout
    assert "Requests by outcome" not in result.stdout  # a remote-only table


def test_two_runs_side_by_side_with_the_speed_up(runner: CliRunner, tmp_path: Path) -> None:
    markdown.save(make_run("local", 100, 40), tmp_path / "before")
    markdown.save(make_run("remote", 50, 40, billed=True), tmp_path / "after")
    result = runner.invoke(app, ["report", str(tmp_path / "before"), str(tmp_path / "after")])
    assert result.exit_code == 0, result.output
    assert "Runs side by side" in result.stdout
    assert "Requests by outcome" in result.stdout  # the remote run's own tables
    runs, problems = report_cmd.find_runs([tmp_path / "before", tmp_path / "after"])
    assert problems == []
    grid = report_cmd.comparison_grid(runs)
    assert grid.headers[-1] == "after vs before"
    python = next(r for r in grid.rows if r[1] == "Python")
    # warm avg: 104.5 before, 54.5 after -> 104.5 / 54.5 = 1.92x
    assert python[2] == "104.5"
    assert python[4] == "54.5"
    assert python[-1] == "1.92x"
    go = next(r for r in grid.rows if r[1] == "Go")
    assert go[-1] == "1.00x"


def test_a_sweep_folder_gives_one_run_per_memory_and_the_sweep(
    runner: CliRunner, tmp_path: Path
) -> None:
    sweep = tmp_path / "sweep"
    markdown.save(make_run("remote", 100, 60, memory=256, billed=True), sweep / "memory-256")
    markdown.save(make_run("remote", 40, 30, memory=1024, billed=True), sweep / "memory-1024")
    result = runner.invoke(app, ["report", str(sweep), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [r["label"] for r in summary["runs"]] == ["sweep@256MB", "sweep@1024MB"]
    runs, _ = report_cmd.find_runs([sweep])
    grid = remote_tables.sweep_grid([r.results for r in runs])
    marks = {(row[1], row[2]): row[-1] for row in grid.rows}
    # Python: 100 ms at 256 MB (0.025 GB-s) is cheaper than 40 ms at 1 GB (0.04 GB-s)
    assert marks[("Python", "256 MB")] == "cheapest"
    assert marks[("Python", "1,024 MB")] == "fastest"
    text = runner.invoke(app, ["report", str(sweep)]).stdout
    assert "Memory sweep" in text


def test_output_writes_markdown_and_charts(runner: CliRunner, tmp_path: Path) -> None:
    markdown.save(make_run("local", 70, 41), tmp_path / "a")
    markdown.save(make_run("remote", 60, 30, billed=True), tmp_path / "b")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["report", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    md = (out / "report.md").read_text()
    assert "## a: local" in md
    assert "## b: remote" in md
    assert "## Comparison" in md
    assert "Monthly saving of Go over Python" in md
    for name in ("latency-a.png", "latency-b.png"):
        assert (out / name).read_bytes().startswith(b"\x89PNG")
        assert f"]({name})" in md


def test_bad_and_missing_folders_are_named_and_the_rest_shown(
    runner: CliRunner, tmp_path: Path
) -> None:
    markdown.save(make_run("local", 70, 41), tmp_path / "good")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "results.json").write_text('{"schema": 99}')
    result = runner.invoke(
        app, ["report", str(tmp_path / "good"), str(tmp_path / "bad"), str(tmp_path / "nowhere")]
    )
    assert result.exit_code == 1
    assert "Latency (ms)" in result.stdout
    assert "unknown results schema 99" in result.stderr
    assert "nowhere: no results.json there" in result.stderr


def test_an_incomplete_run_says_so(runner: CliRunner, tmp_path: Path) -> None:
    run = make_run("remote", 70, 41)
    run.complete = False
    run.failure = "interrupted (Ctrl-C)"
    markdown.save(run, tmp_path / "partial")
    result = runner.invoke(app, ["report", str(tmp_path / "partial")])
    assert result.exit_code == 0
    assert "incomplete: interrupted (Ctrl-C)" in result.stdout


def test_no_arguments_teaches_usage(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 2
    assert "DIR" in result.output
    assert "Missing argument" in result.output
