"""`telemetry-bench local` end to end through the runner, against the real emulator and both real
runtimes; and the failures it must explain: bad flags, missing payloads, a missing emulator, a
crash at init, a timeout, answers that disagree."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from telemetry_agg.bench import paths
from telemetry_agg.bench.errors import BenchError
from telemetry_agg.bench.local import run as local
from telemetry_agg.bench.local import runtimes
from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.model.answers import compare_answers

from .support import fake_runtime

if TYPE_CHECKING:
    from pathlib import Path

    import typer
    from typer.testing import CliRunner

    from telemetry_agg.bench.local.runtimes import Runtime
    from telemetry_agg.bench.model.lanes import Lane

SMALL = ["local", "--sizes", "20,200", "--cold", "1", "--warm", "6", "-c", "2"]


@pytest.mark.emulator
@pytest.mark.usefixtures("tools")
def test_local_small_run(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, [*SMALL, "--json", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["complete"] is True
    rows = {(r["size"], r["lane"]): r for r in summary["summary"]}
    assert set(rows) == {(n, lane) for n in (20, 200) for lane in ("python", "python-lean", "go")}
    for row in rows.values():
        assert row["warm"]["count"] == 6
        assert row["cold_ms"] > 0
        assert row["peak_rss_mb"] > 1
        assert row["compute_ms"] is not None
        assert row["errors"] == 0
    assert {r["size"] for r in summary["speedup"]} == {20, 200}
    for speedup in summary["speedup"]:
        lane, base = (
            rows[speedup["size"], speedup["lane"]],
            rows[speedup["size"], speedup["baseline"]],
        )
        assert speedup["avg"] == pytest.approx(lane["warm"]["avg"] / base["warm"]["avg"])
        assert speedup["duration"] == pytest.approx(lane["duration_ms"] / base["duration_ms"])
    pairs = {(s["lane"], s["baseline"]) for s in summary["speedup"]}
    assert pairs == {("python", "go"), ("python-lean", "go"), ("python-lean", "python")}
    saved_env = res.load(tmp_path).environment.extra
    assert "from python-" in saved_env["python_lanes"]
    assert saved_env["runtime_python"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "latency.png", "results.csv", "results.json", "results.md",
    ]  # fmt: skip
    saved = res.load(tmp_path)
    go20 = saved.get(20, "go")
    assert go20 is not None
    assert len(go20.cold()) == 1
    assert {s.environment for s in go20.warm()} == {0, 1}  # both environments served
    assert all(s.duration_ms is not None for s in go20.samples)
    assert saved.options["concurrency"] == 2
    assert saved.environment.emulator
    assert saved.environment.extra["awslambdaric"]
    # The tables go to stderr with --json; the summary alone is on stdout.
    assert "Latency (ms)" in result.stderr
    assert (tmp_path / "latency.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.emulator
@pytest.mark.usefixtures("tools")
def test_pretty_tables_without_json(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["local", "--sizes", "10", "--cold", "1", "--warm", "2"])
    assert result.exit_code == 0, result.output
    for title in ["Latency (ms)", "Speed-up of Go over Python", "Estimated cost", "ESTIMATE"]:
        assert title in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes under TERM=dumb


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--concurrency", "0"], "--concurrency must be 1 to 64"),
        (["--memory", "64"], "--memory must be 128 to 10240"),
        (["--timeout", "0"], "--timeout must be 1 to 900"),
        (["--cold", "0", "--warm", "0"], "nothing to measure"),
        (["--sizes", "x"], "--sizes takes event counts"),
        (["--language", "rust"], "--language takes python or go"),
        (["--price", "-1"], "--price must be a positive number"),
        (["--aggregator", "nope"], "--aggregator 'nope' is not installed; choose one of:"),
    ],
)
def test_bad_flags(app: typer.Typer, runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["local", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_flag(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["local", "--colde", "3"])
    assert result.exit_code == 2
    assert "--colde" in result.output


def test_missing_payload_file(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["local", "--sizes", "10", "--payloads", str(tmp_path)])
    assert result.exit_code == 2
    assert "payload-10.json: no such payload file" in result.output
    assert "telemetry-bench gen" in result.output


def test_missing_emulator_names_the_command(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths, "project_root", lambda: tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(app, ["local", "--sizes", "10"])
    assert result.exit_code == 3
    assert "aws-lambda-rie" in result.output
    assert "install Go" in result.output
    assert "telemetry-bench setup" in result.output


@pytest.mark.usefixtures("tools")
def test_missing_go_toolchain_names_the_install(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rie = runtimes.rie_path()
    (tmp_path / ".tools" / "bin").mkdir(parents=True)
    (tmp_path / ".tools" / "bin" / "aws-lambda-rie").symlink_to(rie)
    monkeypatch.setattr(paths, "project_root", lambda: tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no go here
    result = runner.invoke(app, ["local", "-l", "go", "--sizes", "10"])
    assert result.exit_code == 3
    assert "needs Go, which is not installed" in result.output
    assert "telemetry-bench setup" in result.output


def test_cpu_cap_works_or_says_why(app: typer.Typer, runner: CliRunner) -> None:
    ok, why = local.CpuCap.available()
    if ok:
        cap = local.CpuCap(884, "telemetry-bench-test-cap")
        try:
            assert cap.quota_us == 49_972  # half a vCPU: 884 / 1769 x 100 ms
        finally:
            cap.remove()
    else:
        result = runner.invoke(app, ["local", "--cpu-cap", "--sizes", "10"])
        assert result.exit_code == 2
        assert "--cpu-cap is not available" in result.output
        assert why in result.output


WRONG = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"total_events": 999999, "invalid_events": 0, "unique_users": 0,
                                "p95_duration_ms": 0, "top_endpoints": [], "status_counts": {},
                                "language": "python", "aggregator": "fake",
                                "parse_ms": 0.1, "compute_ms": 0.2})}
"""


def _fake_python(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str) -> None:
    """The python lane runs `source` as its handler; the other lanes run as they are."""
    rt = fake_runtime(tmp_path, source)
    real = runtimes.lane_runtime

    def lane_runtime(lane: Lane, aggregator: str | None = None, **options: Any) -> Runtime:
        return rt if lane.name == "python" else real(lane, aggregator, **options)

    monkeypatch.setattr(runtimes, "lane_runtime", lane_runtime)


@pytest.mark.emulator
@pytest.mark.usefixtures("tools")
def test_answers_that_disagree_fail_loudly_and_keep_partial_results(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_python(monkeypatch, tmp_path, WRONG)
    out = tmp_path / "out"
    args = ["local", "--lanes", "python,go", "--sizes", "10", "--cold", "1", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "the answers differ on the 10-event payload" in result.output
    assert "total_events: python=999999 go=10" in result.output
    saved = res.load(out)
    assert saved.complete is False
    assert saved.failure is not None
    assert "differ" in saved.failure
    assert saved.get(10, "python") is not None


@pytest.mark.emulator
@pytest.mark.usefixtures("tools")
def test_crash_at_init(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_python(monkeypatch, tmp_path, "raise ImportError('no such thing')\n")
    result = runner.invoke(app, ["local", "--sizes", "10", "--cold", "1", "--warm", "1"])
    assert result.exit_code == 1
    assert "the python function on the 10-event payload failed (HTTP 502)" in result.output
    assert "no such thing" in result.output
    # Without --output nothing is kept on disk, and the last line says so plainly.
    assert "partial results shown above; rerun with --output DIR to keep them" in result.output
    assert "partial results kept" not in result.output


@pytest.mark.emulator
@pytest.mark.usefixtures("tools")
def test_timeout(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = "import time\ndef handler(event, context):\n    time.sleep(5)\n"
    _fake_python(monkeypatch, tmp_path, slow)
    out = tmp_path / "out"
    args = ["local", "--sizes", "10", "--cold", "1", "--timeout", "1", "-o", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "timed out after 1 s" in result.output
    assert "raise --timeout" in result.output
    summary = json.loads(result.stdout)
    assert summary["complete"] is False
    (row,) = summary["summary"]
    assert row["errors"] == 1
    assert res.load(out).series[0].samples[0].error == "timeout"


def test_compare_answers_by_the_contract_rule() -> None:
    a = {"total_events": 1, "language": "python", "aggregator": "x", "parse_ms": 1.0}
    b = {"total_events": 1, "language": "go", "aggregator": "y", "compute_ms": 2.0}
    assert compare_answers(a, b) == []
    assert compare_answers({"total_events": 1}, {"total_events": 2}) == [
        "  total_events: python=1 go=2"
    ]
    assert compare_answers({"x": 1}, {}) == ['  x: python=1 go="<absent>"']
    error_a = {"error": "invalid_json", "detail": "one sentence", "language": "python"}
    error_b = {"error": "invalid_json", "detail": "another sentence", "language": "go"}
    assert compare_answers(error_a, error_b) == []
    assert compare_answers(error_a, {**error_b, "error": "expected_array"}) != []


def test_over_lambdas_request_limit(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["local", "-l", "go", "--sizes", "75k", "--cold", "1"])
    assert result.exit_code == 2
    assert "over Lambda's 6 MB request limit" in result.output
    assert "use smaller --sizes" in result.output


def test_cpu_cap_on_a_v1_style_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cpu.cfs_quota_us").write_text("-1\n")
    monkeypatch.setattr(local.CpuCap, "V2", tmp_path / "no-v2")
    monkeypatch.setattr(local.CpuCap, "V1", tmp_path)
    assert local.CpuCap.available() == (True, "")
    cap = local.CpuCap(3538, "env-1")  # two vCPUs
    assert (tmp_path / "env-1" / "cpu.cfs_quota_us").read_text() == "200000\n"
    assert (tmp_path / "env-1" / "cpu.cfs_period_us").read_text() == "100000\n"
    cap.add(12345)
    assert (tmp_path / "env-1" / "cgroup.procs").read_text() == "12345\n"
    (tmp_path / "taken").write_text("a file where the cgroup would go")
    with pytest.raises(BenchError, match="run without --cpu-cap"):
        local.CpuCap(512, "taken")
