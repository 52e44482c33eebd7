"""The registry of telemetry-bench's command modules: each entry adds its commands to the app.

Add one line per command module; keep the order the order of `telemetry-bench --help`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telemetry_agg.bench.aws import deploy, package, remote
from telemetry_agg.bench.local import micro, serve
from telemetry_agg.bench.local import run as local
from telemetry_agg.bench.model import payloads
from telemetry_agg.bench.reporting import runs as report_cmd

if TYPE_CHECKING:
    from collections.abc import Callable

    import typer

REGISTRY: list[Callable[[typer.Typer], None]] = []
REGISTRY += [package.register, deploy.register]  # package, deploy, destroy (D)
REGISTRY += [payloads.register, local.register, serve.register, micro.register]  # C
REGISTRY += [remote.register, report_cmd.register]  # remote, report (E)
