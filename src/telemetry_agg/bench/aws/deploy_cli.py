"""`deploy` and `destroy` at the CLI edge: the outputs printed (a table, or JSON), a failure
printed once, Ctrl-C mapped to 130 after terraform stopped gracefully, the exit code returned."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from telemetry_agg.bench import errors
from telemetry_agg.bench.aws import deploy, versions
from telemetry_agg.bench.errors import BenchError
from telemetry_agg.bench.paths import DEFAULT_DEPLOYMENT

if TYPE_CHECKING:
    from pathlib import Path

    from telemetry_agg.bench.aws.cold_options import ColdStartOptions
    from telemetry_agg.bench.aws.terraform import DeploymentOutputs


def print_outputs(outputs: DeploymentOutputs, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"deployed": True, "outputs": outputs}, indent=2))
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table(title="Deployed")
    table.add_column("output")
    table.add_column("value")
    for name, value in outputs.items():
        table.add_row(name, str(value))
    Console().print(table)
    if outputs["auth_type"] == "AWS_IAM":
        print(
            "The URLs take SigV4-signed requests only: the caller needs lambda:InvokeFunctionUrl "
            "and lambda:InvokeFunction on both functions. `telemetry-bench remote` signs them."
        )


def deploy_main(
    settings: deploy.Settings,
    *,
    lanes: tuple[str, ...],
    cold: ColdStartOptions | None = None,
    bootstrap: Path | None,
    out_dir: Path | None,
    auto_approve: bool,
    as_json: bool,
    keep_versions: bool = False,
) -> int:
    """The `deploy` command once its options are parsed: the exit code. Unless
    `keep_versions`, the published lanes' versions no alias serves go (aws/versions.py)."""
    try:
        outputs = deploy.deploy(
            settings,
            auto_approve=auto_approve,
            as_json=as_json,
            bootstrap=bootstrap,
            out_dir=out_dir,
            lanes=lanes,
            cold=cold,
        )
        if outputs is not None and not keep_versions:
            versions.prune_deployment(outputs, settings.region, deploy.say)
    except BenchError as exc:
        raise errors.exit_with(exc) from None
    except KeyboardInterrupt:
        raise deploy.interrupted() from None
    if outputs is None:
        if as_json:
            print(json.dumps({"deployed": False}))
        return errors.EXIT_FAILURE
    print_outputs(outputs, as_json)
    return errors.EXIT_OK


def destroy_main(
    *, region: str | None, auto_approve: bool, as_json: bool, name: str = DEFAULT_DEPLOYMENT
) -> int:
    """The `destroy` command once its options are parsed: the exit code; `name` is the
    deployment's (deploy's --name-prefix), which finds its state when installed."""
    try:
        outcome = deploy.destroy(
            region=region, auto_approve=auto_approve, as_json=as_json, name=name
        )
    except BenchError as exc:
        raise errors.exit_with(exc) from None
    except KeyboardInterrupt:
        raise deploy.interrupted() from None
    if as_json:
        print(json.dumps({"destroyed": outcome == "destroyed", "outcome": outcome}))
    # Declined: exit 1, as deploy when its plan is declined: nothing was done.
    return errors.EXIT_FAILURE if outcome == "declined" else errors.EXIT_OK
