"""`telemetry-bench report`: the options, then one library call."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

_REPORT_PARAGRAPHS = (
    "Render saved results (local or remote) as tables, Markdown and charts; compare runs.",
    (
        "Each DIR is a folder written by `telemetry-bench local` or `remote` (--output), a "
        "results.json, or a --memory-sweep folder (one memory-MB/ folder per size). Two runs "
        "or more are also shown side by side, with each run's speed-up over the first."
    ),
    "Examples:",
    "[bold]telemetry-bench report results/local[/]",
    "[bold]telemetry-bench report results/local results/remote-x -o report/[/]",
    "[bold]telemetry-bench report results/sweep --json[/]",
    "[bold]telemetry-bench report results/on-demand results/snapstart --invocations 100000000[/]",
    (
        "A remote run adds the cold-start options table: per lane and size, a month of "
        "on-demand, SnapStart and provisioned concurrency (N as deployed, else 1) at "
        "--invocations and --cold-share, and the traffic from which each pays; an INIT or "
        "restore time a run did not measure is taken from another run given."
    ),
    (
        "With --output: report.md and latency-RUN.png per run. Exit code 0; 1 when a DIR "
        "held no readable results (the others are still shown)."
    ),
)

REPORT_HELP = "\n\n".join(_REPORT_PARAGRAPHS)


def report_command(
    dirs: Annotated[
        list[Path],
        typer.Argument(
            help="Results folders or results.json files.", show_default=False, metavar="DIR"
        ),
    ],
    *,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write report.md and the charts into this folder."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary on stdout.")
    ] = False,
    invocations: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Monthly volume the saving and cold-start options tables price (default: "
            "what each run recorded).",
        ),
    ] = None,
    cold_share: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of invocations that need a new environment, for the cold-start "
            "options table (default: what each run recorded, else 0.01).",
        ),
    ] = None,
) -> None:
    from telemetry_agg.bench.reporting.runs import report_main  # noqa: PLC0415 - lazy

    code = report_main(
        dirs, output=output, as_json=as_json, invocations=invocations, cold_share=cold_share
    )
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("report", help=REPORT_HELP)(report_command)
