"""`telemetry-bench remote`: the options, then one library call (`remote_session.remote_main`).

Each lane has its own URL, function and log-group options, generated from the lane registry:
`--python-url`, `--go-function`, `--<lane>-log-group` ...
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from telemetry_agg.bench.commands.options import (
    JsonOption,
    LanesOption,
    LanguageOption,
    lane_option,
    per_lane,
)
from telemetry_agg.bench.model import lanes as registry
from telemetry_agg.bench.model.payloads import DEFAULT_SIZES

_HELP_PARAGRAPHS = (
    "Benchmark the lanes' deployed Function URLs: cold starts, load, REPORT lines, cost.",
    (
        "URLs, function names, log groups, region, architecture and auth type come from the "
        "Terraform outputs (`telemetry-bench deploy`), or from the flags, which win. Requests are "
        "SigV4-signed when the auth type is AWS_IAM (your usual AWS credentials), plain when NONE."
    ),
    (
        "Cold starts (-k per size and lane) change an environment variable of each function "
        "and wait for the update, as Lambda Power Tuning does; they and the REPORT lines (Init "
        "Duration, Billed Duration, Max Memory Used, from CloudWatch Logs) need the function "
        "names. Errors, timeouts and 429 throttles are counted per lane and shown; 429s and "
        "refused connections are retried with backoff. One good answer of each lane per size "
        "is compared by the contract's agreement rule."
    ),
    (
        "A lane deployed with --snapstart or --provisioned-concurrency N serves a published "
        "version: its -k cold starts are one burst of parallel requests beyond the ready "
        "environments (N, or those the bench kept busy), and its REPORT lines tell on-demand "
        "cold (Init Duration), restored (Restore Duration) and warm or provisioned apart; "
        "provisioned concurrency is waited for until READY (--ready-timeout). The tables price "
        "each option per lane and size at --invocations and --cold-share."
    ),
    "Examples:",
    "[bold]telemetry-bench remote --sizes 100,20k -c 20 -n 200[/]",
    "[bold]telemetry-bench remote --python-url URL --go-url URL --auth-type NONE -k 0[/]",
    "[bold]telemetry-bench remote --memory-sweep 256,512,1024,1769 --invocations 100000000[/]",
    (
        "Results (results.json/.csv/.md; sweep.md and sweep.json with --memory-sweep, one folder "
        "per memory size) go to --output; render or compare them with `telemetry-bench report "
        "DIR...`. Exit code 0 when every series got answers; 1 when the run failed, a series "
        "got none or the answers disagree (partial results are saved); 2 for bad options or a "
        "payload over 6 MB; 130 on Ctrl-C, 143 on SIGTERM "
        "(memory restored first)."
    ),
)

REMOTE_HELP = "\n\n".join(_HELP_PARAGRAPHS)


def _lane_flag(
    family: str, flag: str, what: str
) -> tuple[str, Callable[[registry.Lane], inspect.Parameter]]:
    """One family of per-lane options: `--<lane>-<flag>`, received as `<family>={lane: value}`."""

    def make(lane: registry.Lane) -> inspect.Parameter:
        help_text = what.format(name=lane.display, lane=lane.option)
        return lane_option(
            lane,
            family,
            flag=f"--{lane.option}-{flag}",
            kind=str | None,
            default=None,
            help_text=help_text,
        )

    return family, make


STUDY_SIZES = ",".join(map(str, DEFAULT_SIZES))
URLS = _lane_flag("url", "url", "The {name} Function URL.")
FUNCTIONS = _lane_flag("function", "function", "The {name} function's name.")
LOG_GROUPS = _lane_flag(
    "log_group", "log-group", "The {name} log group (default: /aws/lambda/NAME)."
)

SizesOption = Annotated[
    str, typer.Option(help="Payload sizes in events, comma-separated; 1k = 1000.")
]
RequestsOption = Annotated[
    int | None, typer.Option("--requests", "-n", help="Requests per size and lane (like hey -n).")
]
DurationOption = Annotated[
    float | None,
    typer.Option("--duration", "-z", help="Send for this many seconds instead (like hey -z)."),
]
InFlightOption = Annotated[
    int, typer.Option("--concurrency", "-c", help="Requests in flight (like hey -c).")
]
RequestTimeoutOption = Annotated[float, typer.Option(help="Per-request timeout, seconds.")]
ColdStartsOption = Annotated[
    int,
    typer.Option("--cold-starts", "-k", help="Forced cold starts per size and lane (0: none)."),
]
SweepOption = Annotated[
    str | None,
    typer.Option(
        help="Measure at each memory size (MB), e.g. 256,512,1024,1769; restores the original."
    ),
]
InvocationsOption = Annotated[
    int, typer.Option(help="Monthly volume for the saving and cold-start options tables.")
]
ColdShareOption = Annotated[
    float,
    typer.Option(
        help="Share of invocations that need a new environment (0 to 1), for the cold-start "
        "options table: on-demand, SnapStart, provisioned concurrency."
    ),
]
WorkloadOption = Annotated[
    str | None,
    typer.Option(
        help="cpu or store (each summary written to DynamoDB): must be the deployed one "
        "(default: what the Terraform outputs say, else cpu)."
    ),
]
ReadyTimeoutOption = Annotated[
    float,
    typer.Option(help="Longest wait for provisioned concurrency to be READY, seconds."),
]
RegionOption = Annotated[
    str | None, typer.Option(help="AWS region (default: outputs, URL, AWS_REGION).")
]
AuthTypeOption = Annotated[str | None, typer.Option(help="AWS_IAM (signed) or NONE.")]
ArchOption = Annotated[str | None, typer.Option(help="arm64 or x86_64, for the price.")]
ReportsOption = Annotated[
    bool, typer.Option("--reports/--no-reports", help="Read REPORT lines from CloudWatch Logs.")
]
WarmupOption = Annotated[
    bool,
    typer.Option(
        "--warmup/--no-warmup",
        help="One unrecorded request per worker before the load, so all C environments are warm.",
    ),
]
PriceOption = Annotated[
    float | None,
    typer.Option(help="Price per GB-second, for a region without a built-in price."),
]
ReportWaitOption = Annotated[float, typer.Option(help="Longest wait for REPORT lines, seconds.")]
SeedOption = Annotated[int, typer.Option(help="Payload seed (same seed, same bytes).")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Results folder.")]
EndpointOption = Annotated[
    str | None,
    typer.Option(help="AWS API endpoint override (testing: moto, LocalStack).", hidden=True),
]


DeploymentOption = Annotated[
    str,
    typer.Option(
        "--name-prefix",
        help="Which deployment's Terraform outputs to read: the --name-prefix it was deployed "
        "with (installed from a wheel, each has its own state folder; a checkout has one, "
        "infra/).",
    ),
]


@per_lane(URLS, FUNCTIONS, LOG_GROUPS)
def remote(
    *,
    url: dict[str, str | None],
    function: dict[str, str | None],
    log_group: dict[str, str | None],
    sizes: SizesOption = STUDY_SIZES,
    lanes: LanesOption = None,
    language: LanguageOption = None,
    requests: RequestsOption = 200,
    duration: DurationOption = None,
    concurrency: InFlightOption = 20,
    timeout: RequestTimeoutOption = 30.0,
    cold_starts: ColdStartsOption = 5,
    memory_sweep: SweepOption = None,
    invocations: InvocationsOption = 1_000_000,
    cold_share: ColdShareOption = 0.01,
    workload: WorkloadOption = None,
    ready_timeout: ReadyTimeoutOption = 900.0,
    region: RegionOption = None,
    name_prefix: DeploymentOption = "telemetry-agg",
    auth_type: AuthTypeOption = None,
    arch: ArchOption = None,
    reports: ReportsOption = True,
    warmup: WarmupOption = True,
    price_per_gb_second: PriceOption = None,
    report_wait: ReportWaitOption = 60.0,
    seed: SeedOption = 42,
    output: OutputOption = None,
    endpoint_url: EndpointOption = None,
    as_json: JsonOption = False,
) -> None:
    """`telemetry-bench remote`; the help text is REMOTE_HELP."""
    from telemetry_agg.bench import errors  # noqa: PLC0415 - lazy: only this command pays for it
    from telemetry_agg.bench.aws import remote, remote_session  # noqa: PLC0415
    from telemetry_agg.bench.model import payloads  # noqa: PLC0415

    with errors.handled(usage=True):
        opts = remote_session.RemoteOptions(
            plan=remote.RemotePlan(
                sizes=payloads.parse_sizes(sizes),
                concurrency=concurrency,
                requests=requests if duration is None else None,
                duration_s=duration,
                timeout_s=timeout,
                cold_starts=cold_starts,
                report_wait_s=report_wait,
                warmup=warmup,
                price_per_gb_second=price_per_gb_second,
                read_reports=reports,
                invocations=invocations,
                cold_share=cold_share,
                ready_timeout_s=ready_timeout,
                knobs=payloads.Knobs(seed=seed),
            ),
            memory_sweep=remote_session.parse_memory_sweep(memory_sweep)
            if memory_sweep is not None
            else None,
            output=output,
            endpoint_url=endpoint_url,
            as_json=as_json,
        )
        opts.check()
        chosen = tuple(lane.name for lane in registry.select(lanes, language))
        flags = {"region": region, "auth_type": auth_type, "architecture": arch}
        flags["workload"] = workload
        for family, values in (("url", url), ("function", function), ("log_group", log_group)):
            flags |= {f"{registry.get(x).key}_{family}": values[x] for x in chosen}
        explicit = lanes is not None or bool(language)  # else: the lanes the deployment has
        deployment = remote.resolve_deployment(
            flags, lanes=chosen if explicit else None, deployment=name_prefix
        )
    code = remote_session.remote_main(deployment, opts)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("remote", help=REMOTE_HELP)(remote)
