"""`telemetry-bench` as a real subprocess: a small local run, and Ctrl-C (SIGINT) that stops
cleanly, exits 130, keeps partial results and leaves no emulator or runtime behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support import alive, wait_gone
from telemetry_agg.bench.model import payloads
from telemetry_agg.bench.model import results as res

from .support import BENCH, ROOT, bench_env, descendants, running, spawn

pytestmark = [pytest.mark.emulator, pytest.mark.usefixtures("tools")]


def test_local_as_a_subprocess(tmp_path: Path) -> None:
    out = subprocess.run(
        [str(BENCH), "local", "--sizes", "50", "--cold", "1", "--warm", "3", "--json"],
        capture_output=True,
        text=True,
        env=bench_env(),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert {r["lane"] for r in summary["summary"]} == {"python", "python-lean", "go"}
    assert "Latency (ms)" in out.stderr


def _is_emulator(pid: int) -> bool:
    """Whether `pid` runs aws-lambda-rie (not the set-up's pip or Go build before the run)."""
    try:
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
    except OSError:
        return False
    return argv0.endswith(b"aws-lambda-rie")


def _watch(proc: subprocess.Popen[str], timeout_s: float, emulators: int = 1) -> set[int]:
    """Wait until the bench has run a runtime under `emulators` distinct emulators (a cold start
    starts one each, so a second means the first sample is in); return every descendant seen."""
    seen: set[int] = set()
    started: set[int] = set()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        kids = descendants(proc.pid)
        seen.update(kids)
        started.update(k for k in kids if _is_emulator(k) and descendants(k))  # with its runtime
        if len(started) >= emulators:
            return seen
        time.sleep(0.02)
    pytest.fail(f"{emulators} emulator(s) with a runtime did not appear; exit {proc.poll()}")


def _interrupt(
    args: list[str], cwd: Path, sig: signal.Signals = signal.SIGINT
) -> tuple[subprocess.Popen[str], set[int], str]:
    proc = spawn(args, cwd)
    try:
        seen = _watch(proc, 60, emulators=2)
        time.sleep(0.3)
        seen.update(descendants(proc.pid))
        for pid in list(seen):
            seen.update(descendants(pid))
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc, seen, err


@pytest.mark.parametrize(
    ("sig", "code", "failure"),
    [
        (signal.SIGINT, 130, "interrupted (Ctrl-C)"),
        (signal.SIGTERM, 143, "terminated (SIGTERM)"),
    ],
)
def test_a_stop_signal_stops_cleanly_and_keeps_partial_results(
    tmp_path: Path, sig: signal.Signals, code: int, failure: str
) -> None:
    out = tmp_path / "out"
    args = ["local", "--sizes", "100,200", "--cold", "200", "--warm", "5000", "-o", str(out)]
    proc, seen, err = _interrupt(args, tmp_path, sig)
    assert proc.returncode == code, err
    assert failure in err
    assert "partial results kept" in err
    assert seen, "the run started emulators"
    assert wait_gone(sorted(seen)) == [], "an emulator or runtime outlived the signal"
    saved = res.load(out)
    assert saved.complete is False
    assert saved.failure == failure
    assert saved.series[0].samples, "what was measured before the signal is kept"


def test_serve_sigint_leaves_nothing(tmp_path: Path) -> None:
    args = ["serve", "--port-python", "0", "--port-go", "0", "--json"]
    with running(args, tmp_path) as proc:
        assert proc.stdout is not None
        urls = json.loads(proc.stdout.readline())
        assert set(urls) == {"python", "python-lean", "go"}
        seen = set(descendants(proc.pid))
        assert len(seen) >= 6  # two environments per function
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert wait_gone(sorted(seen)) == []
    assert not any(alive(p) for p in seen)


@pytest.mark.parametrize("emulators", [1, 2, 3])
def test_serve_stopped_while_starting_leaves_nothing(tmp_path: Path, emulators: int) -> None:
    """Ctrl-C while the environments start (a busy machine makes that window long): every
    emulator and runtime started so far is stopped, whichever moment the signal lands."""
    args = ["serve", "--port-python", "0", "--port-go", "0", "-c", "2"]
    seen: set[int] = set()
    with running(args, tmp_path) as proc:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            kids = descendants(proc.pid)
            seen.update(kids)
            if len(kids) >= emulators:
                break
            time.sleep(0.005)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert seen, "serve started emulators"
    assert wait_gone(sorted(seen)) == [], "an emulator outlived Ctrl-C"
    assert "Traceback" not in err


def test_serve_sigterm_exits_143_and_leaves_nothing(tmp_path: Path) -> None:
    with running(["serve", "--port-python", "0", "--port-go", "0", "--json"], tmp_path) as proc:
        assert proc.stdout is not None
        urls = json.loads(proc.stdout.readline())
        seen = set(descendants(proc.pid))
        _hang_up_mid_request(urls["python"])
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert "terminated (SIGTERM)" in err
    assert wait_gone(sorted(seen)) == []
    # The client that hung up cost no traceback (BrokenPipeError, ConnectionResetError).
    assert "Traceback" not in err
    assert "BrokenPipe" not in err


def _hang_up_mid_request(url: str) -> None:
    """Send a large request, then close the connection with a reset before the answer."""
    parts = urlsplit(url)
    body = payloads.payload(20_000)
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=10) as conn:
        head = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
        conn.sendall(head.encode() + body)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(1.5)  # the function answers into the closed connection meanwhile


def test_cli_entry_point_is_installed() -> None:
    assert BENCH.is_file(), f"{BENCH} is missing: run `make setup`"
    assert (ROOT / "pyproject.toml").is_file()


def test_serve_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run(
            [str(BENCH), "serve", "--port-python", str(port), "--port-go", "0"],
            capture_output=True,
            text=True,
            env=bench_env(),
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
    assert out.returncode == 1
    assert f"port 127.0.0.1:{port} is in use" in out.stderr
    assert "--port-python" in out.stderr


def test_results_are_written_after_every_series_even_if_killed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sizes = ",".join(str(n) for n in range(10, 410, 10))  # 40 sizes: seconds of work
    args = ["local", "--sizes", sizes, "--cold", "1", "--warm", "20", "-o", str(out)]
    proc = spawn(args, tmp_path)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while not (out / "results.json").exists() and time.monotonic() < deadline:
            seen.update(descendants(proc.pid))
            for pid in list(seen):
                seen.update(descendants(pid))
            time.sleep(0.02)
        assert (out / "results.json").exists(), "no results.json after the first series"
    finally:
        proc.send_signal(signal.SIGSTOP)  # frozen: it starts no more environments
        time.sleep(0.3)  # an emulator already invoked starts its runtime meanwhile
        seen.update(descendants(proc.pid))
        for pid in list(seen):
            seen.update(descendants(pid))
        proc.kill()  # SIGKILL: no cleanup runs in the bench; its reaper stops what it started
        proc.communicate()
        left = wait_gone(sorted(seen), timeout_s=10)
        for pid in left:  # what the reaper missed (the test fails below), stopped anyway
            os.kill(pid, signal.SIGKILL)
    saved = res.load(out)
    assert saved.complete is False
    assert saved.series, "the first (size, language) was written as soon as it finished"
    assert left == [], "processes outlived a bench killed with SIGKILL"
