"""`local --workload store` and `serve --workload store` end to end: the real emulator, both real
runtimes, the bench's own moto server and table. The run checks the table afterwards; a table
changed between the run and the check (through `stored.read_items`, the seam) fails the run
with the difference; a 503 stops it with the lane and the reason; the moto server is stopped
whatever ends the run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from aws_servers import TcpProxy
from support import wait_gone
from telemetry_agg.bench.errors import ToolMissingError
from telemetry_agg.bench.local import moto, runtimes, stored
from telemetry_agg.bench.local.serve import serve_functions
from telemetry_agg.bench.model import lanes, payloads, workloads
from telemetry_agg.bench.model import results as res

from .support import descendants, request, running

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterator

    import typer
    from typer.testing import CliRunner


SMALL = ["local", "--workload", "store", "--sizes", "100", "--cold", "1", "--warm", "4", "-c", "1"]
# Per lane: 1 cold start, 1 warm-up of the one environment, 4 warm invocations.
ANSWERS_PER_LANE = 6
# Every registered lane runs by default (python, python-lean, go).
ANSWERS = len(lanes.names()) * ANSWERS_PER_LANE


def listening(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((parts.hostname or "", parts.port or 0)) == 0


@pytest.fixture(scope="module")
def store_bootstrap() -> None:
    """The stored workload's Go bootstrap, built now when Go is here; skip, saying why, when
    it is neither built nor buildable."""
    try:
        runtimes.go_bootstrap(go_build=workloads.STORE.go_build)
    except ToolMissingError as exc:
        pytest.skip(f"needs the stored workload's Go bootstrap: {exc}")


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> list[stored.LocalTable]:
    """Every table a run reads back, as the check saw it (its endpoint tells whether the moto
    server still runs afterwards)."""
    seen: list[stored.LocalTable] = []
    read = stored.read_items

    def spy(table: stored.LocalTable) -> dict[str, dict[str, Any]]:
        seen.append(table)
        return read(table)

    monkeypatch.setattr(stored, "read_items", spy)
    return seen


@pytest.mark.emulator
@pytest.mark.usefixtures("tools", "store_bootstrap")
def test_local_store_run_checks_its_table(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, tables: list[stored.LocalTable]
) -> None:
    result = runner.invoke(app, [*SMALL, "--json", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    expected = {"answers": ANSWERS, "items": ANSWERS, "mismatches": 0}
    assert summary["store_check"] == expected
    assert summary["options"]["workload"] == "store"
    for row in summary["summary"]:
        assert row["store_ms"] > 0, row
    saved = res.load(tmp_path)
    assert saved.store_check == expected
    assert all(s.store_ms is not None for series in saved.series for s in series.samples)
    assert "Store" in result.stderr  # the latency table's column beside Handler
    assert f"table check: answers {ANSWERS}, items {ANSWERS}, mismatches 0" in result.stderr
    assert "Table check:" in (tmp_path / "results.md").read_text()
    assert saved.environment.extra["moto"]
    (table,) = tables
    assert not listening(table.endpoint), "the moto server outlived the run"


@pytest.mark.emulator
@pytest.mark.usefixtures("tools", "store_bootstrap")
def test_a_table_changed_before_the_check_fails_the_run(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = stored.read_items
    changed: dict[str, str] = {}

    def tamper(table: stored.LocalTable) -> dict[str, dict[str, Any]]:
        client = moto.dynamodb_client(table.endpoint)
        items = sorted(read(table))
        client.delete_item(TableName=table.name, Key={"request_id": {"S": items[0]}})
        client.update_item(
            TableName=table.name,
            Key={"request_id": {"S": items[1]}},
            UpdateExpression="SET total_events = :n",
            ExpressionAttributeValues={":n": {"N": "99"}},
        )
        changed.update(deleted=items[0], altered=items[1], endpoint=table.endpoint)
        return read(table)

    monkeypatch.setattr(stored, "read_items", tamper)
    result = runner.invoke(app, [*SMALL, "-o", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert f"{changed['deleted']} (" in result.output
    assert "answered 200 but no item" in result.output
    assert f"{changed['altered']} (" in result.output
    assert "total_events: answer 100, item 99" in result.output
    saved = res.load(tmp_path)
    assert saved.store_check == {"answers": ANSWERS, "items": ANSWERS - 1, "mismatches": 2}
    assert saved.complete is False
    assert saved.failure is not None
    assert "does not hold what was answered" in saved.failure
    assert not listening(changed["endpoint"])


@pytest.mark.emulator
@pytest.mark.usefixtures("tools", "store_bootstrap")
def test_the_first_503_stops_the_run_with_the_lane_and_the_reason(
    app: typer.Typer,
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tables: list[stored.LocalTable],
) -> None:
    monkeypatch.setattr(moto, "create_table", lambda endpoint, name: None)  # no table: 503s
    result = runner.invoke(app, [*SMALL, "-o", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "the python function on the 100-event payload answered 503" in result.output
    assert "store_unavailable" in result.output
    assert "table missing" in result.output
    assert "the table could not be checked" in result.output  # there is none to read back
    saved = res.load(tmp_path)
    assert saved.store_check is None
    (python,) = saved.series
    assert [s.status_code for s in python.samples] == [503]  # stopped at the first
    (table,) = tables
    assert not listening(table.endpoint)


@pytest.mark.emulator
@pytest.mark.usefixtures("tools", "store_bootstrap")
def test_the_table_unreachable_mid_run_stops_it_on_a_503_and_every_200_has_its_item(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lanes reach moto through a proxy that starts refusing connections mid-run (the
    server and its table survive, and the check reads them directly)."""
    real_server, proxies, real = moto.moto_server, [], {}

    @contextlib.contextmanager
    def behind_a_proxy(**options: Any) -> Iterator[str]:
        with real_server(**options) as endpoint:
            host, port = endpoint.removeprefix("http://").rsplit(":", 1)
            with TcpProxy((host, int(port))) as proxy:
                real["endpoint"] = endpoint
                proxies.append(proxy)
                yield proxy.endpoint

    def read_directly(table: stored.LocalTable) -> dict[str, dict[str, Any]]:
        return moto.scan_items(real["endpoint"], table.name)

    record = stored.Ledger.record

    def record_then_cut(ledger: stored.Ledger, request_id: str, *args: Any) -> None:
        record(ledger, request_id, *args)
        if len(ledger.answers) == 30:  # the 30th answer with 200: from now on, refused
            proxies[0].refuse()

    monkeypatch.setattr(moto, "moto_server", behind_a_proxy)
    monkeypatch.setattr(stored, "read_items", read_directly)
    monkeypatch.setattr(stored.Ledger, "record", record_then_cut)
    args = ["local", "--workload", "store", "--sizes", "10", "--cold", "1", "--warm", "400"]
    result = runner.invoke(app, [*args, "-c", "2", "-o", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "function on the 10-event payload answered 503" in result.output
    assert "store_unavailable" in result.output
    assert "cause: unreachable" in result.output
    assert "does not hold what was answered" not in result.output  # every 200 has its item
    saved = res.load(tmp_path)
    assert saved.store_check is not None
    assert saved.store_check["mismatches"] == 0
    assert saved.store_check["answers"] >= 30
    assert saved.store_check["items"] >= saved.store_check["answers"]
    samples = [s for series in saved.series for s in series.samples]
    assert {s.status_code for s in samples} <= {200, 503}  # never a 500, never a hang
    assert not listening(real["endpoint"])


@pytest.mark.emulator
@pytest.mark.usefixtures("tools", "store_bootstrap")
def test_ctrl_c_during_the_check_still_stops_the_moto_server(
    app: typer.Typer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoints: list[str] = []

    def interrupt(table: stored.LocalTable) -> dict[str, dict[str, Any]]:
        endpoints.append(table.endpoint)
        raise KeyboardInterrupt

    monkeypatch.setattr(stored, "read_items", interrupt)
    args = ["local", "--workload", "store", "--sizes", "10", "--cold", "1", "--warm", "0"]
    result = runner.invoke(app, [*args, "-l", "go"])
    assert result.exit_code == 130, result.output
    (endpoint,) = endpoints
    assert not listening(endpoint)


@pytest.mark.parametrize("command", ["local", "serve", "package"])
def test_an_unknown_workload_is_a_usage_error(
    app: typer.Typer, runner: CliRunner, command: str
) -> None:
    result = runner.invoke(app, [command, "--workload", "disk"])
    assert result.exit_code == 2, result.output
    assert "--workload: no workload named 'disk'" in result.output
    assert "Workloads: cpu, store." in result.output


@pytest.mark.emulator
@pytest.mark.usefixtures("tools", "store_bootstrap")
def test_serve_store_answers_stored_and_writes_the_table() -> None:
    body = payloads.payload(50, payloads.Knobs(seed=3))
    with serve_functions(concurrency=1, workload=workloads.STORE) as served:
        table = served.table
        assert table is not None
        ids = []
        for lane, url in served.urls.items():
            status, headers, data = request(url, "POST", body)
            assert status == 200, data
            answer = json.loads(data)
            assert answer["language"] == lanes.get(lane).language
            assert answer["stored"] is True
            assert answer["store_ms"] > 0
            ids.append(headers["x-amzn-requestid"])
        items = moto.scan_items(table.endpoint, table.name)
        assert sorted(items) == sorted(ids)
        assert {items[i]["language"]["S"] for i in ids} == {"python", "go"}
        assert set(served.urls) == set(lanes.names())  # the lean lane stores too
    assert not listening(table.endpoint)


def _moto_pids(pids: set[int]) -> list[int]:
    """The moto servers among these processes (by their command line)."""
    out = []
    for pid in pids:
        with contextlib.suppress(OSError):
            if b"moto.server" in Path(f"/proc/{pid}/cmdline").read_bytes():
                out.append(pid)
    return out


@contextlib.contextmanager
def _serving_store(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], set[int]]]:
    """`serve --workload store` as a subprocess, once it answers: it and its processes."""
    args = ["serve", "--workload", "store", "--port-python", "0", "--port-go", "0", "--json"]
    with running(args, tmp_path) as proc:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, f"serve ended before it served (exit {proc.wait()}): {proc.communicate()[1]}"
        urls = json.loads(line)
        status, _, data = request(urls["go"], "POST", payloads.payload(20))
        assert status == 200, data
        assert json.loads(data)["stored"] is True
        seen = set(descendants(proc.pid))
        for pid in list(seen):
            seen.update(descendants(pid))
        assert _moto_pids(seen), "serve --workload store runs its moto server"
        yield proc, seen


@pytest.mark.emulator
@pytest.mark.usefixtures("tools", "store_bootstrap")
def test_serve_store_sigterm_stops_the_moto_server_too(tmp_path: Path) -> None:
    with _serving_store(tmp_path) as (proc, seen):
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "table  telemetry-bench-summaries at http://127.0.0.1:" in err
    assert wait_gone(sorted(seen)) == [], "a process outlived SIGTERM"


@pytest.mark.emulator
@pytest.mark.usefixtures("tools", "store_bootstrap")
def test_a_killed_bench_leaves_no_server_running(tmp_path: Path) -> None:
    """SIGKILL: the bench cleans up nothing; its reaper stops moto, the emulators and the
    runtimes it had started."""
    with _serving_store(tmp_path) as (proc, seen):
        try:
            proc.kill()
            proc.communicate(timeout=30)
            assert wait_gone(_moto_pids(seen), timeout_s=10) == [], "moto outlived the bench"
            assert wait_gone(sorted(seen), timeout_s=10) == [], "a server outlived the bench"
        finally:
            for pid in seen:  # the emulators this test's bench started, orphaned by SIGKILL
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
