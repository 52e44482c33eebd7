"""`telemetry-bench setup`: build the bench's tools now, rather than on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

SETUP_HELP = (
    "Build what the commands need, with your Go toolchain: the Lambda Runtime Interface "
    "Emulator (aws-lambda-rie, from its pinned Go module) and the Go twin (the CLI `micro` runs, "
    "the bootstraps `local` runs, one per workload) from the Go sources this package carries, and "
    "the Python lanes' runtime folder (awslambdaric for python3.12).\n\n"
    "Where: in a checkout, .tools/ and build/ of the repository; installed, "
    "~/.cache/telemetry-agg/<version>/ ($XDG_CACHE_HOME; TELEMETRY_AGG_CACHE instead of "
    "$XDG_CACHE_HOME/telemetry-agg). Anything up to date is not rebuilt; the commands that "
    "need a tool build it on first use too. Needs Go 1.26 or newer and the Go module proxy.\n\n"
    "Example: telemetry-bench setup"
)


def setup_command() -> None:
    """Set up (help: SETUP_HELP)."""
    from telemetry_agg.bench import errors, toolchain  # noqa: PLC0415 - lazy

    with errors.handled():
        built = toolchain.setup()
    for path in built:
        print(f"{path}\t{path.stat().st_size} bytes" if path.is_file() else f"{path}\tfolder")


def register(app: typer.Typer) -> None:
    app.command("setup", help=SETUP_HELP)(setup_command)
