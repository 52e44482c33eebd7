"""`telemetry-bench micro`: the options, then one library call."""

from __future__ import annotations

from typing import Annotated

import typer


def micro(
    *,
    sizes: Annotated[
        str, typer.Option(help="Payload sizes in events, comma-separated.")
    ] = "100,1000,10000",
    repeat: Annotated[int, typer.Option(help="Timed runs per implementation and size.")] = 20,
    aggregator: Annotated[
        list[str] | None,
        typer.Option(
            "--aggregator",
            "-a",
            help="Only this Python aggregator (repeatable). (default: every one installed)",
        ),
    ] = None,
    go: Annotated[
        bool, typer.Option(help="Include the Go core (needs build/telemetry-agg).")
    ] = True,
    seed: Annotated[int, typer.Option(help="Payload generator seed.")] = 42,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the rows as JSON to stdout.")
    ] = False,
) -> None:
    """Compare every Python aggregator and the Go core on the same payloads, in process.

    Example: [bold]telemetry-bench micro --sizes 1k,20k --repeat 50[/]"""
    from telemetry_agg.bench.local.micro import micro_main  # noqa: PLC0415 - lazy: only this command pays for it

    micro_main(sizes=sizes, repeat=repeat, aggregator=aggregator, go=go, seed=seed, as_json=as_json)


def register(app: typer.Typer) -> None:
    app.command("micro")(micro)
