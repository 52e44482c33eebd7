"""`telemetry-bench local`: the options, then one library call (`local.session.local_main`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from telemetry_agg.bench.commands.options import (
    AggregatorOption,
    ConcurrencyOption,
    JsonOption,
    LanesOption,
    LanguageOption,
    MemoryOption,
    OutputOption,
    SeedOption,
    TimeoutOption,
    WorkloadOption,
)

LOCAL_HELP = (
    "Run every lane side by side under the real Lambda Runtime Interface Emulator.\n\n"
    "Per payload size and lane: cold starts (a fresh environment each), warm invocations "
    "over concurrent environments, client latency avg/p50/p95/p99/max, the handler's own "
    "timings, REPORT Duration, peak RSS of the runtime, and every lane's answer compared "
    "(a mismatch fails the run). Ctrl-C stops cleanly and keeps what was measured.\n\n"
    "Examples:\n\n"
    "[bold]telemetry-bench local --quick -o results/local[/]  (under a minute on 2 cores)\n\n"
    "[bold]telemetry-bench local --sizes 100,20k --cold 10 --warm 500 -c 4 --memory 1024[/]\n\n"
    "[bold]telemetry-bench local --workload store --sizes 100,1k[/]  (every summary also "
    "stored in DynamoDB, on a moto server the bench starts; the table is checked afterwards)"
    "\n\n"
    "Exit codes: 0 done, 1 a run failure (crash, timeout, mismatch), 2 bad options or "
    "payloads, "
    "3 a missing tool, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)."
)


SizesOption = Annotated[
    str | None,
    typer.Option(
        help="Payload sizes in events, comma-separated (`1k` = 1000). "
        "(default: the study's 100,1000,5000,10000,20000)"
    ),
]
ColdOption = Annotated[
    int | None,
    typer.Option(help="Cold starts per size and lane (a fresh environment each). (default: 10)"),
]
WarmOption = Annotated[
    int | None, typer.Option(help="Warm invocations per size and lane. (default: 300)")
]
CpuCapOption = Annotated[
    bool,
    typer.Option(
        "--cpu-cap",
        help="Cap each environment's CPU at memory/1,769 MB vCPUs, as Lambda does "
        "(needs a writable cgroup).",
    ),
]
PayloadsOption = Annotated[
    Path | None,
    typer.Option(
        "--payloads",
        help="Read payload-SIZE.json from this folder (`telemetry-bench gen`) instead of "
        "generating; each file is checked before anything starts.",
    ),
]
PriceOption = Annotated[
    float | None,
    typer.Option(help="Price per GB-second for the cost table. (default: arm64 in us-east-1)"),
]
QuickOption = Annotated[
    bool,
    typer.Option(
        "--quick",
        help="A short run (under a minute here): the study's sizes, 5 cold, 200 warm, "
        "2 environments.",
    ),
]


def local(
    *,
    sizes: SizesOption = None,
    cold: ColdOption = None,
    warm: WarmOption = None,
    concurrency: ConcurrencyOption = None,
    memory: MemoryOption = 512,
    cpu_cap: CpuCapOption = False,
    aggregator: AggregatorOption = None,
    timeout: TimeoutOption = 10,
    seed: SeedOption = 42,
    payload_dir: PayloadsOption = None,
    lanes: LanesOption = None,
    language: LanguageOption = None,
    price: PriceOption = None,
    output: OutputOption = None,
    quick: QuickOption = False,
    as_json: JsonOption = False,
    workload: WorkloadOption = "cpu",
) -> None:
    """`telemetry-bench local`; the help text is LOCAL_HELP."""
    from telemetry_agg.bench import errors  # noqa: PLC0415 - lazy: only this command pays for it
    from telemetry_agg.bench.local import run, session  # noqa: PLC0415
    from telemetry_agg.bench.model import lanes as registry  # noqa: PLC0415
    from telemetry_agg.bench.model import payloads, workloads  # noqa: PLC0415

    preset = run.QUICK if quick else {}
    with errors.handled(usage=True, stopping=" before the run started"):
        plan = run.LocalPlan(
            sizes=payloads.parse_sizes(
                sizes if sizes is not None else str(preset.get("sizes", run.DEFAULT_SIZES_TEXT))
            ),
            cold=cold if cold is not None else int(preset.get("cold", run.DEFAULT_COLD)),
            warm=warm if warm is not None else int(preset.get("warm", run.DEFAULT_WARM)),
            concurrency=concurrency if concurrency is not None else run.default_concurrency(),
            memory_mb=memory,
            timeout_s=timeout,
            aggregator=aggregator,
            lanes=tuple(lane.name for lane in registry.select(lanes, language)),
            cpu_cap=cpu_cap,
            knobs=payloads.Knobs(seed=seed),
            payload_dir=payload_dir,
            price=price,
            workload=workloads.get(workload),
        )
    code = session.local_main(plan, output=output, as_json=as_json)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("local", help=LOCAL_HELP)(local)
