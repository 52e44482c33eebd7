"""`telemetry-bench deploy` and `destroy`: the options, a settings object, one library call."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from telemetry_agg.bench.commands.options import (
    ArchChoice,
    ArchOption,
    AuthChoice,
    AutoApproveOption,
    DeployJsonOption,
    LanesOption,
    LanguageOption,
    RegionOption,
)
from telemetry_agg.bench.constants import DEFAULT_REGION, MEMORY_MAX_MB, MEMORY_MIN_MB

DEPLOY_HELP = (
    "Deploy every lane's function (behind a Function URL each) to your AWS account.\n\n"
    "Checks the region, finds terraform or tofu, checks your credentials (the standard AWS chain: "
    "profile, SSO, environment; none is ever printed or written), runs init, builds the zips "
    "(`telemetry-bench package`), then plans and, once you confirm, applies. Running it again "
    "with the same options changes nothing. The URLs use AWS_IAM auth unless you pass "
    "--auth NONE.\n\n"
    "Cold-start options (one or none): --snapstart (the Python lanes on python3.12+; Go's "
    "provided.al2023 has no SnapStart and stays on demand; the lean lane is refused) or "
    "--provisioned-concurrency N (N environments kept initialised for every lane, all month). "
    "Either publishes a version behind the alias `live`, whose Function URL `remote` uses. "
    "--workload store adds the DynamoDB table every summary is written to.\n\n"
    "Example: telemetry-bench deploy --region eu-west-1 --memory 1024 --auto-approve\n\n"
    "Example: telemetry-bench deploy --lanes python,go --snapstart"
)

DESTROY_HELP = (
    "Destroy everything `deploy` created: functions with their versions, the alias `live` "
    "and its provisioned concurrency, URLs, roles, log groups, and the DynamoDB table of "
    "--workload store.\n\n"
    "Works after a deploy that failed halfway: it removes whatever the state holds, in the "
    "region that deploy used, from the state deploy left (infra/ in a checkout; installed, "
    "the deployment's folder named by --name-prefix).\n\n"
    "Example: telemetry-bench destroy --auto-approve"
)


DeployMemoryOption = Annotated[
    int,
    typer.Option(
        "--memory", min=MEMORY_MIN_MB, max=MEMORY_MAX_MB, help="Memory of each function, in MB."
    ),
]
AuthOption = Annotated[
    AuthChoice,
    typer.Option(
        "--auth",
        help="Function URL auth type. NONE makes the URLs public: see the warning.",
        case_sensitive=False,
    ),
]
NamePrefixOption = Annotated[
    str,
    typer.Option(
        "--name-prefix",
        help="Prefix of every resource name (<prefix>-<lane>); installed from a wheel, also the "
        "deployment's name: its state is in ~/.local/state/telemetry-agg/deployments/<prefix>/.",
    ),
]
ReservedOption = Annotated[
    int,
    typer.Option(
        "--reserved-concurrency",
        min=-1,
        help="Concurrency reserved for (and capping) each function; -1 for none, which "
        "accounts with a concurrency quota of 10 need.",
    ),
]
BootstrapOption = Annotated[
    Path | None,
    typer.Option("--bootstrap", help="A prebuilt Go `bootstrap` instead of building one."),
]
OutDirOption = Annotated[
    Path | None, typer.Option("--out-dir", help="Where the zips are built (default: build/).")
]
SnapStartOption = Annotated[
    bool,
    typer.Option(
        "--snapstart",
        help="SnapStart on the Python lanes (python3.12+): INIT once per published version, "
        "then each new environment restored from the snapshot. Go (provided.al2023) has none: "
        "refused when only Go is selected. Not with --provisioned-concurrency.",
    ),
]
ProvisionedOption = Annotated[
    int,
    typer.Option(
        "--provisioned-concurrency",
        min=0,
        help="N execution environments kept initialised per lane, around the clock (billed "
        "all month); at most --reserved-concurrency, and what the account has unreserved. "
        "0: none. Not with --snapstart.",
    ),
]
WorkloadOption = Annotated[
    str,
    typer.Option(
        "--workload",
        help="cpu (default) or store: a DynamoDB table, and every function writes each "
        "summary to it (TELEMETRY_AGG_TABLE). `destroy` removes the table too.",
    ),
]
KeepVersionsOption = Annotated[
    bool,
    typer.Option(
        "--keep-versions",
        help="Keep the published versions no alias serves any more (by default a deploy "
        "deletes them: each SnapStart version's snapshot cache is billed while it exists).",
    ),
]
DestroyRegionOption = Annotated[
    str | None,
    typer.Option(
        "--region", help="Region of the deployment (default: the one the last deploy used)."
    ),
]


def deploy_command(
    *,
    region: RegionOption = DEFAULT_REGION,
    memory: DeployMemoryOption = 512,
    arch: ArchOption = ArchChoice.arm64,
    auth: AuthOption = AuthChoice.AWS_IAM,
    name_prefix: NamePrefixOption = "telemetry-agg",
    reserved_concurrency: ReservedOption = 25,
    lanes: LanesOption = None,
    language: LanguageOption = None,
    snapstart: SnapStartOption = False,
    provisioned_concurrency: ProvisionedOption = 0,
    workload: WorkloadOption = "cpu",
    keep_versions: KeepVersionsOption = False,
    bootstrap: BootstrapOption = None,
    out_dir: OutDirOption = None,
    auto_approve: AutoApproveOption = False,
    as_json: DeployJsonOption = False,
) -> None:
    """Deploy (help: DEPLOY_HELP)."""
    from telemetry_agg.bench import errors  # noqa: PLC0415 - lazy: only this command pays for it
    from telemetry_agg.bench.aws import cold_options, deploy, deploy_cli, package  # noqa: PLC0415
    from telemetry_agg.bench.model import lanes as registry  # noqa: PLC0415

    with errors.handled(usage=True):
        chosen = tuple(lane.name for lane in registry.select(lanes, language))
    settings = deploy.Settings(
        region=region,
        architecture=package.as_arch(arch),
        memory_size=memory,
        function_url_auth_type=str(auth),
        name_prefix=name_prefix,
        reserved_concurrency=reserved_concurrency,
        workload=workload,
    )
    code = deploy_cli.deploy_main(
        settings,
        lanes=chosen,
        cold=cold_options.ColdStartOptions(snapstart, provisioned_concurrency),
        bootstrap=bootstrap,
        out_dir=out_dir,
        auto_approve=auto_approve,
        as_json=as_json,
        keep_versions=keep_versions,
    )
    if code:
        raise typer.Exit(code)


def destroy_command(
    *,
    region: DestroyRegionOption = None,
    name_prefix: NamePrefixOption = "telemetry-agg",
    auto_approve: AutoApproveOption = False,
    as_json: DeployJsonOption = False,
) -> None:
    """Destroy (help: DESTROY_HELP)."""
    from telemetry_agg.bench.aws.deploy_cli import destroy_main  # noqa: PLC0415 - lazy

    code = destroy_main(region=region, auto_approve=auto_approve, as_json=as_json, name=name_prefix)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("deploy", help=DEPLOY_HELP)(deploy_command)
    app.command("destroy", help=DESTROY_HELP)(destroy_command)
