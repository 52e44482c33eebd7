"""CLI fixtures: a `runner` around Typer's CliRunner (TERM=dumb, no colour), the app with every
command registered, and what the emulator tests need: the tools, fake handlers, a process check.

Tests marked `emulator` run the real Lambda Runtime Interface Emulator and both real runtimes;
when a tool is missing they skip and say which command installs it.
"""

from __future__ import annotations

import pytest

from telemetry_agg.bench.local import emulator
from telemetry_agg.bench.local.emulator import ToolMissingError


@pytest.fixture(scope="session")
def tools() -> None:
    """Skip (saying why and what to run) unless the emulator and the Go bootstrap are here."""
    try:
        emulator.rie_path()
        emulator.go_runtime(build=False)
    except ToolMissingError as exc:
        pytest.skip(f"needs the emulator and the Go bootstrap: {exc}")
