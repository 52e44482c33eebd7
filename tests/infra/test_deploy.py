"""deploy and destroy: binary discovery, credentials (moto in server mode), a real failed init,
and the plan/confirm/apply sequence against a stand-in binary that records its calls.

Nothing here reaches AWS or the provider registry.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from aws_servers import create_function, publish_versions
from telemetry_agg.bench import paths
from telemetry_agg.bench.aws import cold_options, deploy, package, remote, terraform
from telemetry_agg.bench.errors import BenchError
from telemetry_agg.bench.local.moto import moto_server
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model import workloads

from .support import FAKE_SECRET, INFRA, REGION

if TYPE_CHECKING:
    import typer
    from typer.testing import CliRunner, Result

OUTPUTS = {
    "python_function_url": "https://py.lambda-url.eu-west-1.on.aws/",
    "go_function_url": "https://go.lambda-url.eu-west-1.on.aws/",
    "python_function_name": "telemetry-agg-python",
    "go_function_name": "telemetry-agg-go",
    "python_log_group_name": "/aws/lambda/telemetry-agg-python",
    "go_log_group_name": "/aws/lambda/telemetry-agg-go",
    "region": REGION,
    "architecture": "arm64",
    "memory_size": 512,
    "timeout": 10,
    "auth_type": "AWS_IAM",
}

# A stand-in for terraform: logs each call, copies the variables file it is given, creates the
# plan file, and exits with the code the test asks for per subcommand.
FAKE_TERRAFORM = textwrap.dedent(
    """\
    #!/usr/bin/env bash
    dir=${1#-chdir=}
    sub=$2
    printf '%s\\n' "$*" >> "$FAKE_TF_DIR/calls"
    for arg in "$@"; do
      case $arg in
        -var-file=*) cp "${arg#-var-file=}" "$FAKE_TF_DIR/vars.$sub.json" ;;
        -out=*) mkdir -p "$(dirname "$dir/${arg#-out=}")"; echo plan > "$dir/${arg#-out=}" ;;
      esac
    done
    case $sub in
      init) echo "Initializing provider plugins..."; exit "${FAKE_TF_INIT_RC:-0}" ;;
      plan) echo "Plan: 12 to add, 0 to change, 0 to destroy."; exit "${FAKE_TF_PLAN_RC:-2}" ;;
      apply) echo "Apply complete!"; exit "${FAKE_TF_APPLY_RC:-0}" ;;
      output) cat "$FAKE_TF_DIR/outputs.json"; exit 0 ;;
      *) echo "unexpected: $*" >&2; exit 3 ;;
    esac
    """
)


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


class FakeTerraform:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.binary = executable(directory / "bin" / "terraform", FAKE_TERRAFORM)
        outputs = {name: {"value": value} for name, value in OUTPUTS.items()}
        (directory / "outputs.json").write_text(json.dumps(outputs), encoding="utf-8")

    def calls(self) -> list[list[str]]:
        path = self.dir / "calls"
        if not path.exists():
            return []
        return [line.split()[1:] for line in path.read_text().splitlines()]

    def subcommands(self) -> list[str]:
        return [call[0] for call in self.calls()]

    def vars(self, sub: str) -> dict[str, object]:
        data = json.loads((self.dir / f"vars.{sub}.json").read_text())
        assert isinstance(data, dict)
        return data


@pytest.fixture
def infra_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of infra/ that deploy and destroy use instead (its state, its variables)."""
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    monkeypatch.setenv(terraform.ENV_INFRA_DIR, str(copy))
    return copy


@pytest.fixture
def fake_tf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTerraform:
    fake = FakeTerraform(tmp_path / "fake-terraform")
    monkeypatch.setenv("FAKE_TF_DIR", str(fake.dir))
    monkeypatch.setenv(terraform.ENV_BINARY, str(fake.binary))
    return fake


# --- finding the binary -----------------------------------------------------------------------


def test_terraform_on_path_wins_over_tofu(tmp_path: Path) -> None:
    tf = executable(tmp_path / "a" / "terraform", "#!/bin/sh\n")
    executable(tmp_path / "b" / "tofu", "#!/bin/sh\n")
    found = terraform.find_binary({"PATH": f"{tmp_path / 'b'}:{tmp_path / 'a'}"}, root=tmp_path)
    assert found == terraform.Binary(tf, "terraform")


def test_tofu_alone_is_found(tmp_path: Path) -> None:
    tofu = executable(tmp_path / "b" / "tofu", "#!/bin/sh\n")
    assert terraform.find_binary({"PATH": str(tmp_path / "b")}, root=tmp_path) == (
        terraform.Binary(tofu, "tofu")
    )


def test_the_tofu_that_setup_builds_is_the_fallback(tmp_path: Path) -> None:
    tofu = executable(tmp_path / ".tools" / "bin" / "tofu", "#!/bin/sh\n")
    found = terraform.find_binary({"PATH": str(tmp_path / "empty")}, root=tmp_path)
    assert found == terraform.Binary(tofu, "tofu")


def test_the_environment_variable_wins(tmp_path: Path) -> None:
    mine = executable(tmp_path / "opt" / "tofu-1.10", "#!/bin/sh\n")
    executable(tmp_path / "a" / "terraform", "#!/bin/sh\n")
    env = {"PATH": str(tmp_path / "a"), terraform.ENV_BINARY: str(mine)}
    assert terraform.find_binary(env, root=tmp_path) == terraform.Binary(mine, "tofu")
    env[terraform.ENV_BINARY] = str(tmp_path / "missing")
    with pytest.raises(terraform.TerraformNotFoundError, match="is not an executable file"):
        terraform.find_binary(env, root=tmp_path)


def test_none_installed_says_how_to_install_one(tmp_path: Path) -> None:
    with pytest.raises(terraform.TerraformNotFoundError) as caught:
        terraform.find_binary({"PATH": str(tmp_path)}, root=tmp_path)
    assert "Neither terraform nor tofu is installed" in caught.value.message
    assert "make setup" in caught.value.hint
    assert "OpenTofu" in caught.value.hint


def test_deploy_without_a_binary_exits_before_anything_else(
    app: typer.Typer,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    infra_copy: Path,
    no_credentials: None,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv(terraform.ENV_BINARY, raising=False)
    monkeypatch.setattr(paths, "project_root", lambda: tmp_path)  # no .tools/bin/tofu
    result = runner.invoke(app, ["deploy", "--region", REGION])
    assert result.exit_code == 1
    assert "Neither terraform nor tofu is installed" in result.stderr
    assert "make setup" in result.stderr
    assert "credentials" not in result.stderr  # it stopped before asking AWS anything
    assert not (infra_copy / deploy.VARS_FILE).exists()


# --- credentials, region ----------------------------------------------------------------------


def test_credentials_are_checked_with_sts(moto_credentials: str) -> None:
    identity = deploy.check_credentials(REGION)
    assert identity.account == "123456789012"
    assert identity.arn.startswith("arn:aws:sts::123456789012:")


def test_no_credentials_say_how_to_configure_them(no_credentials: None) -> None:
    with pytest.raises(deploy.DeployError) as caught:
        deploy.check_credentials(REGION)
    assert caught.value.message.startswith("No AWS credentials found")
    assert "aws configure" in caught.value.hint
    assert "aws sso login" in caught.value.hint


def test_rejected_credentials_say_to_refresh_them(
    moto_credentials: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto checks signatures against its IAM once this count of free actions is used up: a
    # server of its own (moto reads its settings when it starts), so the session's stays open.
    with moto_server(settings={"INITIAL_NO_AUTH_ACTION_COUNT": "0"}) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        with pytest.raises(deploy.DeployError) as caught:
            deploy.check_credentials(REGION)
    assert "InvalidClientTokenId" in caught.value.message
    assert "Refresh them" in caught.value.hint
    assert FAKE_SECRET not in str(caught.value)


def test_unknown_region_is_a_clear_error(
    app: typer.Typer, runner: CliRunner, fake_tf: FakeTerraform, infra_copy: Path
) -> None:
    result = runner.invoke(app, ["deploy", "--region", "eu-west-9"])
    assert result.exit_code == 1
    assert "'eu-west-9' is not an AWS region" in result.stderr
    assert "eu-west-1" in result.stderr
    assert fake_tf.calls() == []


def test_known_regions_include_other_partitions() -> None:
    regions = deploy.known_regions()
    assert {"us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1"} <= regions
    assert deploy.check_region("eu-central-1") == "eu-central-1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reserved-concurrency", "0"], "would throttle every request"),
        (["--name-prefix", "bad prefix!"], "is not a valid name prefix"),
    ],
)
def test_options_terraform_would_reject_fail_first(
    app: typer.Typer,
    runner: CliRunner,
    fake_tf: FakeTerraform,
    infra_copy: Path,
    args: list[str],
    message: str,
) -> None:
    result = runner.invoke(app, ["deploy", *args])
    assert result.exit_code == 1
    assert message in result.stderr
    assert fake_tf.calls() == []


# --- a real init, which fails here -------------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_failed_init_is_a_clear_error(
    app: typer.Typer,
    runner: CliRunner,
    moto_credentials: str,
    infra_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real terraform/tofu, with providers only from a mirror that is not there: init fails
    at once, wherever the test runs (no registry is contacted)."""
    monkeypatch.delenv(terraform.ENV_BINARY, raising=False)
    try:
        binary = terraform.find_binary()
    except terraform.TerraformNotFoundError:
        pytest.skip("neither terraform nor tofu is installed (make setup builds tofu)")
    config = tmp_path / "cli.tfrc"
    config.write_text(
        'provider_installation {\n  network_mirror {\n    url = "https://127.0.0.1:9/"\n  }\n}\n'
    )
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))
    monkeypatch.setenv("TF_REGISTRY_CLIENT_TIMEOUT", "5")
    result = runner.invoke(app, ["deploy", "--region", REGION, "--auto-approve"])
    assert result.exit_code == 1, result.output
    assert "account 123456789012" in result.stderr  # the credentials passed first
    assert f"`{binary.name} init` failed (exit code 1)" in result.stderr
    assert "provider registry" in result.stderr
    assert "hashicorp/aws" in result.stdout  # the binary's own output was streamed
    assert FAKE_SECRET not in result.output


# --- the whole sequence, against the stand-in -------------------------------------------------


@dataclass
class Stage:
    """The CLI with credentials for moto, the stand-in binary and a copy of infra/."""

    app: typer.Typer
    runner: CliRunner
    fake: FakeTerraform
    infra: Path
    deploy_args: list[str]

    def invoke(self, args: list[str]) -> Result:
        return self.runner.invoke(self.app, args)


@pytest.fixture
def stage(
    app: typer.Typer,
    runner: CliRunner,
    moto_credentials: str,
    fake_tf: FakeTerraform,
    infra_copy: Path,
    deploy_args: list[str],
) -> Stage:
    return Stage(app, runner, fake_tf, infra_copy, deploy_args)


@pytest.fixture
def deploy_args(bootstraps: dict[str, Path], tmp_path: Path) -> list[str]:
    out = tmp_path / "build"
    return [
        "deploy",
        "--region",
        REGION,
        "--bootstrap",
        str(bootstraps["arm64"]),
        "--out-dir",
        str(out),
    ]


def test_deploy_plans_applies_and_prints_the_outputs(
    stage: Stage,
    tmp_path: Path,
) -> None:
    result = stage.invoke([*stage.deploy_args, "--auto-approve", "--json"])
    assert result.exit_code == 0, result.output
    assert stage.fake.subcommands() == ["init", "plan", "apply", "output"]
    plan = stage.fake.calls()[1]
    assert "-detailed-exitcode" in plan
    assert "-destroy" not in plan
    assert stage.fake.calls()[2][-1] == str(deploy.PLAN_FILE)  # exactly the plan shown
    assert json.loads(result.stdout) == {
        "deployed": True,
        "outputs": {k: v for k, v in OUTPUTS.items() if k in terraform.OUTPUT_NAMES},
    }
    assert "Apply complete!" in result.stderr  # streamed, and kept off stdout with --json

    written = json.loads((stage.infra / deploy.VARS_FILE).read_text())
    assert written == stage.fake.vars("plan")
    assert written["region"] == REGION
    assert written["function_url_auth_type"] == "AWS_IAM"
    assert written["python_package_path"] == "../build/python-arm64.zip"
    assert written["go_package_path"] == "../build/go-arm64.zip"
    assert (tmp_path / "build" / "python-arm64.zip").is_file()
    text = (stage.infra / deploy.VARS_FILE).read_text()
    assert FAKE_SECRET not in text
    assert "AKID" not in text
    assert FAKE_SECRET not in result.output


def test_a_second_deploy_changes_nothing(
    stage: Stage,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    first = stage.invoke([*stage.deploy_args, "--auto-approve"])
    assert first.exit_code == 0, first.output
    zips = {p.name: p.read_bytes() for p in (tmp_path / "build").glob("*.zip")}
    monkeypatch.setenv("FAKE_TF_PLAN_RC", "0")  # terraform: "No changes"
    second = stage.invoke([*stage.deploy_args, "--auto-approve"])
    assert second.exit_code == 0, second.output
    assert stage.fake.subcommands() == ["init", "plan", "apply", "output", "init", "plan", "output"]
    assert "No changes: the deployment is up to date." in second.stderr
    # The same zips, byte for byte: source_code_hash, and so the plan, cannot change.
    assert {p.name: p.read_bytes() for p in (tmp_path / "build").glob("*.zip")} == zips


def test_without_a_terminal_deploy_asks_for_auto_approve(
    stage: Stage,
) -> None:
    result = stage.invoke(stage.deploy_args)
    assert result.exit_code == 1
    assert "No terminal to confirm the plan on" in result.stderr
    assert "--auto-approve" in result.stderr
    assert "apply" not in stage.fake.subcommands()


@pytest.mark.parametrize(("answer", "applied"), [("y\n", True), ("n\n", False)])
def test_at_a_terminal_deploy_asks_before_applying(
    stage: Stage, monkeypatch: pytest.MonkeyPatch, answer: str, applied: bool
) -> None:
    monkeypatch.setattr(deploy, "interactive", lambda: True)
    result = stage.runner.invoke(stage.app, stage.deploy_args, input=answer)
    assert "Apply this plan?" in result.output
    assert ("apply" in stage.fake.subcommands()) is applied
    assert result.exit_code == (0 if applied else 1), result.output
    if not applied:
        assert "Nothing applied." in result.stderr


def test_auth_none_warns(
    stage: Stage,
) -> None:
    result = stage.invoke([*stage.deploy_args, "--auth", "NONE", "--auto-approve"])
    assert result.exit_code == 0, result.output
    assert "public and unauthenticated" in result.stderr
    assert stage.fake.vars("plan")["function_url_auth_type"] == "NONE"
    quiet = stage.invoke([*stage.deploy_args, "--auto-approve"])
    assert "public and unauthenticated" not in quiet.stderr


def test_a_failed_apply_points_at_destroy(
    stage: Stage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_TF_APPLY_RC", "1")
    result = stage.invoke([*stage.deploy_args, "--auto-approve"])
    assert result.exit_code == 1
    assert "`terraform apply` failed (exit code 1)" in result.stderr
    assert "telemetry-bench destroy" in result.stderr


# --- destroy ----------------------------------------------------------------------------------

HALF_APPLIED_STATE: dict[str, Any] = {
    "version": 4,
    "terraform_version": "1.11.4",
    "serial": 3,
    "lineage": "00000000-0000-0000-0000-000000000000",
    "outputs": {},
    "resources": [
        {
            "mode": "managed",
            "type": "aws_iam_role",
            "name": "function",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [{"index_key": "go", "attributes": {"name": "telemetry-agg-go-exec"}}],
        },
        {
            "mode": "managed",
            "type": "aws_cloudwatch_log_group",
            "name": "function",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [
                {
                    "index_key": "go",
                    "attributes": {
                        "arn": "arn:aws:logs:sa-east-1:123456789012:log-group:/aws/lambda/x-go"
                    },
                }
            ],
        },
    ],
}


def test_destroy_with_nothing_deployed_is_a_no_op(
    app: typer.Typer,
    runner: CliRunner,
    infra_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    no_credentials: None,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # not even a binary is needed
    result = runner.invoke(app, ["destroy", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"destroyed": False, "outcome": "nothing"}
    assert "Nothing to destroy" in result.stderr


def test_destroy_after_a_half_applied_deploy_uses_its_region(
    stage: Stage,
) -> None:
    (stage.infra / "terraform.tfstate").write_text(json.dumps(HALF_APPLIED_STATE))
    previous = deploy.Settings(region="ap-southeast-2", memory_size=1024, name_prefix="bench1")
    deploy.write_vars(previous, stage.infra)
    result = stage.invoke(["destroy", "--auto-approve", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"destroyed": True, "outcome": "destroyed"}
    assert stage.fake.subcommands() == ["init", "plan", "apply"]
    assert "-destroy" in stage.fake.calls()[1]
    used = stage.fake.vars("plan")
    assert used["region"] == "ap-southeast-2"
    assert used["name_prefix"] == "bench1"  # the same resources, not the defaults' names
    assert "region ap-southeast-2" in result.stderr


def test_a_live_deployment_is_not_moved_to_another_region(stage: Stage) -> None:
    (stage.infra / "terraform.tfstate").write_text(json.dumps(HALF_APPLIED_STATE))
    deploy.write_vars(deploy.Settings(region="ap-southeast-2"), stage.infra)
    moved = stage.invoke([*stage.deploy_args, "--auto-approve"])  # REGION, not ap-southeast-2
    assert moved.exit_code == 1
    assert "The current deployment is in ap-southeast-2" in moved.stderr
    assert "telemetry-bench destroy" in moved.stderr
    assert stage.fake.calls() == []
    same = stage.invoke([*stage.deploy_args[:2], "ap-southeast-2", *stage.deploy_args[3:]])
    assert "The current deployment is in" not in same.stderr
    (stage.infra / deploy.VARS_FILE).unlink()  # the state alone tells: sa-east-1
    again = stage.invoke([*stage.deploy_args, "--auto-approve"])
    assert again.exit_code == 1
    assert "The current deployment is in sa-east-1" in again.stderr


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 1)])
def test_at_a_terminal_destroy_asks_first(
    stage: Stage, monkeypatch: pytest.MonkeyPatch, answer: str, code: int
) -> None:
    (stage.infra / "terraform.tfstate").write_text(json.dumps(HALF_APPLIED_STATE))
    monkeypatch.setattr(deploy, "interactive", lambda: True)
    result = stage.runner.invoke(stage.app, ["destroy"], input=answer)
    assert "Destroy all of the above?" in result.output
    assert result.exit_code == code, result.output
    assert ("apply" in stage.fake.subcommands()) is (code == 0)


def test_destroy_without_the_variables_file_reads_the_region_from_the_state(
    stage: Stage,
) -> None:
    (stage.infra / "terraform.tfstate").write_text(json.dumps(HALF_APPLIED_STATE))
    result = stage.invoke(["destroy", "--auto-approve"])
    assert result.exit_code == 0, result.output
    assert "region sa-east-1, read from the state" in result.stderr
    assert stage.fake.vars("plan")["region"] == "sa-east-1"


def test_destroy_with_no_clue_to_the_region_asks_for_it(stage: Stage) -> None:
    clueless = {**HALF_APPLIED_STATE, "resources": HALF_APPLIED_STATE["resources"][:1]}
    (stage.infra / "terraform.tfstate").write_text(json.dumps(clueless))
    result = stage.invoke(["destroy", "--auto-approve"])
    assert result.exit_code == 1
    assert "destroy --region REGION" in result.stderr
    assert stage.fake.calls() == []


def test_destroy_region_can_be_overridden_and_is_checked(
    stage: Stage,
) -> None:
    (stage.infra / "terraform.tfstate").write_text(json.dumps(HALF_APPLIED_STATE))
    bad = stage.invoke(["destroy", "--region", "mars-north-1", "--auto-approve"])
    assert bad.exit_code == 1
    assert "is not an AWS region" in bad.stderr
    good = stage.invoke(["destroy", "--region", "eu-north-1", "--auto-approve"])
    assert good.exit_code == 0, good.output
    assert stage.fake.vars("plan")["region"] == "eu-north-1"


def test_destroy_without_credentials_says_so(
    app: typer.Typer,
    runner: CliRunner,
    fake_tf: FakeTerraform,
    infra_copy: Path,
    no_credentials: None,
) -> None:
    (infra_copy / "terraform.tfstate").write_text(json.dumps(HALF_APPLIED_STATE))
    result = runner.invoke(app, ["destroy", "--auto-approve"])
    assert result.exit_code == 1
    assert "No AWS credentials found" in result.stderr
    assert fake_tf.calls() == []


# --- outputs, for remote ----------------------------------------------------------------------


def test_read_outputs_from_a_state(tmp_path: Path) -> None:
    try:
        binary = terraform.find_binary()
    except terraform.TerraformNotFoundError:
        pytest.skip("neither terraform nor tofu is installed (make setup builds tofu)")
    outputs: dict[str, dict[str, object]] = {
        k: {"value": v, "type": "number" if isinstance(v, int) else "string"}
        for k, v in OUTPUTS.items()
    }
    state = {**HALF_APPLIED_STATE, "resources": [], "outputs": outputs}
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state))
    assert terraform.read_outputs(tmp_path, binary) == {
        k: v for k, v in OUTPUTS.items() if k in terraform.OUTPUT_NAMES
    }
    del outputs["go_function_url"]
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state))
    with pytest.raises(terraform.TerraformError, match="lacks the outputs go_function_url"):
        terraform.read_outputs(tmp_path, binary)
    (tmp_path / "terraform.tfstate").unlink()
    with pytest.raises(terraform.TerraformError, match="There is no deployment"):
        terraform.read_outputs(tmp_path, binary)


def test_a_binary_that_cannot_run_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "terraform"
    broken.write_bytes(b"\x00\x01not a program")
    broken.chmod(0o755)
    binary = terraform.Binary(broken, "terraform")
    with pytest.raises(terraform.TerraformError, match="Could not run") as caught:
        terraform.run(binary, ["version"], cwd=tmp_path, on_line=None)
    assert "make setup" in caught.value.hint
    with pytest.raises(terraform.TerraformError, match="Could not run"):
        terraform.read_outputs(tmp_path, binary)


def test_run_streams_lines_and_stops_at_the_timeout(tmp_path: Path) -> None:
    script = executable(
        tmp_path / "tf", "#!/usr/bin/env bash\necho one\necho two >&2\nexec sleep 30\n"
    )
    seen: list[str] = []
    rc, output = terraform.run(
        terraform.Binary(script, "terraform"),
        ["init"],
        cwd=tmp_path,
        timeout=1,
        on_line=seen.append,
    )
    assert rc == 124
    assert seen[:2] == ["one\n", "two\n"]  # stdout and stderr, in order, as they came
    assert "did not finish within 1 s" in output


NAMES = ["telemetry-agg-python", "telemetry-agg-go"]


@pytest.mark.parametrize(
    ("reserved", "account", "current", "fits"),
    [
        (25, {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 1000}, {}, True),
        # A new account: a limit of 10, all of it kept unreserved.
        (25, {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}, {}, False),
        (1, {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}, {}, False),
        (-1, {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}, {}, True),
        # Our own reservation from the last deploy counts as available again.
        (
            25,
            {"ConcurrentExecutions": 150, "UnreservedConcurrentExecutions": 100},
            dict.fromkeys(NAMES, 25),
            True,
        ),
        (25, {"ConcurrentExecutions": 150, "UnreservedConcurrentExecutions": 100}, {}, False),
    ],
)
def test_reserved_concurrency_must_fit_the_account(
    reserved: int, account: dict[str, int], current: dict[str, int], fits: bool
) -> None:
    problem = deploy.concurrency_problem(reserved, NAMES, account, current)
    assert (problem is None) is fits
    if problem:
        assert f"needs {reserved * 2}" in problem


def test_unreadable_account_limits_do_not_stop_a_deploy(stage: Stage) -> None:
    # moto has no GetAccountSettings: the check says so and deploy goes on.
    result = stage.invoke([*stage.deploy_args, "--auto-approve"])
    assert result.exit_code == 0, result.output
    assert "concurrency limits; not checked" in result.stderr


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_ctrl_c_exits_130_and_leaves_no_process(
    moto_credentials: str, fake_tf: FakeTerraform, infra_copy: Path, tmp_path: Path
) -> None:
    """The real command in its own session, a stand-in init that hangs, SIGINT to the group (what
    a terminal's Ctrl-C does): exit code 130, and nothing of the group is left running."""
    cli = Path(sys.executable).parent / "telemetry-bench"
    if not cli.exists():
        pytest.skip("the telemetry-bench console script is not installed next to this Python")
    hanging = FAKE_TERRAFORM.replace(
        'init) echo "Initializing provider plugins..."; exit "${FAKE_TF_INIT_RC:-0}" ;;',
        'init) echo "Initializing provider plugins..."; exec sleep 60 ;;',
    )
    assert hanging != FAKE_TERRAFORM
    fake_tf.binary.write_text(hanging)
    with subprocess.Popen(
        [str(cli), "deploy", "--region", REGION, "--auto-approve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        env={**os.environ, "TERM": "dumb"},
    ) as proc:
        try:
            assert proc.stdout is not None
            started = any("Initializing provider plugins" in line for line in proc.stdout)
            assert started, f"deploy ended before init: {proc.stderr.read() if proc.stderr else ''}"
            os.killpg(proc.pid, signal.SIGINT)
            rc = proc.wait(timeout=60)
            stderr = proc.stderr.read() if proc.stderr else ""
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    assert rc == 130, stderr
    assert "interrupted" in stderr
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no process of the group survived


def test_installed_deploy_and_destroy_use_the_deployments_own_folder(
    app: typer.Typer,
    runner: CliRunner,
    moto_credentials: str,
    fake_tf: FakeTerraform,
    deploy_args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From a wheel: deploy runs in the state folder on a copy of the packaged infra/, which the
    next deploy (after an upgrade) copies anew while the state stays; destroy finds it there."""
    data = tmp_path / "data"
    ignored = shutil.ignore_patterns(".terraform", "*.tfstate*", "*.json", "*.zip")
    shutil.copytree(INFRA, data / "infra", ignore=ignored)
    monkeypatch.delenv(terraform.ENV_INFRA_DIR, raising=False)
    monkeypatch.setattr(paths, "checkout_root", lambda: None)
    monkeypatch.setattr(paths, "data_dir", lambda: data)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    where = tmp_path / "state" / "telemetry-agg" / "deployments" / "mine"
    checkout = {p.name: p.read_bytes() for p in INFRA.iterdir() if p.is_file()}

    first = runner.invoke(app, [*deploy_args, "--name-prefix", "mine", "--auto-approve"])
    assert first.exit_code == 0, first.output
    assert f"-chdir={where} init" in (fake_tf.dir / "calls").read_text()
    shipped = sorted(p.name for p in (data / "infra").glob("*.tf"))
    assert sorted(p.name for p in where.glob("*.tf")) == shipped
    assert json.loads((where / deploy.VARS_FILE).read_text())["name_prefix"] == "mine"

    state = json.dumps({**HALF_APPLIED_STATE, "lineage": "kept"})
    (where / "terraform.tfstate").write_text(state)
    upgraded = (data / "infra" / "versions.tf").read_text() + "# upgraded\n"
    (data / "infra" / "versions.tf").write_text(upgraded)
    second = runner.invoke(app, [*deploy_args, "--name-prefix", "mine", "--auto-approve"])
    assert second.exit_code == 0, second.output
    assert (where / "versions.tf").read_text() == upgraded
    assert (where / "terraform.tfstate").read_text() == state

    # remote reads the outputs of the deployment its --name-prefix names, and only that one
    found = remote.resolve_deployment({}, deployment="mine")
    assert found.targets[0].url == OUTPUTS["python_function_url"]
    assert (fake_tf.dir / "calls").read_text().splitlines()[
        -1
    ] == f"-chdir={where} output -json -no-color"
    with pytest.raises(BenchError, match="no deployment named 'other'") as missing:
        remote.resolve_deployment({}, deployment="other")
    assert "Deployments here: mine; pass --name-prefix NAME." in missing.value.hint
    refused = runner.invoke(app, ["remote", "--name-prefix", "other", "--sizes", "100"])
    assert refused.exit_code == 2, refused.output
    assert "no deployment named 'other'" in refused.output
    assert "Deployments here: mine" in refused.output

    gone = runner.invoke(app, ["destroy", "--name-prefix", "mine", "--auto-approve", "--json"])
    assert gone.exit_code == 0, gone.output
    assert json.loads(gone.stdout) == {"destroyed": True, "outcome": "destroyed"}
    assert (fake_tf.dir / "calls").read_text().splitlines()[-1].startswith(f"-chdir={where} ")
    assert {p.name: p.read_bytes() for p in INFRA.iterdir() if p.is_file()} == checkout


def test_the_lanes_go_to_terraform_when_infra_takes_them(tmp_path: Path) -> None:
    """An infra/ with the `lanes` variable gets every chosen lane from the registry; one
    without deploys python and go only, and says so for any other choice."""
    (tmp_path / "variables.tf").write_text('variable "region" {}\n')
    assert deploy.lanes_tfvars(("python", "go"), tmp_path) == {}
    with pytest.raises(deploy.DeployError, match="no `lanes` variable"):
        deploy.lanes_tfvars(("go",), tmp_path)
    (tmp_path / "variables.tf").write_text('variable "lanes" {}\n')
    lanes = deploy.lanes_tfvars(("go",), tmp_path)["lanes"]
    assert lanes == {
        "go": {
            "runtime": "provided.al2023",
            "handler": "bootstrap",
            "artifact": "go",
            "environment": {},
            "snapstart": False,  # no cold-start option unless deploy is given one
            "provisioned_concurrency": 0,
        }
    }
    path = deploy.write_vars(deploy.Settings(), tmp_path, ("python", "go"))
    written = json.loads(path.read_text())
    assert set(written["lanes"]) == {"python", "go"}
    assert written["lanes"]["python"]["handler"] == "telemetry_agg.handler.handler"


# --- the cold-start options and the workload (issue 12, issue 11 point 4) ----------------------


def test_snapstart_with_only_go_exits_2_with_the_reason(stage: Stage) -> None:
    result = stage.invoke([*stage.deploy_args, "--lanes", "go", "--snapstart", "--auto-approve"])
    assert result.exit_code == 2, result.output
    assert "provided.al2023" in result.stderr
    assert "managed runtimes only" in result.stderr
    assert "--provisioned-concurrency N" in result.stderr  # what to do instead
    assert stage.fake.calls() == []  # before terraform, credentials, anything


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--snapstart", "--provisioned-concurrency", "2"], "AWS refuses SnapStart with"),
        (["--provisioned-concurrency", "30"], "more than --reserved-concurrency 25"),
    ],
)
def test_refused_option_pairs_exit_2_before_anything(
    stage: Stage, extra: list[str], says: str
) -> None:
    result = stage.invoke([*stage.deploy_args, *extra, "--auto-approve"])
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert stage.fake.calls() == []


def test_snapstart_goes_to_the_python_lane_and_go_stays_on_demand(stage: Stage) -> None:
    # The lanes named: the lean lane, once registered, is refused SnapStart (its own test).
    args = ["--lanes", "python,go", "--snapstart", "--auto-approve"]
    result = stage.invoke([*stage.deploy_args, *args])
    assert result.exit_code == 0, result.output
    written = stage.fake.vars("plan")
    lanes = written["lanes"]
    assert isinstance(lanes, dict)
    assert set(lanes) == {"python", "go"}
    assert lanes["python"]["snapstart"] is True
    assert lanes["go"]["snapstart"] is False
    assert lanes["python"]["provisioned_concurrency"] == lanes["go"]["provisioned_concurrency"] == 0
    assert lanes["python"]["runtime"] == "python3.12"
    assert written["workload"] == "cpu"
    assert "go: no SnapStart on provided.al2023" in result.stderr


def test_provisioned_concurrency_and_the_store_reach_every_lane(stage: Stage) -> None:
    args = ["--provisioned-concurrency", "2", "--workload", "store", "--auto-approve"]
    result = stage.invoke([*stage.deploy_args, *args])
    assert result.exit_code == 0, result.output
    written = stage.fake.vars("plan")
    lanes = written["lanes"]
    assert isinstance(lanes, dict)
    # Every lane deployed by default (python-lean too): provisioned concurrency is per lane.
    provisioned = {name: lane["provisioned_concurrency"] for name, lane in lanes.items()}
    assert provisioned == dict.fromkeys(lane_registry.names(), 2)
    assert not any(lane["snapstart"] for lane in lanes.values())
    assert written["workload"] == "store"


@pytest.mark.parametrize("workload", ["cpu", "store"])
def test_deploy_packages_the_workloads_go_build(
    stage: Stage, monkeypatch: pytest.MonkeyPatch, workload: str
) -> None:
    asked: list[str] = []
    build = package.build_with_progress

    def spy(*args: Any, **options: Any) -> list[package.Artifact]:
        asked.append(options["go_build"].file)
        return build(*args, **options)

    monkeypatch.setattr(package, "build_with_progress", spy)
    result = stage.invoke([*stage.deploy_args, "--workload", workload, "--auto-approve"])
    assert result.exit_code == 0, result.output
    # The stored workload's Go function needs the bootstrap that links the AWS SDK.
    assert asked == [workloads.get(workload).go_build.file]


def test_snapstart_is_refused_for_the_lean_lane(stage: Stage) -> None:
    lean = lane_registry.Lane(
        name="python-lean",
        language="python",
        display="Python (lean)",
        runtime="python3.12",
        artifact="python",
        handler="telemetry_agg.handler.handler",
        local_argv=("{python}", "-m", "telemetry_agg.runtime"),
        environment={"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/telemetry_agg/runtime/lean-wrapper"},
    )
    registered = lean.name not in lane_registry.REGISTRY
    if registered:
        lane_registry.register(lean)
    try:
        args = ["--lanes", "python,python-lean,go", "--snapstart", "--auto-approve"]
        result = stage.invoke([*stage.deploy_args, *args])
    finally:
        if registered:
            lane_registry.unregister(lean.name)
    assert result.exit_code == 2, result.output
    assert "refused for the lane python-lean" in result.stderr
    assert "restore step" in result.stderr
    assert "--lanes python,go" in result.stderr
    assert stage.fake.calls() == []


def test_destroy_plans_with_the_options_the_deploy_wrote(stage: Stage) -> None:
    args = ["--lanes", "python,go", "--snapstart", "--workload", "store", "--auto-approve"]
    deployed = stage.invoke([*stage.deploy_args, *args])
    assert deployed.exit_code == 0, deployed.output
    applied = stage.fake.vars("plan")
    (stage.infra / "terraform.tfstate").write_text(json.dumps(HALF_APPLIED_STATE))
    result = stage.invoke(["destroy", "--auto-approve", "--json"])
    assert result.exit_code == 0, result.output
    assert "-destroy" in stage.fake.calls()[-2]
    used = stage.fake.vars("plan")
    # The same lanes (SnapStart on python) and the same workload: the plan that destroys the
    # alias, its versions and the table validates the variables deploy wrote.
    assert used["lanes"] == applied["lanes"]
    assert used["workload"] == "store"


ACCOUNT = {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 900}


@pytest.mark.parametrize(
    ("provisioned", "reserved", "account", "current", "fits"),
    [
        (2, 25, {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}, {}, True),
        (400, -1, ACCOUNT, {}, True),  # 800 of the 900 - 100 unreserved
        (401, -1, ACCOUNT, {}, False),
        (401, -1, ACCOUNT, dict.fromkeys(NAMES, 1), True),  # given back on the redeploy
        (2, -1, {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}, {}, False),
    ],
)
def test_provisioned_concurrency_must_fit_the_unreserved_pool(
    provisioned: int,
    reserved: int,
    account: dict[str, int],
    current: dict[str, int],
    fits: bool,
) -> None:
    problem = cold_options.provisioned_problem(provisioned, NAMES, reserved, account, current)
    assert (problem is None) is fits
    if problem:
        assert f"needs {provisioned * 2}" in problem


def test_an_account_too_small_for_n_exits_2_before_applying(
    stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GetAccountSettings is not in moto: a Stubber answers it (10 in all, 10 unreserved)."""
    # Every lane is deployed by default; each function is looked up once (a lookup the stub did
    # not expect would make the check advisory, and the deploy go on).
    names = [f"telemetry-agg-{lane}" for lane in lane_registry.names()]
    import boto3  # noqa: PLC0415
    from botocore.stub import Stubber  # noqa: PLC0415

    client = boto3.client("lambda", region_name=REGION)
    stub = Stubber(client)
    limits = {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}
    stub.add_response("get_account_settings", {"AccountLimit": limits})
    for _ in names:
        stub.add_client_error("get_function_concurrency", "ResourceNotFoundException")
    for name in names:
        stub.add_client_error(
            "get_provisioned_concurrency_config",
            "ResourceNotFoundException",
            expected_params={"FunctionName": name, "Qualifier": "live"},
        )
    original = boto3.session.Session.client

    def lambda_stubbed(self: Any, service: str, *args: Any, **kwargs: Any) -> Any:
        return client if service == "lambda" else original(self, service, *args, **kwargs)

    monkeypatch.setattr(boto3.session.Session, "client", lambda_stubbed)
    with stub:
        args = ["--reserved-concurrency", "-1", "--provisioned-concurrency", "2"]
        result = stage.invoke([*stage.deploy_args, *args, "--auto-approve"])
    assert result.exit_code == 2, result.output
    need = 2 * len(names)  # --provisioned-concurrency 2 on every function
    assert f"needs {need} of the account's unreserved concurrency, which has 0" in result.stderr
    assert "Lower --provisioned-concurrency" in result.stderr
    assert "apply" not in stage.fake.subcommands()
    assert "plan" not in stage.fake.subcommands()


def test_the_lanes_output_and_the_workload_are_read() -> None:
    lanes = {
        "python": {
            "function_url": "https://py.lambda-url.eu-west-1.on.aws/live/",
            "function_name": "telemetry-agg-python",
            "log_group_name": "/aws/lambda/telemetry-agg-python",
            "alias": "live",
            "version": "3",
            "runtime": "python3.12",
            "architecture": "arm64",
            "snapstart": True,
            "provisioned_concurrency": 0,
        }
    }
    raw = {
        **{k: {"value": v} for k, v in OUTPUTS.items()},
        "lanes": {"value": lanes},
        "workload": {"value": "store"},
        "table_name": {"value": "telemetry-agg-summaries"},
    }
    raw["go_function_url"] = {"value": None}  # not deployed: null, as outputs.tf says
    out = terraform.parse_outputs(json.dumps(raw), Path("infra"))
    assert out["lanes"] == lanes
    assert (out.get("workload"), out.get("table_name")) == ("store", "telemetry-agg-summaries")


def _moto_function_with_versions(name: str, count: int) -> Any:
    """A function on the moto server (AWS_ENDPOINT_URL) with `count` published versions, the
    last behind the alias `live`."""
    lam = boto3.client("lambda", region_name=REGION)
    create_function(lam, boto3.client("iam", region_name=REGION), name)
    publish_versions(lam, name, count)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=str(count))
    return lam


@pytest.mark.parametrize("keep", [False, True])
def test_deploy_deletes_the_versions_no_alias_serves(stage: Stage, keep: bool) -> None:
    """After the apply, a published lane's old versions go (their SnapStart snapshots are
    billed while they exist), unless --keep-versions; the alias's version stays."""
    name = f"telemetry-agg-python-{'keep' if keep else 'prune'}"
    lam = _moto_function_with_versions(name, 3)
    lanes = {"python": {"function_name": name, "alias": "live", "version": "3"}}
    outputs = {k: {"value": v} for k, v in {**OUTPUTS, "lanes": lanes}.items()}
    (stage.fake.dir / "outputs.json").write_text(json.dumps(outputs), encoding="utf-8")
    args = [*stage.deploy_args, "--auto-approve", *(["--keep-versions"] if keep else [])]
    result = stage.invoke(args)
    assert result.exit_code == 0, result.output
    found = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    if keep:
        assert found == ["$LATEST", "1", "2", "3"]
        assert "deleted versions" not in result.stderr
    else:
        assert found == ["$LATEST", "3"]
        assert f"python: deleted versions 1, 2 of {name}" in result.stderr
