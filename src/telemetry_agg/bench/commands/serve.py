"""`telemetry-bench serve`: the options, then one library call (`local.serve.serve_main`).

Each lane has its own port option, generated from the lane registry: `--port-python`,
`--port-go`, and `--port-<lane>` for any lane added there.
"""

from __future__ import annotations

import inspect
from typing import Annotated

import typer

from telemetry_agg.bench.commands.options import (
    AggregatorOption,
    LanesOption,
    LanguageOption,
    MemoryOption,
    TimeoutOption,
    WorkloadOption,
    lane_option,
    per_lane,
)
from telemetry_agg.bench.model import lanes as registry

SERVE_HELP = (
    "Serve every lane on a local HTTP endpoint that behaves like its Function URL.\n\n"
    "Point curl, hey or `telemetry-bench remote` at them; Ctrl-C (exit 130) or SIGTERM (143) "
    "stops them and every environment. Example:\n\n"
    "[bold]curl -s -X POST --data-binary @payloads/payload-100.json http://127.0.0.1:9000/[/]"
)
FIRST_PORT = 9000


def _port_option(lane: registry.Lane) -> inspect.Parameter:
    return lane_option(
        lane,
        "port",
        flag=f"--port-{lane.option}",
        kind=int,
        default=FIRST_PORT + registry.names().index(lane.name),
        help_text=f"Port of the {lane.display} function's URL (0: a free port).",
    )


ConcurrencyOption = Annotated[
    int, typer.Option("--concurrency", "-c", help="Environments per function.")
]
JsonUrlsOption = Annotated[
    bool, typer.Option("--json", help="Print the URLs as JSON once they are up.")
]


@per_lane(("port", _port_option))
def serve(
    *,
    port: dict[str, int],
    lanes: LanesOption = None,
    language: LanguageOption = None,
    concurrency: ConcurrencyOption = 2,
    memory: MemoryOption = 512,
    timeout: TimeoutOption = 10,
    aggregator: AggregatorOption = None,
    as_json: JsonUrlsOption = False,
    workload: WorkloadOption = "cpu",
) -> None:
    """`telemetry-bench serve`; the help text is SERVE_HELP."""
    from telemetry_agg.bench import errors  # noqa: PLC0415 - lazy: only this command pays for it
    from telemetry_agg.bench.local.serve import ServePlan, serve_main  # noqa: PLC0415
    from telemetry_agg.bench.model import workloads  # noqa: PLC0415

    with errors.handled(usage=True):
        chosen = tuple(lane.name for lane in registry.select(lanes, language))
        chosen_workload = workloads.get(workload)
    plan = ServePlan(
        lanes=chosen,
        ports={lane: port[lane] for lane in chosen},
        concurrency=concurrency,
        memory_mb=memory,
        timeout_s=timeout,
        aggregator=aggregator,
        workload=chosen_workload,
    )
    serve_main(plan, as_json=as_json)


def register(app: typer.Typer) -> None:
    app.command("serve", help=SERVE_HELP)(serve)
