"""infra/ planned for real, offline: Terraform evaluates the lanes, the validations and the options.

`plan -refresh=false` of resources that do not exist yet makes no AWS call, so it runs with fake
keys and the provider's account and credential checks off. It needs the aws provider from a
local mirror (`TELEMETRY_AGG_TF_PLUGIN_DIR`, default /opt/tf-plugins, laid out as
`terraform providers mirror` writes it): the registry is out of reach here. Without the mirror or
a terraform/tofu binary the module is skipped with the reason.

The plan runs on a copy of infra/ with two changes: the provider constraint pinned to the
mirror's version, and, for a mirror older than 6.29, the `invoked_via_function_url` argument
removed (that provider does not know it; the public-URL grants are tested from the HCL in
test_terraform_config.py). Everything else is the configuration as committed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from telemetry_agg.bench.aws import terraform

from .support import INFRA

pytestmark = pytest.mark.slow

PLUGIN_DIR = Path(os.environ.get("TELEMETRY_AGG_TF_PLUGIN_DIR", "/opt/tf-plugins"))
PROVIDER_DIR = PLUGIN_DIR / "registry.terraform.io" / "hashicorp" / "aws"

OFFLINE_PROVIDER = """
provider "aws" {
  region                      = var.region
  access_key                  = "AKIDPLANTESTFAKE0001"
  secret_key                  = "plan-test-secret-not-a-key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""

ALL_OPTIONS: dict[str, Any] = {
    "workload": "store",
    "lanes": {
        "python": {
            "runtime": "python3.12",
            "handler": "telemetry_agg.handler.handler",
            "snapstart": True,
        },
        "python-lean": {
            "runtime": "python3.12",
            "handler": "telemetry_agg.handler.handler",
            "artifact": "python",
            "environment": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/lean"},
            "provisioned_concurrency": 2,
        },
        "go": {"runtime": "provided.al2023", "handler": "bootstrap", "provisioned_concurrency": 3},
    },
}


def _mirror_version() -> str:
    versions = sorted(p.name for p in PROVIDER_DIR.iterdir()) if PROVIDER_DIR.is_dir() else []
    if not versions:
        pytest.skip(f"no aws provider mirror in {PLUGIN_DIR} (set TELEMETRY_AGG_TF_PLUGIN_DIR)")
    return versions[-1]


class Planner:
    def __init__(self, binary: terraform.Binary, work: Path, env: dict[str, str]) -> None:
        self.binary, self.work, self.env = binary, work, env
        self.zip = work / "stand-in.zip"
        self.zip.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip: plan never opens it

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.binary.path), *args, "-no-color"],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def plan(self, variables: dict[str, Any], *var_files: Path) -> subprocess.CompletedProcess[str]:
        """Plan with the stand-in zips and `variables`, then `var_files` (later ones win)."""
        paths = {"python_package_path": str(self.zip), "go_package_path": str(self.zip)}
        var_file = self.work / "test.tfvars.json"
        var_file.write_text(json.dumps({**paths, **variables}), encoding="utf-8")
        files = [f"-var-file={path}" for path in (var_file, *var_files)]
        return self.run("plan", "-input=false", "-refresh=false", "-lock=false", *files)


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> Planner:
    try:
        binary = terraform.find_binary()
    except terraform.TerraformNotFoundError as exc:
        pytest.skip(f"no terraform or tofu binary: {exc}")
    version = _mirror_version()
    work = tmp_path_factory.mktemp("infra-plan")
    for source in INFRA.glob("*.tf"):
        text = source.read_text(encoding="utf-8")
        text = re.sub(r'version = ">= 6\.29, < 7\.0"', f'version = "{version}"', text)
        if tuple(int(p) for p in version.split(".")[:2]) < (6, 29):
            text = re.sub(r"\n\s*invoked_via_function_url\s*=\s*true", "", text)
        (work / source.name).write_text(text, encoding="utf-8")
    (work / "offline_override.tf").write_text(OFFLINE_PROVIDER, encoding="utf-8")
    cli_config = work / "terraformrc"
    cli_config.write_text("", encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(work),
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }
    found = Planner(binary, work, env)
    init = found.run("init", "-input=false", f"-plugin-dir={PLUGIN_DIR}")
    assert init.returncode == 0, init.stdout + init.stderr
    return found


def test_default_lanes_plan_as_today(planner: Planner) -> None:
    result = planner.plan({})
    assert result.returncode == 0, result.stderr
    out = re.sub(r" +", " ", result.stdout)  # the plan aligns its "=" signs: drop that
    # Two functions, each with log group, role, policy, URL: 10 resources, nothing else.
    assert "Plan: 10 to add, 0 to change, 0 to destroy." in out
    for absent in (
        "aws_lambda_alias",
        "aws_lambda_provisioned_concurrency_config",
        "aws_dynamodb_table",
        "TELEMETRY_AGG_TABLE",
        "snap_start",
    ):
        assert absent not in out, absent
    assert out.count("publish = false") == 2


def test_every_option_on_three_lanes_plans(planner: Planner) -> None:
    result = planner.plan(ALL_OPTIONS)
    assert result.returncode == 0, result.stderr
    out = re.sub(r" +", " ", result.stdout)  # the plan aligns its "=" signs: drop that
    for present in (
        'aws_lambda_alias.live["python"]',
        'aws_lambda_alias.live["python-lean"]',
        'aws_lambda_alias.live["go"]',
        'aws_lambda_provisioned_concurrency_config.live["python-lean"]',
        'aws_lambda_provisioned_concurrency_config.live["go"]',
        "aws_dynamodb_table.summaries[0]",
        '"AWS_LAMBDA_EXEC_WRAPPER" = "/var/task/lean"',
        '"TELEMETRY_AGG_TABLE" = "telemetry-agg-summaries"',
        'apply_on = "PublishedVersions"',
        'function_name = "telemetry-agg-python-lean"',
    ):
        assert present in out, present
    assert 'aws_lambda_provisioned_concurrency_config.live["python"]' not in out
    assert out.count("snap_start {") == 1  # python only
    # every URL (3) and every provisioned concurrency config (2) on the alias
    assert out.count('+ qualifier = "live"') == 5
    assert out.count('"dynamodb:PutItem"') == 3  # one statement per role
    # 3 x (log group, role, policy, function, URL, alias) + 2 provisioned configs + the table
    assert "Plan: 21 to add, 0 to change, 0 to destroy." in out


def lane(runtime: str, **options: Any) -> dict[str, Any]:
    return {"runtime": runtime, "handler": "telemetry_agg.handler.handler", **options}


@pytest.mark.parametrize(
    ("lanes", "reason"),
    [
        ({"go": lane("provided.al2023", snapstart=True)}, "SnapStart is refused for this lane"),
        ({"python": lane("python3.11", snapstart=True)}, "SnapStart is refused for this lane"),
        (
            {"python": lane("python3.12", snapstart=True, provisioned_concurrency=1)},
            "cannot have both snapstart and provisioned_concurrency",
        ),
        (
            {"python": lane("python3.12", provisioned_concurrency=26)},
            "cannot exceed the function's reserved concurrency",
        ),
    ],
    ids=["snapstart-go", "snapstart-python3.11", "both", "above-reserved"],
)
def test_refused_with_the_reason(planner: Planner, lanes: dict[str, Any], reason: str) -> None:
    result = planner.plan({"lanes": lanes})
    assert result.returncode != 0
    message = " ".join(result.stderr.split())  # Terraform wraps long messages
    assert reason in message, message


@pytest.mark.parametrize(
    ("name", "resources"),
    # 3 lanes x 5 + 2 aliases; 3 x 5 + 3 aliases + 3 provisioned configs; 2 x 5 + the table
    [("snapstart", 17), ("provisioned", 21), ("store", 11)],
)
def test_the_checkov_var_files_plan(planner: Planner, name: str, resources: int) -> None:
    """The files checkov runs over are ones Terraform accepts, not only ones it can parse."""
    result = planner.plan({}, INFRA / "checks" / f"{name}.tfvars")
    assert result.returncode == 0, result.stderr
    assert f"Plan: {resources} to add, 0 to change, 0 to destroy." in result.stdout
