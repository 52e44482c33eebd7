"""The `telemetry-bench` command line: one Typer app, one module per command family.

Each command lives in the module named for what it does (`local.py`, `deploy.py`, ...), which
exposes a `register(app)` function; this module only wires them together, so that importing
`telemetry_agg` or its handler never imports Typer or Rich.
"""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
    name="telemetry-bench",
    help=(
        "Go or Python for this Lambda? Generate telemetry payloads, run both functions locally "
        "under the real Lambda Runtime Interface Emulator or on AWS, and report latency, cold "
        "starts, memory and cost side by side."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)


def _register_commands() -> None:
    # Imported here, not at the top: each command module pulls in what only it needs.
    from telemetry_agg.bench import commands  # noqa: PLC0415

    for register in commands.REGISTRY:
        register(app)


def main() -> None:
    """Console-script entry point: run the app, turn Ctrl-C into exit code 130."""
    _register_commands()
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - Typer usually handles this first
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
