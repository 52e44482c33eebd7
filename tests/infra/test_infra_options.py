"""infra/'s lanes, SnapStart, provisioned concurrency and the stored workload (python-hcl2).

The rules are read from the parsed HCL and, where they are regular expressions, run here on the
runtimes a lane can name, so a wrong pattern fails a test, not a deploy.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import hcl2
import pytest

from telemetry_agg.bench.model import cost

from .support import INFRA, ROOT, unquote

if TYPE_CHECKING:
    from .support import Hcl

CHECKS = INFRA / "checks"


def validation(hcl: Hcl, needle: str) -> dict[str, Any]:
    """The one validation of var.lanes whose condition contains `needle`."""
    found = [v for v in hcl.named("variable")["lanes"]["validation"] if needle in v["condition"]]
    assert len(found) == 1, (needle, found)
    rule: dict[str, Any] = found[0]
    return rule


def regex_of(condition: str, subject: str) -> re.Pattern[str]:
    """The regex(...) applied to `subject` in a condition, as Python compiles it."""
    match = re.search(r'regex\("(.+?)", ' + re.escape(subject) + r"\)", condition)
    assert match is not None, condition
    return re.compile(match.group(1).replace("\\\\", "\\"))


def tfvars(name: str) -> dict[str, Any]:
    with (CHECKS / name).open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = unquote(hcl2.load(handle))
    return parsed


# --- the lanes ------------------------------------------------------------------------------


def test_lane_is_an_object_with_the_options(hcl: Hcl) -> None:
    lane_type = hcl.named("variable")["lanes"]["type"]
    for attribute in (
        "runtime = string",
        "handler = string",
        "artifact = optional(string)",
        "package_path = optional(string)",
        "architecture = optional(string)",
        "environment = optional(map(string), {})",
        "snapstart = optional(bool, false)",
        "provisioned_concurrency = optional(number, 0)",
    ):
        assert attribute in lane_type, attribute


def test_every_resource_is_one_per_lane(hcl: Hcl) -> None:
    for kind in (
        "aws_lambda_function",
        "aws_lambda_function_url",
        "aws_cloudwatch_log_group",
        "aws_iam_role",
        "aws_iam_role_policy",
    ):
        (body,) = hcl.typed("resource", kind).values()
        assert body["for_each"] == "${local.functions}", kind
    assert hcl.locals()["functions"].startswith("${{for key, lane in var.lanes : key => {")
    assert hcl.locals()["function_names"] == (
        '${{for key, _ in local.functions : key => "${var.name_prefix}-${key}"}}'
    )


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        *[("python", True), ("go", True), ("python-lean", True), ("p3", True)],
        *[("Python", False), ("python_lean", False), ("-go", False), ("", False)],
        ("a-very-long-lane-name", False),
    ],
)
def test_lane_names(hcl: Hcl, name: str, ok: bool) -> None:
    rule = validation(hcl, "keys(var.lanes)")
    assert "length(var.lanes) >= 1" in rule["condition"]
    assert bool(regex_of(rule["condition"], "name").fullmatch(name)) is ok


@pytest.mark.parametrize(
    ("runtime", "lane_ok", "snapstart_ok"),
    [
        ("python3.12", True, True),
        ("python3.13", True, True),
        ("python3.14", True, True),
        ("python3.11", True, False),  # SnapStart for Python starts at 3.12
        ("python3.9", True, False),
        ("provided.al2023", True, False),  # OS-only runtime: no SnapStart
        ("provided.al2", False, False),
        ("nodejs22.x", False, False),
        ("python3.12x", False, False),
    ],
)
def test_runtimes_and_where_snapstart_is_allowed(
    hcl: Hcl, runtime: str, lane_ok: bool, snapstart_ok: bool
) -> None:
    runtimes = regex_of(validation(hcl, "al2023")["condition"], "lane.runtime")
    assert bool(runtimes.fullmatch(runtime)) is lane_ok
    snapstart = validation(hcl, "!lane.snapstart ||")
    assert bool(regex_of(snapstart["condition"], "lane.runtime").fullmatch(runtime)) is (
        snapstart_ok
    )
    # The cost model prices SnapStart for exactly the lanes infra accepts it on.
    assert cost.snapstart_supported(runtime) is snapstart_ok


def test_snapstart_refusal_says_why(hcl: Hcl) -> None:
    message = validation(hcl, "!lane.snapstart ||")["error_message"]
    assert "provided.al2023" in message
    assert "python3.12" in message
    assert "provisioned_concurrency works on any lane" in message


def test_snapstart_with_provisioned_concurrency_is_refused(hcl: Hcl) -> None:
    rule = validation(hcl, "!(lane.snapstart && lane.provisioned_concurrency > 0)")
    assert "both" in rule["error_message"]
    whole = validation(hcl, "floor(lane.provisioned_concurrency)")
    assert "lane.provisioned_concurrency >= 0" in whole["condition"]


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("AWS_LAMBDA_EXEC_WRAPPER", True),
        ("PYTHONDONTWRITEBYTECODE", True),
        ("AWS_REGION", False),  # Lambda's own: refused by Lambda too
        ("TELEMETRY_AGG_TABLE", False),  # var.workload sets it
        ("1BAD", False),
        ("BAD-NAME", False),
    ],
)
def test_lane_environment_names(hcl: Hcl, name: str, ok: bool) -> None:
    condition = validation(hcl, "keys(lane.environment)")["condition"]
    shaped = bool(regex_of(condition, "name").fullmatch(name))
    assert 'name != "TELEMETRY_AGG_TABLE"' in condition
    assert '(!startswith(name, "AWS_") || name == "AWS_LAMBDA_EXEC_WRAPPER")' in condition
    allowed = name != "TELEMETRY_AGG_TABLE" and (
        not name.startswith("AWS_") or name == "AWS_LAMBDA_EXEC_WRAPPER"
    )
    assert (shaped and allowed) is ok


# --- SnapStart and provisioned concurrency --------------------------------------------------


def test_either_option_publishes_a_version_behind_the_alias_live(hcl: Hcl) -> None:
    functions = hcl.locals()["functions"]
    assert "published = lane.snapstart || lane.provisioned_concurrency > 0" in functions
    assert hcl.locals()["alias_name"] == "live"
    assert hcl.locals()["published"] == (
        "${{for key, f in local.functions : key => f if f.published}}"
    )
    function = hcl.typed("resource", "aws_lambda_function")["function"]
    assert function["publish"] == "${each.value.published}"
    (snap_start,) = [d["snap_start"] for d in function["dynamic"] if "snap_start" in d]
    assert snap_start["for_each"] == "${each.value.snapstart ? [1] : []}"
    assert snap_start["content"] == [{"apply_on": "PublishedVersions"}]

    alias = hcl.typed("resource", "aws_lambda_alias")["live"]
    assert alias["for_each"] == "${local.published}"
    assert alias["name"] == "${local.alias_name}"
    assert alias["function_version"] == "${aws_lambda_function.function[each.key].version}"


def test_provisioned_concurrency_sits_on_the_alias_within_the_reserved(hcl: Hcl) -> None:
    assert hcl.locals()["provisioned"] == (
        "${{for key, f in local.functions : key => f if f.provisioned_concurrency > 0}}"
    )
    config = hcl.typed("resource", "aws_lambda_provisioned_concurrency_config")["live"]
    assert config["for_each"] == "${local.provisioned}"
    assert config["qualifier"] == "${aws_lambda_alias.live[each.key].name}"
    assert config["provisioned_concurrent_executions"] == "${each.value.provisioned_concurrency}"
    (pre,) = config["lifecycle"][0]["precondition"]
    assert pre["condition"] == (
        "${var.reserved_concurrency == -1 || "
        "each.value.provisioned_concurrency <= var.reserved_concurrency}"
    )
    assert "reserved" in pre["error_message"]


def test_the_url_and_its_grants_target_the_alias_when_there_is_one(hcl: Hcl) -> None:
    url = hcl.typed("resource", "aws_lambda_function_url")["function"]
    # Unpublished lanes have no alias: try() gives null, the unqualified URL of before.
    assert url["qualifier"] == "${try(aws_lambda_alias.live[each.key].name, null)}"
    for name, permission in hcl.typed("resource", "aws_lambda_permission").items():
        assert permission["qualifier"] == (
            "${aws_lambda_function_url.function[each.key].qualifier}"
        ), name


# --- the stored workload --------------------------------------------------------------------


def test_workload_variable(hcl: Hcl) -> None:
    variable = hcl.named("variable")["workload"]
    assert variable["default"] == "cpu"
    assert variable["validation"][0]["condition"] == '${contains(["cpu", "store"], var.workload)}'
    assert hcl.locals()["store"] == '${var.workload == "store"}'


def test_the_table(hcl: Hcl) -> None:
    table = hcl.typed("resource", "aws_dynamodb_table")["summaries"]
    assert table["count"] == "${local.store ? 1 : 0}"
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["hash_key"] == "request_id"
    assert table["attribute"] == [{"name": "request_id", "type": "S"}]
    assert table["ttl"] == [{"attribute_name": "expires_at", "enabled": True}]
    assert table["point_in_time_recovery"] == [{"enabled": True}]
    assert table["server_side_encryption"] == [{"enabled": True}]
    assert table["deletion_protection_enabled"] is False  # destroy removes it
    assert hcl.locals()["table_name"] == "${var.name_prefix}-summaries"


def test_functions_get_the_table_name_only_with_the_store(hcl: Hcl) -> None:
    assert hcl.locals()["store_environment"] == (
        "${local.store ? {TELEMETRY_AGG_TABLE = local.table_name} : {}}"
    )
    assert (
        "environment = merge(lane.environment, local.store_environment)"
        in (hcl.locals()["functions"])
    )


def test_each_role_may_put_items_in_that_table_and_nothing_else(hcl: Hcl) -> None:
    policy = hcl.typed("data", "aws_iam_policy_document")["function"]
    (store,) = [d["statement"] for d in policy["dynamic"] if "StoreSummaries" in str(d)]
    assert store["for_each"] == "${local.store ? [1] : []}"
    (content,) = store["content"]
    assert content["actions"] == ["dynamodb:PutItem"]
    assert content["resources"] == ["${aws_dynamodb_table.summaries[0].arn}"]
    dynamodb_actions = set(re.findall(r'"(dynamodb:[A-Za-z*]+)"', hcl.text()))
    assert dynamodb_actions == {"dynamodb:PutItem"}


# --- outputs ----------------------------------------------------------------------------------


def test_map_outputs_serve_any_lane(hcl: Hcl) -> None:
    outputs = hcl.named("output")
    assert outputs["function_urls"]["value"] == (
        "${{for key, url in aws_lambda_function_url.function : key => url.function_url}}"
    )
    assert outputs["function_names"]["value"] == (
        "${{for key, f in aws_lambda_function.function : key => f.function_name}}"
    )
    assert outputs["alias_names"]["value"] == (
        "${{for key, alias in aws_lambda_alias.live : key => alias.name}}"
    )
    lanes = outputs["lanes"]["value"]
    for field in (
        "function_url = aws_lambda_function_url.function[key].function_url",
        "function_name = aws_lambda_function.function[key].function_name",
        "log_group_name = aws_cloudwatch_log_group.function[key].name",
        "alias = try(aws_lambda_alias.live[key].name, null)",
        'version = try(aws_lambda_alias.live[key].function_version, "$LATEST")',
        "runtime = f.runtime",
        "architecture = f.architecture",
        "snapstart = f.snapstart",
        "provisioned_concurrency = f.provisioned_concurrency",
    ):
        assert field in lanes, field
    assert outputs["workload"]["value"] == "${var.workload}"
    assert outputs["table_name"]["value"] == "${try(aws_dynamodb_table.summaries[0].name, null)}"


# --- the var-files checkov runs over ----------------------------------------------------------


def test_checkov_var_files_turn_every_option_on(hcl: Hcl) -> None:
    snapstart_re = regex_of(validation(hcl, "!lane.snapstart ||")["condition"], "lane.runtime")
    snap = tfvars("snapstart.tfvars")["lanes"]
    assert {name for name, lane in snap.items() if lane.get("snapstart")} == {
        "python",
        "python-lean",
    }
    for lane in snap.values():
        assert not lane.get("snapstart") or snapstart_re.fullmatch(lane["runtime"])
    provisioned = tfvars("provisioned.tfvars")["lanes"]
    assert set(provisioned) == {"python", "python-lean", "go"}
    assert all(lane["provisioned_concurrency"] >= 1 for lane in provisioned.values())
    assert all(not lane.get("snapstart") for lane in provisioned.values())
    assert tfvars("store.tfvars") == {"workload": "store"}
    lean = snap["python-lean"]
    assert lean["artifact"] == "python"
    assert set(lean["environment"]) == {"AWS_LAMBDA_EXEC_WRAPPER"}


def test_the_test_script_runs_checkov_over_each_var_file() -> None:
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "for vars in infra/checks/*.tfvars; do" in script
    assert '--var-file "$vars"' in script
    assert len(list(CHECKS.glob("*.tfvars"))) == 3
