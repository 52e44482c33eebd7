"""`telemetry-bench remote`: the options, then one library call."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import Annotated

import typer

from telemetry_agg.bench.model.payloads import DEFAULT_SIZES

_HELP_PARAGRAPHS = (
    "Benchmark the two deployed Function URLs: cold starts, load, REPORT lines, cost.",
    (
        "URLs, function names, log groups, region, architecture and auth type come from the "
        "Terraform outputs (`telemetry-bench deploy`), or from the flags, which win. Requests are "
        "SigV4-signed when the auth type is AWS_IAM (your usual AWS credentials), plain when NONE."
    ),
    (
        "Cold starts (-k per size and language) change an environment variable of each function "
        "and wait for the update, as Lambda Power Tuning does; they and the REPORT lines (Init "
        "Duration, Billed Duration, Max Memory Used, from CloudWatch Logs) need the function "
        "names. Errors, timeouts and 429 throttles are counted per language and shown; 429s and "
        "refused connections are retried with backoff. One good answer of each language per size "
        "is compared by the contract's agreement rule."
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


def remote(
    *,
    sizes: Annotated[
        str, typer.Option(help="Payload sizes in events, comma-separated; 1k = 1000.")
    ] = ",".join(map(str, DEFAULT_SIZES)),
    requests: Annotated[
        int | None,
        typer.Option("--requests", "-n", help="Requests per size and language (like hey -n)."),
    ] = 200,
    duration: Annotated[
        float | None,
        typer.Option("--duration", "-z", help="Send for this many seconds instead (like hey -z)."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", help="Requests in flight (like hey -c).")
    ] = 20,
    timeout: Annotated[float, typer.Option(help="Per-request timeout, seconds.")] = 30.0,
    cold_starts: Annotated[
        int,
        typer.Option(
            "--cold-starts", "-k", help="Forced cold starts per size and language (0: none)."
        ),
    ] = 5,
    memory_sweep: Annotated[
        str | None,
        typer.Option(
            help="Measure at each memory size (MB), e.g. 256,512,1024,1769; restores the original."
        ),
    ] = None,
    invocations: Annotated[
        int, typer.Option(help="Monthly volume for the saving table.")
    ] = 1_000_000,
    python_url: Annotated[str | None, typer.Option(help="The Python Function URL.")] = None,
    go_url: Annotated[str | None, typer.Option(help="The Go Function URL.")] = None,
    python_function: Annotated[str | None, typer.Option(help="The Python function's name.")] = None,
    go_function: Annotated[str | None, typer.Option(help="The Go function's name.")] = None,
    python_log_group: Annotated[str | None, typer.Option(help="Default: /aws/lambda/NAME.")] = None,
    go_log_group: Annotated[str | None, typer.Option(help="Default: /aws/lambda/NAME.")] = None,
    region: Annotated[
        str | None, typer.Option(help="AWS region (default: outputs, URL, AWS_REGION).")
    ] = None,
    auth_type: Annotated[str | None, typer.Option(help="AWS_IAM (signed) or NONE.")] = None,
    arch: Annotated[str | None, typer.Option(help="arm64 or x86_64, for the price.")] = None,
    reports: Annotated[
        bool, typer.Option("--reports/--no-reports", help="Read REPORT lines from CloudWatch Logs.")
    ] = True,
    warmup: Annotated[
        bool,
        typer.Option(
            "--warmup/--no-warmup",
            help="One unrecorded request per worker before the load, so all C environments are "
            "warm.",
        ),
    ] = True,
    price_per_gb_second: Annotated[
        float | None,
        typer.Option(help="Price per GB-second, for a region without a built-in price."),
    ] = None,
    report_wait: Annotated[
        float, typer.Option(help="Longest wait for REPORT lines, seconds.")
    ] = 60.0,
    seed: Annotated[int, typer.Option(help="Payload seed (same seed, same bytes).")] = 42,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Results folder.")] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option(help="AWS API endpoint override (testing: moto, LocalStack).", hidden=True),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary on stdout.")
    ] = False,
) -> None:
    from telemetry_agg.bench.aws.remote import remote_main  # noqa: PLC0415 - lazy: only this command pays for it

    remote_main(
        sizes=sizes,
        requests=requests,
        duration=duration,
        concurrency=concurrency,
        timeout=timeout,
        cold_starts=cold_starts,
        memory_sweep=memory_sweep,
        invocations=invocations,
        python_url=python_url,
        go_url=go_url,
        python_function=python_function,
        go_function=go_function,
        python_log_group=python_log_group,
        go_log_group=go_log_group,
        region=region,
        auth_type=auth_type,
        arch=arch,
        reports=reports,
        warmup=warmup,
        price_per_gb_second=price_per_gb_second,
        report_wait=report_wait,
        seed=seed,
        output=output,
        endpoint_url=endpoint_url,
        as_json=as_json,
    )


def register(app: typer.Typer) -> None:
    app.command("remote", help=REMOTE_HELP)(remote)
