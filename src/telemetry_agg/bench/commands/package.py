"""`telemetry-bench package`: the options, then one library call."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import Annotated

import typer

from telemetry_agg.bench.commands.options import (
    DEFAULT_WORKLOAD,
    ArchChoice,
    ArchOption,
    LanguageChoice,
    WorkloadOption,
)

PACKAGE_HELP = (
    "Build the two Lambda zips: build/python-<arch>.zip and build/go-<arch>.zip.\n\n"
    "The Python zip holds the telemetry_agg core and only its runtime dependencies (orjson, "
    "msgspec) as manylinux wheels for the target architecture; the Go zip holds `bootstrap` "
    "built for it by scripts/build-go.sh (for --workload store, the build that links the AWS "
    "SDK; otherwise the one without it). Both are reproducible: the same sources give the same "
    "SHA-256, so a second `deploy` changes nothing.\n\n"
    "Example: telemetry-bench package --arch x86_64 --json"
)


def package_command(
    *,
    arch: ArchOption = ArchChoice.arm64,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Where the zips go (default: build/ in the project)."),
    ] = None,
    only: Annotated[
        LanguageChoice | None,
        typer.Option("--only", help="Build just one of the two zips.", case_sensitive=False),
    ] = None,
    bootstrap: Annotated[
        Path | None,
        typer.Option(
            "--bootstrap",
            help="A prebuilt Go `bootstrap` to zip instead of running scripts/build-go.sh.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the zips' paths, sizes and SHA-256 as JSON.")
    ] = False,
    workload: WorkloadOption = DEFAULT_WORKLOAD,
) -> None:
    """Build the Lambda zips (help: PACKAGE_HELP)."""
    from telemetry_agg.bench.aws.package import package_main  # noqa: PLC0415 - lazy: only this command pays for it

    package_main(
        arch=arch,
        out_dir=out_dir,
        only=only,
        bootstrap=bootstrap,
        as_json=as_json,
        workload=workload,
    )


def register(app: typer.Typer) -> None:
    app.command("package", help=PACKAGE_HELP)(package_command)
