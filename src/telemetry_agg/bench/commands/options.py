"""Options shared by several commands, declared once (reusable `Annotated` aliases), and the
per-lane options, generated from the lane registry (`per_lane`).

Light on purpose: Typer and the lane registry only, so any `--help` stays fast.
"""

from __future__ import annotations

import functools
import inspect
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from telemetry_agg.bench.model import lanes, workloads

if TYPE_CHECKING:
    from collections.abc import Callable


class ArchChoice(StrEnum):
    arm64 = "arm64"
    x86_64 = "x86_64"


class AuthChoice(StrEnum):
    AWS_IAM = "AWS_IAM"
    NONE = "NONE"


ArchOption = Annotated[
    ArchChoice,
    typer.Option(
        "--arch",
        help="Lambda architecture: arm64 (Graviton, the study's) or x86_64.",
        case_sensitive=False,
    ),
]
RegionOption = Annotated[
    str,
    typer.Option("--region", help="AWS region to deploy to.", envvar="AWS_REGION"),
]
AutoApproveOption = Annotated[
    bool, typer.Option("--auto-approve", help="Apply the plan without asking (needed in CI).")
]
DeployJsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print the result as JSON on stdout (Terraform's output: stderr)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")]
LanesOption = Annotated[
    str | None,
    typer.Option(
        "--lanes",
        help="Lanes, comma-separated: " + ", ".join(lanes.names()) + " (default: all of them).",
    ),
]
LanguageOption = Annotated[
    list[str] | None,
    typer.Option(
        "--language",
        "-l",
        help="Only the lanes of this language (repeatable): "
        + ", ".join(dict.fromkeys(lane.language for lane in lanes.all_lanes()))
        + ".",
    ),
]
ConcurrencyOption = Annotated[
    int | None,
    typer.Option(
        "--concurrency",
        "-c",
        help="Environments per lane at once (one emulator each). (default: 1 on a machine of "
        "fewer than 4 cores, else 2: more environments than half the cores share the CPU, "
        "which Lambda's do not, and every lane's Duration grows)",
    ),
]
MemoryOption = Annotated[
    int, typer.Option(help="Memory size in MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE; the cost table).")
]
TimeoutOption = Annotated[
    int, typer.Option(help="Function timeout in seconds (AWS_LAMBDA_FUNCTION_TIMEOUT).")
]
AggregatorOption = Annotated[
    str | None,
    typer.Option(
        help="Python aggregator (TELEMETRY_AGG_AGGREGATOR): reference, orjson, msgspec ..."
    ),
]
SeedOption = Annotated[int, typer.Option(help="Payload generator seed (same seed, same bytes).")]
WorkloadOption = Annotated[
    str,
    typer.Option(
        "--workload",
        help=f"What the functions do ({', '.join(workloads.names())}): cpu, the study's job; "
        "store, each summary also stored in DynamoDB (locally: a moto server and table the "
        "bench starts, checked after the run).",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write results.json, results.csv, results.md and latency.png here."
    ),
]


def per_lane(
    *families: tuple[str, Callable[[lanes.Lane], inspect.Parameter]],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command one option per registered lane for each family, e.g. ("ports",
    make_port_option): the command receives `ports={lane name: value}` instead. A lane added to
    the registry gets its options (`--port-python-lean`) with no other change."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(command, eval_str=True)
        base = [p for p in signature.parameters.values() if p.name not in dict(families)]
        generated = {
            family: {lane.name: make(lane) for lane in lanes.all_lanes()}
            for family, make in families
        }

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            for family, params in generated.items():
                kwargs[family] = {lane: kwargs.pop(p.name) for lane, p in params.items()}
            return command(**kwargs)

        extra = [p for params in generated.values() for p in params.values()]
        wrapper.__signature__ = signature.replace(parameters=[*base, *extra])  # type: ignore[attr-defined]
        return wrapper

    return decorate


def lane_option(
    lane: lanes.Lane, family: str, *, flag: str, kind: Any, default: Any, help_text: str
) -> inspect.Parameter:
    """One generated option: `flag` names it (e.g. `--port-python-lean`), `family` its parameter
    (`port_python_lean`)."""
    return inspect.Parameter(
        f"{family}_{lane.key}",
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[kind, typer.Option(flag, help=help_text)],
    )
