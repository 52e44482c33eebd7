"""Options shared by several commands, declared once (reusable `Annotated` aliases)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from telemetry_agg.bench.model import workloads


class ArchChoice(StrEnum):
    arm64 = "arm64"
    x86_64 = "x86_64"


class LanguageChoice(StrEnum):
    python = "python"
    go = "go"


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


JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print the result as JSON on stdout (Terraform's output: stderr)."),
]


class AuthChoice(StrEnum):
    AWS_IAM = "AWS_IAM"
    NONE = "NONE"


DEFAULT_WORKLOAD = workloads.DEFAULT
WorkloadOption = Annotated[
    str,
    typer.Option(
        "--workload",
        help=f"What the functions do ({', '.join(workloads.names())}): cpu, the study's job; "
        "store, each summary also stored in DynamoDB (locally: a moto server and table the "
        "bench starts, checked after the run).",
    ),
]
