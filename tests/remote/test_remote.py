"""`telemetry-bench remote`: load, retries, REPORT joins, the memory sweep and its restore, the CLI.

The functions live in moto (server mode: configuration, CloudWatch Logs); the Function URLs are
`FakeLambda` servers that write REPORT lines into moto's CloudWatch Logs as Lambda does.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from telemetry_agg.bench.aws import functions as aws
from telemetry_agg.bench.aws import load, remote, remote_session
from telemetry_agg.bench.cli import app
from telemetry_agg.bench.errors import BenchError
from telemetry_agg.bench.model import cost
from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.reporting import remote_tables
from telemetry_agg.bench.reporting import tables as report_tables

from .fake_lambda import FakeLambda
from .support import FAKE_SECRET

if TYPE_CHECKING:
    from collections.abc import Iterator

    from typer.testing import CliRunner

    from .support import MotoAws


# -- where the functions are -----------------------------------------------------------------
def test_flags_alone_need_no_terraform() -> None:
    def never() -> Any:
        raise AssertionError("terraform must not be read when both URLs are given")

    d = remote.resolve_deployment(
        {
            "python_url": "https://aaa.lambda-url.eu-west-1.on.aws/",
            "go_url": "https://bbb.lambda-url.eu-west-1.on.aws/",
            "python_function": "py-fn",
        },
        read_outputs=never,
    )
    assert d.region == "eu-west-1"
    assert d.auth_type == "AWS_IAM"
    assert d.targets[0].log_group == "/aws/lambda/py-fn"
    assert d.targets[1].function_name is None


def test_terraform_outputs_fill_what_flags_leave_out() -> None:
    outputs = {
        "python_function_url": "https://p.lambda-url.us-east-1.on.aws/",
        "go_function_url": "https://g.lambda-url.us-east-1.on.aws/",
        "python_function_name": "tagg-python",
        "go_function_name": "tagg-go",
        "python_log_group_name": "/aws/lambda/tagg-python",
        "go_log_group_name": "/aws/lambda/tagg-go",
        "region": "us-east-1",
        "architecture": "arm64",
        "memory_size": 512,
        "auth_type": "NONE",
    }
    d = remote.resolve_deployment({"go_url": "http://127.0.0.1:9/"}, read_outputs=lambda: outputs)
    assert [t.url for t in d.targets] == [outputs["python_function_url"], "http://127.0.0.1:9/"]
    assert [t.function_name for t in d.targets] == ["tagg-python", "tagg-go"]
    assert (d.region, d.auth_type, d.memory_size) == ("us-east-1", "NONE", 512)


def test_no_deployment_and_no_urls_says_what_to_do() -> None:
    def missing() -> Any:
        raise BenchError("no state", "deploy first")

    with pytest.raises(BenchError, match="no Function URLs") as caught:
        remote.resolve_deployment({}, read_outputs=missing)
    assert "--python-url" in caught.value.hint


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"python_url": "not a url", "go_url": "http://h/"}, "not an http"),
        ({"python_url": "http://h/", "go_url": "http://h/", "auth_type": "KEY"}, "AWS_IAM or NONE"),
        ({"python_url": "http://h/", "go_url": "http://h/", "architecture": "mips"}, "arm64"),
    ],
)
def test_bad_deployment_flags(
    flags: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    with pytest.raises(BenchError, match=message):
        remote.resolve_deployment(flags)


def test_memory_sweep_parsing() -> None:
    assert remote_session.parse_memory_sweep("256, 512,1024,1769,512") == [256, 512, 1024, 1769]
    with pytest.raises(BenchError, match="128 to 10240"):
        remote_session.parse_memory_sweep("64")
    with pytest.raises(BenchError, match="separated by commas"):
        remote_session.parse_memory_sweep("1GB")


# -- the whole command against moto and two fake Function URLs ---------------------------------
class World:
    def __init__(self, moto: MotoAws, stack: ExitStack, **knobs: dict[str, Any]) -> None:
        self.moto = moto
        self.names = {lang: f"{lang}-{uuid.uuid4().hex[:8]}" for lang in ("python", "go")}
        self.fakes: dict[str, FakeLambda] = {}
        for lang, name in self.names.items():
            moto.create_function(name, memory_mb=512, env={"KEEP": "me"})
            self.fakes[lang] = stack.enter_context(
                FakeLambda(
                    lang,
                    logs_client=moto.logs_client,
                    log_group=f"/aws/lambda/{name}",
                    **knobs.get(lang, {}),
                )
            )

    def args(self, output: Path, *extra: str) -> list[str]:
        return [
            "remote",
            "--python-url",
            self.fakes["python"].url,
            "--go-url",
            self.fakes["go"].url,
            "--python-function",
            self.names["python"],
            "--go-function",
            self.names["go"],
            "--region",
            "us-east-1",
            "--auth-type",
            "NONE",
            "--endpoint-url",
            self.moto.endpoint,
            "--sizes",
            "10",
            "-n",
            "6",
            "-c",
            "2",
            "-k",
            "2",
            "--report-wait",
            "0.3",
            "-o",
            str(output),
            *extra,
        ]

    def memory(self, lang: str) -> int:
        config = self.moto.lambda_client.get_function_configuration(FunctionName=self.names[lang])
        return int(config["MemorySize"])

    def env(self, lang: str) -> dict[str, str]:
        config = self.moto.lambda_client.get_function_configuration(FunctionName=self.names[lang])
        return dict(config["Environment"]["Variables"])


@pytest.fixture
def world(moto_aws: MotoAws) -> Iterator[World]:
    with ExitStack() as stack:
        yield World(moto_aws, stack)


def test_remote_run_end_to_end(world: World, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, world.args(tmp_path / "run", "--json"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["runs"][0]["complete"] is True
    saved = res.load(tmp_path / "run")
    assert saved.source == "remote"
    assert saved.complete
    assert saved.options["memory"] == 512
    assert saved.environment.region == "us-east-1"
    for lang in ("python", "go"):
        series = saved.get(10, lang)
        assert series is not None
        assert len(series.samples) == 2 + 6  # K cold starts + N requests
        assert series.errors == 0
        assert series.aggregator == ("msgspec" if lang == "python" else "scanner")
        # every request's REPORT joined by request id
        assert all(s.billed_ms == 13 and s.duration_ms == 12.34 for s in series.samples)
        assert all(s.max_memory_used_mb == 40 for s in series.samples)
        assert all(s.parse_ms == 1.25 and s.compute_ms == 2.5 for s in series.samples)
        # the forced cold starts were cold; each worker's first (fresh) request was the
        # unrecorded warm-up, so nothing measured under load was
        assert world.fakes[lang].count == 2 + 2 + 6
        cold = series.cold()
        assert len(cold) == 2
        assert all(s.init_ms == 120.5 for s in cold)
        assert all(s.init_ms is None for s in series.warm())
        # the forced cold starts changed the function's configuration, kept the rest
        assert world.env(lang)["KEEP"] == "me"
        assert aws.COLD_START_VARIABLE in world.env(lang)
    md = (tmp_path / "run" / "results.md").read_text()
    assert "Requests by outcome" in md
    assert "Monthly saving of Go over Python at 1,000,000 invocations" in md


def test_without_warmup_fresh_environments_under_load_count_as_cold(
    world: World, runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(app, world.args(tmp_path / "run", "--no-warmup"))
    assert result.exit_code == 0, result.output
    saved = res.load(tmp_path / "run")
    for lang in ("python", "go"):
        series = saved.get(10, lang)
        assert series is not None
        assert world.fakes[lang].count == 2 + 6
        # K forced cold starts, plus the first request of each of the C new workers: their
        # REPORT lines carry an Init Duration, so they are cold starts, not warm samples
        assert len(series.cold()) == 2 + 2
        assert len(series.warm()) == 6 - 2
        assert all(s.init_ms == 120.5 for s in series.cold())


def test_answers_that_disagree_fail_the_run_with_the_difference(
    moto_aws: MotoAws, runner: CliRunner, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        w = World(moto_aws, stack, go={"answer_override": {"unique_users": 7}})
        result = runner.invoke(app, w.args(tmp_path / "run", "-k", "0", "--no-reports"))
    assert result.exit_code == 1
    assert "the answers differ on the 10-event payload (python and go" in result.stderr
    assert 'unique_users: python="<absent>" go=7' in result.stderr
    assert res.load(tmp_path / "run").complete  # measured in full, and kept


def test_a_payload_over_the_function_url_limit_is_refused_before_sending(
    runner: CliRunner,
) -> None:
    args = ["remote", "--python-url", "http://127.0.0.1:9/", "--go-url", "http://127.0.0.1:9/"]
    result = runner.invoke(app, [*args, "--sizes", "100,90000", "--region", "us-east-1"])
    assert result.exit_code == 2
    assert "a payload of 90,000 events is" in result.stderr
    assert "over the 6,291,456 bytes (6 MB) a Function URL accepts" in result.stderr


def test_a_forced_cold_start_without_init_duration_counts_as_warm(
    moto_aws: MotoAws, runner: CliRunner, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        w = World(moto_aws, stack, go={"never_cold": True})
        result = runner.invoke(app, w.args(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    assert "go: 2 forced cold start(s) have neither Init nor Restore Duration" in result.stderr
    saved = res.load(tmp_path / "run")
    go, python = saved.get(10, "go"), saved.get(10, "python")
    assert go is not None
    assert python is not None
    assert go.cold() == []
    assert len(go.warm()) == 2 + 6
    assert len(python.cold()) == 2


def test_missing_reports_are_named_and_results_kept(
    moto_aws: MotoAws, runner: CliRunner, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        w = World(moto_aws, stack, go={"withhold_reports": {3, 4}})
        result = runner.invoke(app, w.args(tmp_path / "run", "-k", "0"))
        missing = set(w.fakes["go"].withheld)
    assert len(missing) == 2
    assert result.exit_code == 0, result.output
    assert "Go: 2 request(s) have no REPORT line yet" in result.stderr
    assert all(rid in result.stderr for rid in missing), (missing, result.stderr)
    saved = res.load(tmp_path / "run")
    go = saved.get(10, "go")
    assert go is not None
    assert sum(1 for s in go.samples if s.billed_ms is None) == 2
    assert len(go.samples) == 6


def test_a_function_answering_5xx_fails_the_run_but_keeps_results(
    moto_aws: MotoAws, runner: CliRunner, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        w = World(moto_aws, stack, go={"status": 503})
        result = runner.invoke(app, w.args(tmp_path / "run", "-k", "0", "--no-reports"))
    assert result.exit_code == 1
    assert "Go at 10 events: every request failed (http_503 x 6 of 6)" in result.stderr
    assert "the function itself failed: see its CloudWatch logs" in result.stderr
    saved = res.load(tmp_path / "run")
    go, py = saved.get(10, "go"), saved.get(10, "python")
    assert go is not None
    assert py is not None
    assert [s.error for s in go.samples] == ["http_503"] * 6
    assert py.errors == 0
    md = (tmp_path / "run" / "results.md").read_text()
    assert "| 10 | Go | 6 | 0 | 0 | 0 | 6 | 0 | 0 |" in md


def test_refused_credentials_are_explained(
    moto_aws: MotoAws, runner: CliRunner, tmp_path: Path
) -> None:
    # An AWS_IAM Function URL answers 403 to expired or insufficient credentials.
    with ExitStack() as stack:
        w = World(moto_aws, stack, python={"status": 403}, go={"status": 403})
        args = w.args(tmp_path / "run", "-k", "0", "--no-reports")
        result = runner.invoke(app, [*args, "--auth-type", "AWS_IAM"])
        signed = w.fakes["python"].requests[0]["headers"]
    assert result.exit_code == 1
    assert "Python at 10 events: every request failed (http_403 x 6 of 6)" in result.stderr
    assert "lambda:InvokeFunctionUrl" in result.stderr
    assert "Authorization" in signed  # it did sign, with the fake credentials
    assert FAKE_SECRET not in result.output


def test_memory_sweep_measures_each_size_and_restores(
    world: World, runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "sweep"
    result = runner.invoke(app, world.args(out, "--memory-sweep", "256,1024", "-k", "1"))
    assert result.exit_code == 0, result.output
    for memory in (256, 1024):
        run = res.load(out / f"memory-{memory}")
        assert run.options["memory"] == memory
        assert run.complete
    sweep = json.loads((out / "sweep.json").read_text())
    points = {(p["memory_mb"], p["language"]) for p in sweep["points"]}
    assert points == {(256, "python"), (1024, "python"), (256, "go"), (1024, "go")}
    # fake durations do not depend on memory, so the smallest memory is the cheapest
    cheap = next(p for p in sweep["points"] if p["memory_mb"] == 256)
    assert cheap["per_million"] == pytest.approx(cost.cost_per_million(13, 256, arch="arm64"))
    md = (out / "sweep.md").read_text()
    assert "cheapest" in md
    assert "fastest" in md
    assert world.memory("python") == world.memory("go") == 512
    assert world.env("python") == world.env("go") == {"KEEP": "me"}


@pytest.mark.parametrize(
    ("failure", "code"), [(RuntimeError("boom"), 1), (KeyboardInterrupt(), 130)]
)
def test_memory_is_restored_after_an_error_or_ctrl_c_mid_sweep(
    world: World,
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: BaseException,
    code: int,
) -> None:
    real = remote.RemoteRun.measure
    calls = []

    def measure_then_fail(self: remote.RemoteRun, results: res.Results) -> None:
        calls.append(results.options["memory"])
        if len(calls) == 2:
            assert world.memory("python") == 1024  # the sweep really changed it
            raise failure
        real(self, results)

    monkeypatch.setattr(remote.RemoteRun, "measure", measure_then_fail)
    out = tmp_path / "sweep"
    result = runner.invoke(app, world.args(out, "--memory-sweep", "256,1024", "-k", "0"))
    assert result.exit_code == code, result.output
    assert calls == [256, 1024]
    assert world.memory("python") == world.memory("go") == 512
    first = res.load(out / "memory-256")
    assert first.complete
    second = res.load(out / "memory-1024")
    assert not second.complete
    assert second.failure
    assert ("stopped: partial results saved" if code == 130 else "RuntimeError: boom") in (
        result.stderr
    )


def test_bad_options_exit_2_with_the_reason(runner: CliRunner) -> None:
    result = runner.invoke(app, ["remote", "--python-url", "x", "--go-url", "http://h/"])
    assert result.exit_code == 2
    assert "not an http(s) URL" in result.stderr
    result = runner.invoke(app, ["remote", "--memory-sweep", "12", "--python-url", "http://h/"])
    assert result.exit_code == 2
    assert "128 to 10240" in result.stderr


def test_a_sweep_needs_function_names(runner: CliRunner, tmp_path: Path) -> None:
    args = ["remote", "--python-url", "http://127.0.0.1:9/", "--go-url", "http://127.0.0.1:9/"]
    args += ["--region", "us-east-1", "--memory-sweep", "256", "--auth-type", "NONE"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "--python-function" in result.stderr


def test_errors_grid_counts_every_outcome() -> None:
    results = res.Results(source="remote")
    series = results.series_for(100, "go")
    for error in [None, None, "timeout", "throttle", "http_500", "http_403", "connection"]:
        series.samples.append(res.Sample(kind="warm", client_ms=1.0, error=error))
    grid = remote_tables.errors_grid(results)
    assert grid.rows == [["100", "Go", "7", "2", "1", "1", "1", "1", "1"]]


def test_saving_grid_uses_billed_and_study_methods() -> None:
    results = res.Results(
        source="remote", options={"memory": 512, "invocations": 100_000_000, "region": "us-east-1"}
    )
    for lang, ms in (("python", 473.0), ("go", 359.0)):
        s = results.series_for(20000, lang)
        s.samples.append(res.Sample(kind="warm", client_ms=ms, billed_ms=ms))
    grid = remote_tables.saving_grid(results)
    # the study's $76 a month at 100M invocations of 20,000 events, by both methods here
    assert grid.rows == [["20,000", "Python", "Go", "473.0", "359.0", "$76.00", "$76.00"]]
    assert grid.title.endswith("100,000,000 invocations, 512 MB")
    assert not math.isnan(remote_tables.price_of(results).gb_second)
    del results.options["memory"]
    assert "512 MB (assumed" in remote_tables.saving_grid(results).title


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_sweep_restores_memory_and_keeps_results(
    world: World, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    """The real command in its own process, stopped by Ctrl-C or SIGTERM mid-load."""
    out = tmp_path / "sweep"
    args = world.args(out, "--memory-sweep", "256,1024", "-k", "0", "-n", "1000000", "-c", "1")
    exe = Path(sys.executable).with_name("telemetry-bench")
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while world.fakes["python"].count < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert world.fakes["python"].count >= 5, "the load never started"
        assert world.memory("python") == 256
        sent = world.fakes["python"].count
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, stderr.decode()
    assert b"memory restored" in stderr
    assert world.memory("python") == world.memory("go") == 512
    assert world.env("python") == world.env("go") == {"KEEP": "me"}
    partial = res.load(out / "memory-256")
    assert not partial.complete
    assert partial.failure == ("interrupted (Ctrl-C)" if code == 130 else "terminated (SIGTERM)")
    series = partial.get(10, "python")
    assert series is not None
    assert len(series.samples) >= sent - 2  # all but the warm-up and the one in flight
    # REPORT lines still joined: one look, no waiting, so the last one or two may be missing
    assert sum(1 for s in series.samples if s.billed_ms == 13) >= len(series.samples) - 2


def test_urls_only_runs_and_says_what_it_could_not_do(
    runner: CliRunner, tmp_path: Path, fake_credentials: None
) -> None:
    with FakeLambda("python") as py, FakeLambda("go") as go:
        args = ["remote", "--python-url", py.url, "--go-url", go.url, "--region", "eu-west-1"]
        args += ["--auth-type", "NONE", "--sizes", "10", "-n", "3", "-c", "1", "-o", str(tmp_path)]
        result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "python: no cold starts forced: no function name (--python-function)" in result.stderr
    assert "go: no REPORT lines read: no log group or function name" in result.stderr
    saved = res.load(tmp_path)
    assert saved.options["price"] == cost.price_for("eu-west-1", "arm64").gb_second
    assert all(len(s.samples) == 3 for s in saved.series)


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        ([], 1, "no built-in Lambda price for region 'xx-nowhere-1'"),
        (["--price-per-gb-second", "0"], 2, "must be a positive number"),
    ],
)
def test_a_region_without_a_price_needs_one(
    runner: CliRunner, tmp_path: Path, extra: list[str], code: int, message: str
) -> None:
    args = ["remote", "--python-url", "http://127.0.0.1:9/", "--go-url", "http://127.0.0.1:9/"]
    args += ["--region", "xx-nowhere-1", "--auth-type", "NONE", "-k", "0", "--no-reports"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path), *extra])
    assert result.exit_code == code
    assert message in result.stderr
    if code == 1:
        assert "--price-per-gb-second" in result.stderr


def test_an_explicit_price_is_used(runner: CliRunner, tmp_path: Path) -> None:
    with FakeLambda("python") as py, FakeLambda("go") as go:
        args = ["remote", "--python-url", py.url, "--go-url", go.url, "--region", "xx-nowhere-1"]
        args += ["--auth-type", "NONE", "-k", "0", "--no-reports", "--sizes", "10", "-n", "2"]
        args += ["--price-per-gb-second", "0.00002", "-o", str(tmp_path)]
        result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    saved = res.load(tmp_path)
    assert saved.options["price"] == 0.00002
    assert remote_tables.price_of(saved).gb_second == 0.00002


def test_nothing_listening_is_explained(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same retries, without waiting out their back-off.
    monkeypatch.setattr(load, "DEFAULT_RETRY", load.RetryPolicy(base_s=0.0, cap_s=0.0))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/"
    args = ["remote", "--python-url", url, "--go-url", url, "--region", "us-east-1"]
    args += ["--auth-type", "NONE", "-k", "0", "--no-reports", "--sizes", "10", "-n", "2"]
    result = runner.invoke(app, [*args, "-c", "1", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "every request failed (connection x 2 of 2); nothing answered" in result.stderr
    assert "Go: first failure: connection refused" in result.stderr
    assert "Go: 6 retries" in result.stderr
    # The line that matters comes first; a run where nothing answered shows no empty tables.
    assert result.stderr.lstrip().startswith("error: Python at 10 events: every request failed")
    assert "Latency (ms)" not in result.stdout


def test_a_duration_instead_of_a_count(world: World, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, world.args(tmp_path / "run", "-k", "0", "-z", "0.5", "--json"))
    assert result.exit_code == 0, result.output
    saved = res.load(tmp_path / "run")
    assert saved.options["duration"] == 0.5
    assert saved.options["requests"] is None
    for lang in ("python", "go"):
        series = saved.get(10, lang)
        assert series is not None
        assert len(series.warm()) >= 1
        assert series.errors == 0


def test_an_unwritable_output_is_refused_before_sending(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    args = ["remote", "--python-url", "http://127.0.0.1:9/", "--go-url", "http://127.0.0.1:9/"]
    args += ["--region", "us-east-1", "--auth-type", "NONE", "-k", "0", "--no-reports"]
    result = runner.invoke(app, [*args, "-o", str(blocker / "run")])
    assert result.exit_code == 2
    assert "cannot write results to" in result.stderr


def test_no_credentials_leave_no_empty_results_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path)
    args = ["remote", "--python-url", "http://127.0.0.1:9/", "--go-url", "http://127.0.0.1:9/"]
    result = runner.invoke(app, [*args, "--region", "us-east-1", "-k", "0", "--no-reports"])
    assert result.exit_code == 1
    assert "needs AWS credentials" in result.stderr
    assert not (tmp_path / "results").exists(), "an empty results folder was left behind"


def test_the_tables_say_where_the_run_measured() -> None:
    local_urls = remote.resolve_deployment(
        {
            "python_url": "http://127.0.0.1:9000/",
            "go_url": "http://127.0.0.1:9001/",
            "region": "us-east-1",
        }
    )
    where = local_urls.where()
    assert "AWS Lambda" not in where
    assert "127.0.0.1:9000" in where
    assert "127.0.0.1:9001" in where
    on_aws = remote.resolve_deployment(
        {
            "python_url": "https://abc.lambda-url.eu-west-1.on.aws/",
            "go_url": "https://def.lambda-url.eu-west-1.on.aws/",
        }
    )
    assert on_aws.where() == "AWS Lambda (eu-west-1)"
    run = res.Results(source="remote", options={"target": where})
    assert f"Measured on {where}" in report_tables.latency_grid(run).caption
