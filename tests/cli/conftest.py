"""CLI fixtures: a `runner` around Typer's CliRunner (TERM=dumb, no colour), the app with every
command registered, and what the emulator tests need: the tools, fake handlers, a process check.

Tests marked `emulator` run the real Lambda Runtime Interface Emulator and both real runtimes;
when a tool is missing they skip and say which command installs it.
"""

from __future__ import annotations

import pytest

from support import skip_without_lane_tools


@pytest.fixture(scope="session")
def tools() -> None:
    """Skip (saying why and what to run) unless the emulator, the Go bootstrap and the Python
    runtime folder (awslambdaric for the runtime's Python, installed by the set-up) are here."""
    skip_without_lane_tools()
