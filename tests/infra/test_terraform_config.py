"""infra/ holds the issue's defaults: parsed with python-hcl2, never applied (no AWS here)."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

import pytest

from telemetry_agg.bench.aws import deploy, terraform

from .support import INFRA

if TYPE_CHECKING:
    from .support import Hcl

EXPECTED_DEFAULTS: dict[str, Any] = {
    "region": "us-east-1",
    "architecture": "arm64",
    "memory_size": 512,
    "timeout": 10,
    "log_retention_days": 14,
    "xray_tracing": True,
    "name_prefix": "telemetry-agg",
    "tags": {},
    "function_url_auth_type": "AWS_IAM",
    "python_package_path": None,
    "go_package_path": None,
    # Today's two functions, as lanes; python-lean and the cold-start options are added by data.
    "lanes": {
        "python": {"runtime": "python3.12", "handler": "telemetry_agg.handler.handler"},
        "go": {"runtime": "provided.al2023", "handler": "bootstrap"},
    },
    "workload": "cpu",
}


def test_the_standard_split_exists() -> None:
    names = {p.name for p in INFRA.glob("*.tf")}
    assert {"versions.tf", "variables.tf", "main.tf", "outputs.tf", "iam.tf"} <= names
    assert (INFRA / "README.md").is_file()


def test_every_variable_is_typed_described_and_has_a_default(hcl: Hcl) -> None:
    variables = hcl.named("variable")
    assert set(EXPECTED_DEFAULTS) | {"reserved_concurrency"} == set(variables)
    for name, body in variables.items():
        assert body.get("type"), f"variable {name} has no type"
        assert len(body.get("description", "")) > 20, f"variable {name} is not described"
        assert "default" in body, f"variable {name} has no default"


@pytest.mark.parametrize(("name", "default"), sorted(EXPECTED_DEFAULTS.items()))
def test_variable_default(hcl: Hcl, name: str, default: Any) -> None:
    assert hcl.named("variable")[name]["default"] == default


def test_reserved_concurrency_default_caps_each_function(hcl: Hcl) -> None:
    # Above hey's -c 20 of the study, so the load test is never throttled, but bounded.
    default = hcl.named("variable")["reserved_concurrency"]["default"]
    assert 20 <= default <= 100


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("function_url_auth_type", ["AWS_IAM", "NONE"]), ("architecture", ["arm64", "x86_64"])],
)
def test_choices_are_validated(hcl: Hcl, name: str, allowed: list[str]) -> None:
    validation = hcl.named("variable")[name]["validation"][0]
    for choice in allowed:
        assert f'"{choice}"' in validation["condition"]
    assert name in validation["condition"]


def test_every_region_the_cli_accepts_passes_terraforms_validation(hcl: Hcl) -> None:
    condition = hcl.named("variable")["region"]["validation"][0]["condition"]
    pattern = re.search(r'regex\("(.+?)", var\.region\)', condition)
    assert pattern is not None, condition
    regex = re.compile(pattern.group(1).replace("\\\\", "\\"))
    regions = deploy.known_regions()
    assert len(regions) > 30
    assert [r for r in sorted(regions) if not regex.fullmatch(r)] == []
    for wrong in ("us-east", "US-EAST-1", "useast1", "us-east-1a"):
        assert not regex.fullmatch(wrong), wrong


def test_the_cli_defaults_are_terraform_defaults(hcl: Hcl) -> None:
    """deploy writes every variable it sets; its defaults must not drift from variables.tf."""
    variables = hcl.named("variable")
    settings = deploy.Settings()
    for field in dataclasses.fields(settings):
        assert field.name in variables, f"deploy sets {field.name}, which infra/ lacks"
        if field.name.endswith("_package_path"):
            continue  # filled by deploy with the zips it just built
        assert getattr(settings, field.name) == variables[field.name]["default"], field.name


def test_variables_declared_are_used_and_used_are_declared(hcl: Hcl) -> None:
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in INFRA.glob("*.tf") if p.name != "variables.tf"
    )
    used = set(re.findall(r"\bvar\.([a-z_]+)", text))
    assert used == set(hcl.named("variable"))


def test_both_runtimes_and_handlers(hcl: Hcl) -> None:
    lanes = hcl.named("variable")["lanes"]["default"]
    assert lanes["python"]["runtime"] == "python3.12"
    assert lanes["python"]["handler"] == "telemetry_agg.handler.handler"
    assert lanes["go"]["runtime"] == "provided.al2023"
    assert lanes["go"]["handler"] == "bootstrap"
    # The default zips are the ones `telemetry-bench package` writes, build/<artifact>-<arch>.zip,
    # and deploy's python_package_path / go_package_path still choose them by artifact.
    functions = hcl.locals()["functions"]
    package = functions.split("package = ", 1)[1]
    assert "coalesce(lane.package_path," in package
    assert "lookup(local.artifact_packages, coalesce(lane.artifact, key), null)" in package
    default_zip = "${coalesce(lane.artifact, key)}-${coalesce(lane.architecture, var.architecture)}"
    assert f"{default_zip}.zip" in package
    assert hcl.locals()["artifact_packages"] == {
        "python": "${var.python_package_path}",
        "go": "${var.go_package_path}",
    }


def test_function_settings_come_from_the_variables(hcl: Hcl) -> None:
    (function,) = hcl.typed("resource", "aws_lambda_function").values()
    assert function["for_each"] == "${local.functions}"
    assert function["runtime"] == "${each.value.runtime}"
    assert function["handler"] == "${each.value.handler}"
    assert function["architectures"] == ["${each.value.architecture}"]
    per_lane = "architecture = coalesce(lane.architecture, var.architecture)"
    assert per_lane in hcl.locals()["functions"]
    assert function["memory_size"] == "${var.memory_size}"
    assert function["timeout"] == "${var.timeout}"
    assert function["reserved_concurrent_executions"] == "${var.reserved_concurrency}"
    assert "filebase64sha256(each.value.package)" in function["source_code_hash"]
    tracing = function["tracing_config"][0]["mode"]
    assert "var.xray_tracing" in tracing
    assert '"Active"' in tracing
    # The log group exists (with its retention) before the function first logs.
    assert function["logging_config"][0]["log_group"] == (
        "${aws_cloudwatch_log_group.function[each.key].name}"
    )
    assert "${aws_cloudwatch_log_group.function}" in function["depends_on"]
    # No environment block at all unless a lane or the stored workload gives one.
    assert "environment" not in function
    (environment,) = [d["environment"] for d in function["dynamic"] if "environment" in d]
    assert environment["for_each"] == (
        "${length(each.value.environment) > 0 ? [each.value.environment] : []}"
    )
    assert environment["content"] == [{"variables": "${environment.value}"}]


def test_log_groups_are_terraforms_with_retention(hcl: Hcl) -> None:
    (group,) = hcl.typed("resource", "aws_cloudwatch_log_group").values()
    assert group["for_each"] == "${local.functions}"
    assert group["name"] == "/aws/lambda/${local.function_names[each.key]}"
    assert group["retention_in_days"] == "${var.log_retention_days}"


def test_names_carry_the_prefix_and_tags_apply_everywhere(hcl: Hcl) -> None:
    assert "var.name_prefix" in hcl.locals()["function_names"]
    tags = hcl.locals()["tags"]
    assert tags.startswith("${merge(var.tags,")
    assert "Project" in tags
    (provider_block,) = hcl.blocks("provider")
    provider = provider_block["aws"]
    assert provider["region"] == "${var.region}"
    assert provider["default_tags"][0]["tags"] == "${local.tags}"


def test_function_urls_use_the_auth_variable(hcl: Hcl) -> None:
    (url,) = hcl.typed("resource", "aws_lambda_function_url").values()
    assert url["authorization_type"] == "${var.function_url_auth_type}"


def test_no_wildcard_principal_unless_auth_is_none(hcl: Hcl) -> None:
    permissions = hcl.typed("resource", "aws_lambda_permission")
    assert permissions, "auth NONE needs the public permissions"
    for name, body in permissions.items():
        if body.get("principal") != "*":
            continue
        # A public grant exists only for NONE: with AWS_IAM, for_each is the empty map.
        assert body["for_each"] == (
            '${var.function_url_auth_type == "NONE" ? local.functions : {}}'
        ), name
    by_action = {body["action"]: body for body in permissions.values()}
    assert by_action["lambda:InvokeFunctionUrl"]["function_url_auth_type"] == "NONE"
    # Since October 2025 a public URL also needs InvokeFunction, limited to URL invocations.
    assert by_action["lambda:InvokeFunction"]["invoked_via_function_url"] is True


def test_the_execution_roles_are_least_privilege(hcl: Hcl) -> None:
    assert not hcl.typed("resource", "aws_iam_role_policy_attachment"), "no managed policies"
    assert "managed_policy_arns" not in str(hcl.typed("resource", "aws_iam_role"))
    assume = hcl.typed("data", "aws_iam_policy_document")["assume"]["statement"][0]
    assert assume["actions"] == ["sts:AssumeRole"]
    assert assume["principals"][0] == {"type": "Service", "identifiers": ["lambda.amazonaws.com"]}

    policy = hcl.typed("data", "aws_iam_policy_document")["function"]
    logs = policy["statement"][0]
    assert sorted(logs["actions"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert logs["resources"] == ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
    xray = policy["dynamic"][0]["statement"]
    assert "var.xray_tracing" in xray["for_each"]
    assert sorted(xray["content"][0]["actions"]) == [
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    ]
    text = hcl.text()
    assert '"*"]' not in text.replace('resources = ["*"]', ""), "a wildcard beyond X-Ray's"
    assert "logs:CreateLogGroup" not in text  # Terraform creates the groups


def test_outputs_are_named_for_what_they_are(hcl: Hcl) -> None:
    outputs = hcl.named("output")
    assert set(terraform.OUTPUT_NAMES) <= set(outputs)
    for name, body in outputs.items():
        assert len(body["description"]) > 10, name
    # null (the CLI's "missing output" error) when that lane is not deployed, never a plan error.
    assert outputs["python_function_url"]["value"] == (
        '${try(aws_lambda_function_url.function["python"].function_url, null)}'
    )
    assert outputs["go_function_url"]["value"] == (
        '${try(aws_lambda_function_url.function["go"].function_url, null)}'
    )
    assert outputs["go_log_group_name"]["value"] == (
        '${try(aws_cloudwatch_log_group.function["go"].name, null)}'
    )
    assert outputs["memory_size"]["value"] == "${var.memory_size}"
    assert outputs["auth_type"]["value"] == "${var.function_url_auth_type}"


def test_provider_versions(hcl: Hcl) -> None:
    (block,) = hcl.blocks("terraform")
    providers = block["required_providers"][0]
    assert set(providers) == {"aws"}, "no archive provider: the CLI packages"
    assert providers["aws"]["source"] == "hashicorp/aws"
    assert ">= 6.29" in providers["aws"]["version"]


def test_every_checkov_skip_gives_its_reason(hcl: Hcl) -> None:
    skips = re.findall(r"#checkov:skip=([A-Z0-9_]+)(:?)(.*)", hcl.text())
    assert {"CKV_AWS_116", "CKV_AWS_119", "CKV_AWS_173", "CKV_AWS_301"} <= {s[0] for s in skips}
    for check, colon, reason in skips:
        assert colon == ":", f"{check} is skipped without a reason"
        assert len(reason.strip()) > 30, f"{check} is skipped without a real reason"
