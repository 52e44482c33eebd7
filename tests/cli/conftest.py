"""CLI fixtures: a `runner` around Typer's CliRunner (TERM=dumb, no colour), the app with every
command registered, and what the emulator tests need: the tools, fake handlers, a process check.

Tests marked `emulator` run the real Lambda Runtime Interface Emulator and both real runtimes;
when a tool is missing they skip and say which command installs it.
"""

from __future__ import annotations

import pytest

from telemetry_agg.bench.errors import ToolMissingError
from telemetry_agg.bench.local import pyruntime, runtimes


@pytest.fixture(scope="session")
def tools() -> None:
    """Skip (saying why and what to run) unless the emulator, the Go bootstrap and the Python
    runtime folder (awslambdaric for the runtime's Python, installed by the set-up) are here."""
    try:
        runtimes.rie_path()
        runtimes.go_runtime(build=False)
        pyruntime.runtime_folder(pyruntime.runtime_python())
    except ToolMissingError as exc:
        pytest.skip(f"needs the emulator, the Go bootstrap and the Python runtime folder: {exc}")
