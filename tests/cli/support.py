"""Helpers shared by the tests of this folder (the fixtures are in conftest.py)."""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telemetry_agg.bench.local import emulator
from telemetry_agg.bench.local.runtimes import Runtime

if TYPE_CHECKING:
    from collections.abc import Iterator

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


def bench_env() -> dict[str, str]:
    env = dict(os.environ, TERM="dumb", NO_COLOR="1", COLUMNS="200")
    env.pop("FORCE_COLOR", None)
    return env


def spawn(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """telemetry-bench in a session of its own, as a terminal would run it."""
    return subprocess.Popen(
        [str(BENCH), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=bench_env(),
        cwd=cwd,
        start_new_session=True,
    )


@contextlib.contextmanager
def running(args: list[str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """`_spawn`, killed on the way out if the test left it running (a failure, say); its pipes
    are always read to the end and closed, so a test that failed early leaves no open file."""
    proc = spawn(args, cwd)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def request(
    url: str, method: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request(method, parts.path + "?x=1", body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()
