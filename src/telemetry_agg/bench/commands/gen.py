"""`telemetry-bench gen`: the options, then one library call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from telemetry_agg.bench.model.payloads import DEFAULT_SIZES, ENDPOINTS


def gen(
    *,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write payload-SIZE.json into.")
    ] = Path("payloads"),
    sizes: Annotated[
        str, typer.Option(help="Event counts, comma-separated; `1k` = 1000.")
    ] = ",".join(map(str, DEFAULT_SIZES)),
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")] = 42,
    endpoints: Annotated[
        int, typer.Option(help="Distinct endpoints (the study's six; more adds /e7, /e8 ...).")
    ] = len(ENDPOINTS),
    users: Annotated[
        int | None,
        typer.Option(help="Distinct user ids drawn from a fixed pool (default: a fresh id each)."),
    ] = None,
    invalid: Annotated[
        float, typer.Option(help="Share of invalid events, 0 to 1 (e.g. 0.05).")
    ] = 0.0,
    event: Annotated[
        bool,
        typer.Option("--event", help="Also write event-SIZE.json: a Function URL event (v2.0)."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what was written as JSON.")
    ] = False,
) -> None:
    """Write telemetry payloads like the original study's (deterministic for a seed).

    Example: [bold]telemetry-bench gen --sizes 100,1k --seed 7 --invalid 0.05 -o payloads[/]"""
    from telemetry_agg.bench import errors  # noqa: PLC0415 - lazy: only this command pays for it
    from telemetry_agg.bench.model import payloads  # noqa: PLC0415
    from telemetry_agg.bench.reporting.progress import bars  # noqa: PLC0415

    with errors.handled(usage=True):
        size_list = payloads.parse_sizes(sizes)
        knobs = payloads.Knobs(seed=seed, endpoints=endpoints, users=users, invalid=invalid)
        knobs.check()
    written: list[Path] = []
    try:
        with bars(errors.stderr_console(), elapsed=False) as progress:
            task = progress.add_task("generating", total=sum(size_list))
            for size in size_list:
                written += payloads.write(output, [size], knobs, event=event)
                progress.advance(task, size)
    except KeyboardInterrupt as exc:
        errors.print_error(
            f"{errors.stop_reason(exc)}; the files written so far are kept", label="stopped"
        )
        raise typer.Exit(errors.exit_code(exc)) from None
    except OSError as exc:
        errors.fail(f"cannot write to {output}: {exc.strerror}", errors.EXIT_FAILURE)
    files = [{"path": str(p), "bytes": p.stat().st_size} for p in written]
    if as_json:
        typer.echo(json.dumps({"files": files, "seed": seed, "sizes": size_list}))
    else:
        for f in files:
            typer.echo(f"wrote {f['path']} ({f['bytes']:,} bytes)")


def register(app: typer.Typer) -> None:
    app.command("gen")(gen)
