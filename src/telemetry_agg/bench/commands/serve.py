"""`telemetry-bench serve`: the options, then one library call."""

from __future__ import annotations

from typing import Annotated

import typer

from telemetry_agg.bench.commands.options import DEFAULT_WORKLOAD, WorkloadOption


def serve(
    *,
    port_python: Annotated[
        int, typer.Option(help="Port of the Python function's URL (0: a free port).")
    ] = 9000,
    port_go: Annotated[
        int, typer.Option(help="Port of the Go function's URL (0: a free port).")
    ] = 9001,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", help="Environments per function.")
    ] = 2,
    memory: Annotated[int, typer.Option(help="Memory size in MB.")] = 512,
    timeout: Annotated[int, typer.Option(help="Function timeout in seconds.")] = 10,
    aggregator: Annotated[str | None, typer.Option(help="Python aggregator.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the two URLs as JSON once they are up.")
    ] = False,
    workload: WorkloadOption = DEFAULT_WORKLOAD,
) -> None:
    """Serve both functions on local HTTP endpoints that behave like their Function URLs.

    Point curl, hey or `telemetry-bench remote` at them; Ctrl-C stops them and every
    environment. Example:

    [bold]curl -s -X POST --data-binary @payloads/payload-100.json http://127.0.0.1:9000/[/]"""
    from telemetry_agg.bench.local.serve import serve_main  # noqa: PLC0415 - lazy: only this command pays for it

    serve_main(
        port_python=port_python,
        port_go=port_go,
        concurrency=concurrency,
        memory=memory,
        timeout=timeout,
        aggregator=aggregator,
        as_json=as_json,
        workload=workload,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
