"""`telemetry-bench deploy, destroy`: the options, then one library call."""

from __future__ import annotations

from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import Annotated

import typer

from telemetry_agg.bench.commands.options import (
    ArchChoice,
    ArchOption,
    AuthChoice,
    AutoApproveOption,
    JsonOption,
    RegionOption,
)

DEPLOY_HELP = (
    "Deploy both functions (Python and Go, behind Function URLs) to your AWS account.\n\n"
    "Checks the region, finds terraform or tofu, checks your credentials (the standard AWS chain: "
    "profile, SSO, environment; none is ever printed or written), runs init, builds the zips "
    "(`telemetry-bench package`), then plans and, once you confirm, applies. Running it again "
    "with the same options changes nothing. The URLs use AWS_IAM auth unless you pass "
    "--auth NONE.\n\n"
    "Example: telemetry-bench deploy --region eu-west-1 --memory 1024 --auto-approve"
)

DESTROY_HELP = (
    "Destroy everything `deploy` created: functions, URLs, roles, log groups.\n\n"
    "Works after a deploy that failed halfway: it removes whatever the state holds, in the "
    "region that deploy used.\n\n"
    "Example: telemetry-bench destroy --auto-approve"
)


def deploy_command(  # noqa: PLR0917 - one parameter per option, as Typer wants
    region: RegionOption = "us-east-1",
    memory: Annotated[
        int,
        typer.Option("--memory", min=128, max=10240, help="Memory of each function, in MB."),
    ] = 512,
    arch: ArchOption = ArchChoice.arm64,
    auth: Annotated[
        AuthChoice,
        typer.Option(
            "--auth",
            help="Function URL auth type. NONE makes both URLs public: see the warning.",
            case_sensitive=False,
        ),
    ] = AuthChoice.AWS_IAM,
    name_prefix: Annotated[
        str,
        typer.Option("--name-prefix", help="Prefix of every resource name (<prefix>-python)."),
    ] = "telemetry-agg",
    reserved_concurrency: Annotated[
        int,
        typer.Option(
            "--reserved-concurrency",
            min=-1,
            help="Concurrency reserved for (and capping) each function; -1 for none, which "
            "accounts with a concurrency quota of 10 need.",
        ),
    ] = 25,
    bootstrap: Annotated[
        Path | None,
        typer.Option("--bootstrap", help="A prebuilt Go `bootstrap` instead of building one."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Where the zips are built (default: build/)."),
    ] = None,
    auto_approve: AutoApproveOption = False,
    as_json: JsonOption = False,
) -> None:
    """Deploy (help: DEPLOY_HELP)."""
    from telemetry_agg.bench.aws.deploy import deploy_main  # noqa: PLC0415 - lazy: only this command pays for it

    deploy_main(
        region=region,
        memory=memory,
        arch=arch,
        auth=auth,
        name_prefix=name_prefix,
        reserved_concurrency=reserved_concurrency,
        bootstrap=bootstrap,
        out_dir=out_dir,
        auto_approve=auto_approve,
        as_json=as_json,
    )


def destroy_command(
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            help="Region of the deployment (default: the one the last deploy used).",
        ),
    ] = None,
    auto_approve: AutoApproveOption = False,
    as_json: JsonOption = False,
) -> None:
    """Destroy (help: DESTROY_HELP)."""
    from telemetry_agg.bench.aws.deploy import destroy_main  # noqa: PLC0415 - lazy: only this command pays for it

    destroy_main(region=region, auto_approve=auto_approve, as_json=as_json)


def register(app: typer.Typer) -> None:
    app.command("deploy", help=DEPLOY_HELP)(deploy_command)
    app.command("destroy", help=DESTROY_HELP)(destroy_command)
