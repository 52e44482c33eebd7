"""`telemetry-bench local`: the options, then one library call."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import Annotated

import typer

from telemetry_agg.bench.commands.options import DEFAULT_WORKLOAD, WorkloadOption

LOCAL_HELP = (
    "Run both Lambdas side by side under the real Lambda Runtime Interface Emulator.\n\n"
    "Per payload size and language: cold starts (a fresh environment each), warm invocations "
    "over concurrent environments, client latency avg/p50/p95/p99/max, the handler's own "
    "timings, REPORT Duration, peak RSS of the runtime, and both languages' answers compared "
    "(a mismatch fails the run). Ctrl-C stops cleanly and keeps what was measured.\n\n"
    "Examples:\n\n"
    "[bold]telemetry-bench local --quick -o results/local[/]  (under a minute on 2 cores)\n\n"
    "[bold]telemetry-bench local --sizes 100,20k --cold 10 --warm 500 -c 4 --memory 1024[/]\n\n"
    "[bold]telemetry-bench local --workload store --sizes 100,1k[/]  (every summary stored in "
    "DynamoDB, on a moto server the bench starts; the table is checked afterwards)\n\n"
    "Exit codes: 0 done, 1 a run failure (crash, timeout, mismatch), 2 bad options or "
    "payloads, "
    "3 a missing tool, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)."
)


def local(
    *,
    sizes: Annotated[
        str | None,
        typer.Option(
            help="Payload sizes in events, comma-separated (`1k` = 1000). "
            "(default: the study's 100,1000,5000,10000,20000)"
        ),
    ] = None,
    cold: Annotated[
        int | None,
        typer.Option(
            help="Cold starts per size and language (a fresh environment each). (default: 10)"
        ),
    ] = None,
    warm: Annotated[
        int | None, typer.Option(help="Warm invocations per size and language. (default: 300)")
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", "-c", help="Concurrent environments (one emulator each). (default: 2)"
        ),
    ] = None,
    memory: Annotated[
        int,
        typer.Option(help="Memory size in MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE; the cost table)."),
    ] = 512,
    cpu_cap: Annotated[
        bool,
        typer.Option(
            "--cpu-cap",
            help="Cap each environment's CPU at memory/1,769 MB vCPUs, as Lambda does "
            "(needs a writable cgroup).",
        ),
    ] = False,
    aggregator: Annotated[
        str | None,
        typer.Option(
            help="Python aggregator (TELEMETRY_AGG_AGGREGATOR): reference, orjson, msgspec ..."
        ),
    ] = None,
    timeout: Annotated[
        int, typer.Option(help="Function timeout in seconds (AWS_LAMBDA_FUNCTION_TIMEOUT).")
    ] = 10,
    seed: Annotated[int, typer.Option(help="Payload generator seed.")] = 42,
    payload_dir: Annotated[
        Path | None,
        typer.Option(
            "--payloads",
            help="Read payload-SIZE.json from this folder (`telemetry-bench gen`) "
            "instead of generating.",
        ),
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option("--language", "-l", help="Only this language (repeatable): python, go."),
    ] = None,
    price: Annotated[
        float | None,
        typer.Option(help="Price per GB-second for the cost table. (default: arm64 in us-east-1)"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write results.json, results.csv, results.md and latency.png here.",
        ),
    ] = None,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="A short run (under a minute here): the study's sizes, 5 cold, 200 warm, "
            "2 environments.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the machine-readable summary to stdout.")
    ] = False,
    workload: WorkloadOption = DEFAULT_WORKLOAD,
) -> None:
    """`telemetry-bench local`; the help text is LOCAL_HELP."""
    from telemetry_agg.bench.local.run import local_main  # noqa: PLC0415 - lazy: only this command pays for it

    local_main(
        sizes=sizes,
        cold=cold,
        warm=warm,
        concurrency=concurrency,
        memory=memory,
        cpu_cap=cpu_cap,
        aggregator=aggregator,
        timeout=timeout,
        seed=seed,
        payload_dir=payload_dir,
        language=language,
        price=price,
        output=output,
        quick=quick,
        as_json=as_json,
        workload=workload,
    )


def register(app: typer.Typer) -> None:
    app.command("local", help=LOCAL_HELP)(local)
