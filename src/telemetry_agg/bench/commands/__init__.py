"""The command modules of telemetry-bench: each parses its options and makes one library call.

They import only Typer and the light modules at the top (the library modules inside the command
function), so `telemetry-bench --help` and any one command's `--help` never load matplotlib or
boto3. `REGISTRY` is the order of `telemetry-bench --help`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telemetry_agg.bench.commands import (
    deploy,
    gen,
    local,
    micro,
    package,
    remote,
    report,
    serve,
    setup,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import typer

REGISTRY: tuple[Callable[[typer.Typer], None], ...] = (
    setup.register,
    package.register,  # package
    deploy.register,  # deploy, destroy
    gen.register,
    local.register,
    serve.register,
    micro.register,
    remote.register,
    report.register,
)


def register_all(app: typer.Typer) -> None:
    for register in REGISTRY:
        register(app)
