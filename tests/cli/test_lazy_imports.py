"""`telemetry-bench --help` and a command's `--help` load Typer and Rich only: the command
modules import their library inside the command function (issue 9: a fast CLI)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .support import bench_env

HEAVY = ("matplotlib", "boto3", "botocore", "telemetry_agg.bench.local.emulator")
PROBE = """
import sys
from telemetry_agg.bench.cli import app
try:
    app(sys.argv[1:], prog_name="telemetry-bench")
except SystemExit as exc:
    code = exc.code
print(repr(sorted(m for m in {heavy!r} if m in sys.modules)), code, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["gen", "--help"],
        ["local", "--help"],
        ["remote", "--help"],
        ["deploy", "--help"],
    ],
)
def test_help_never_imports_the_heavy_libraries(args: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        env=bench_env(),
        timeout=60,
        check=False,
    )
    last = out.stderr.strip().splitlines()[-1]
    assert last == "[] 0", f"{args}: {last}\n{out.stderr[-2000:]}"
    assert "Usage" in out.stdout
