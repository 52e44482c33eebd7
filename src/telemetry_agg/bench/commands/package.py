"""`telemetry-bench package`: the options, then one library call (`aws.package.package_main`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from telemetry_agg.bench.commands.options import (
    ArchChoice,
    ArchOption,
    LanesOption,
    LanguageOption,
    WorkloadOption,
)
from telemetry_agg.bench.model import lanes as registry

PACKAGE_HELP = (
    "Build the Lambda zips of the lanes: build/python-<arch>.zip and build/go-<arch>.zip (in a "
    "checkout; installed, in the per-user cache: see `telemetry-bench setup --help`).\n\n"
    "The Python zip holds the telemetry_agg core and only its runtime dependencies (orjson, "
    "msgspec) as manylinux wheels for the target architecture; the Go zip holds `bootstrap` "
    "built for it from the Go sources, with your Go (for --workload store, the build that links "
    "the AWS SDK; otherwise the one without it). Both are reproducible: the same sources give "
    "the same SHA-256, so a second `deploy` changes nothing. Every Python lane shares the "
    "Python zip.\n\n"
    "Example: telemetry-bench package --arch x86_64 --json"
)

ArtifactChoice = StrEnum(  # type: ignore[misc]
    "ArtifactChoice", {a: a for a in dict.fromkeys(x.artifact for x in registry.all_lanes())}
)
OnlyOption = Annotated[
    ArtifactChoice | None,
    typer.Option("--only", help="Build just this zip.", case_sensitive=False),
]
OutDirOption = Annotated[
    Path | None,
    typer.Option("--out-dir", help="Where the zips go (default: build/ in the project)."),
]
BootstrapOption = Annotated[
    Path | None,
    typer.Option(
        "--bootstrap",
        help="A prebuilt Go `bootstrap` to zip instead of building one.",
    ),
]
JsonZipsOption = Annotated[
    bool, typer.Option("--json", help="Print the zips' paths, sizes and SHA-256 as JSON.")
]


def package_command(
    *,
    arch: ArchOption = ArchChoice.arm64,
    out_dir: OutDirOption = None,
    only: OnlyOption = None,
    lanes: LanesOption = None,
    language: LanguageOption = None,
    bootstrap: BootstrapOption = None,
    as_json: JsonZipsOption = False,
    workload: WorkloadOption = "cpu",
) -> None:
    """Build the Lambda zips (help: PACKAGE_HELP)."""
    from telemetry_agg.bench import errors  # noqa: PLC0415 - lazy: only this command pays for it
    from telemetry_agg.bench.aws.package import package_main, print_artifacts  # noqa: PLC0415
    from telemetry_agg.bench.model import workloads  # noqa: PLC0415

    with errors.handled(usage=True):
        chosen = registry.select(lanes, language)
        go_build = workloads.get(workload).go_build
    artifacts = tuple(dict.fromkeys(lane.artifact for lane in chosen))
    if only is not None:
        artifacts = (str(only),)
    built = package_main(
        arch=arch, out_dir=out_dir, artifacts=artifacts, bootstrap=bootstrap, go_build=go_build
    )
    print_artifacts(built, as_json)


def register(app: typer.Typer) -> None:
    app.command("package", help=PACKAGE_HELP)(package_command)
