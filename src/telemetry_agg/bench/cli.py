"""The `telemetry-bench` command line: one Typer app, one thin module per command family.

The command modules (`telemetry_agg.bench.commands`) declare options and import their library
inside the command function, so building the app and printing any `--help` loads Typer and Rich
only: never matplotlib, boto3 or the emulator code. Importing `telemetry_agg` or its handler
never imports this module.
"""

from __future__ import annotations

import sys

import typer

from telemetry_agg.bench import commands, errors

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
commands.register_all(app)


def main() -> None:
    """Console-script entry point: run the app, turn Ctrl-C into exit code 130."""
    try:
        app()
    except KeyboardInterrupt as exc:  # pragma: no cover - Typer usually handles this first
        print("\ninterrupted", file=sys.stderr)
        sys.exit(errors.exit_code(exc))


if __name__ == "__main__":  # pragma: no cover - `python -m telemetry_agg.bench.cli`
    main()
