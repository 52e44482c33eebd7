locals {
  build_dir = "${path.module}/../build"

  # The zips that deploy passes by their old names, by artifact; "" or null means "not given".
  artifact_packages = {
    python = var.python_package_path
    go     = var.go_package_path
  }

  # The lanes, resolved: everything below reads these, never var.lanes directly.
  functions = {
    for key, lane in var.lanes : key => {
      runtime      = lane.runtime
      handler      = lane.handler
      architecture = coalesce(lane.architecture, var.architecture)
      package = coalesce(
        lane.package_path,
        lookup(local.artifact_packages, coalesce(lane.artifact, key), null),
        "${local.build_dir}/${coalesce(lane.artifact, key)}-${coalesce(lane.architecture, var.architecture)}.zip",
      )
      environment             = merge(lane.environment, local.store_environment)
      snapstart               = lane.snapstart
      provisioned_concurrency = lane.provisioned_concurrency
      # SnapStart and provisioned concurrency both need a published version behind an alias.
      published = lane.snapstart || lane.provisioned_concurrency > 0
    }
  }

  function_names = { for key, _ in local.functions : key => "${var.name_prefix}-${key}" }

  # Lanes served through the alias `live` (a published version), and those of them with
  # provisioned concurrency. Every other lane is what it always was: $LATEST, no alias.
  alias_name  = "live"
  published   = { for key, f in local.functions : key => f if f.published }
  provisioned = { for key, f in local.functions : key => f if f.provisioned_concurrency > 0 }

  store             = var.workload == "store"
  table_name        = "${var.name_prefix}-summaries"
  store_environment = local.store ? { TELEMETRY_AGG_TABLE = local.table_name } : {}

  tags = merge(var.tags, {
    Project   = "telemetry-agg"
    ManagedBy = "terraform"
  })
}

# Created by Terraform, before the functions, so that retention applies from the first log line
# and `destroy` removes the logs too (Lambda would otherwise create the groups, kept forever).
resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:AWS-managed encryption at rest is enough here: the handlers never log the payload (docs/contract.md, the log line), and a customer-managed KMS key would cost more than the benchmark itself.
  #checkov:skip=CKV_AWS_338:A benchmark's logs are read within days; 14 days (var.log_retention_days) is the deliberate default, not a year.
  for_each = local.functions

  name              = "/aws/lambda/${local.function_names[each.key]}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "function" {
  #checkov:skip=CKV_AWS_116:A dead-letter queue only applies to asynchronous invocations; Function URLs invoke synchronously and the caller sees every error.
  #checkov:skip=CKV_AWS_117:The functions reach no private resource; a VPC would add ENI set-up to cold starts and a NAT gateway's cost, skewing the comparison it exists for.
  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile; instead the zips are reproducible and `telemetry-bench package` prints their SHA-256, which Terraform compares (source_code_hash).
  #checkov:skip=CKV_AWS_173:The environment holds no secret (a table name, the lean lane's wrapper path); Lambda encrypts it at rest with an AWS managed key, and a customer-managed key would add KMS calls to every cold start.
  for_each = local.functions

  function_name = local.function_names[each.key]
  description   = "telemetry-agg ${each.key}: aggregates a batch of telemetry events (docs/contract.md)."
  role          = aws_iam_role.function[each.key].arn
  runtime       = each.value.runtime
  handler       = each.value.handler
  architectures = [each.value.architecture]
  memory_size   = var.memory_size
  timeout       = var.timeout

  filename = each.value.package
  # try(): `destroy` must work even when the zips are gone (a failed or cleaned build).
  source_code_hash = try(filebase64sha256(each.value.package), null)

  reserved_concurrent_executions = var.reserved_concurrency

  # A version is published only for SnapStart or provisioned concurrency (both need one); the
  # other lanes run $LATEST as before. `destroy` deletes the function with all its versions.
  publish = each.value.published

  dynamic "snap_start" {
    for_each = each.value.snapstart ? [1] : []

    content {
      apply_on = "PublishedVersions"
    }
  }

  dynamic "environment" {
    for_each = length(each.value.environment) > 0 ? [each.value.environment] : []

    content {
      variables = environment.value
    }
  }

  tracing_config {
    mode = var.xray_tracing ? "Active" : "PassThrough"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  depends_on = [
    aws_iam_role_policy.function,
    aws_cloudwatch_log_group.function,
  ]
}

# The alias the Function URL and the bench use for a published lane: the snapshot (SnapStart)
# or the provisioned environments belong to this version, never to $LATEST.
resource "aws_lambda_alias" "live" {
  for_each = local.published

  name             = local.alias_name
  description      = "The version the ${local.function_names[each.key]} Function URL serves."
  function_name    = aws_lambda_function.function[each.key].function_name
  function_version = aws_lambda_function.function[each.key].version
}

resource "aws_lambda_provisioned_concurrency_config" "live" {
  for_each = local.provisioned

  function_name                     = aws_lambda_function.function[each.key].function_name
  qualifier                         = aws_lambda_alias.live[each.key].name
  provisioned_concurrent_executions = each.value.provisioned_concurrency

  lifecycle {
    precondition {
      condition     = var.reserved_concurrency == -1 || each.value.provisioned_concurrency <= var.reserved_concurrency
      error_message = "Provisioned concurrency cannot exceed the function's reserved concurrency: lower the lane's provisioned_concurrency or raise reserved_concurrency (-1 reserves none)."
    }
  }
}

resource "aws_lambda_function_url" "function" {
  for_each = local.functions

  function_name = aws_lambda_function.function[each.key].function_name
  # Only published lanes have the alias; the others keep the unqualified URL of today.
  qualifier          = try(aws_lambda_alias.live[each.key].name, null)
  authorization_type = var.function_url_auth_type
}

# Only with auth type NONE: the resource-based policy that makes the URL public. With AWS_IAM
# there is no resource-based statement at all: callers in this account need
# lambda:InvokeFunctionUrl and lambda:InvokeFunction in their own identity policy.
resource "aws_lambda_permission" "public_url" {
  #checkov:skip=CKV_AWS_301:Public by design, and only on request: this exists only when function_url_auth_type is NONE (the default AWS_IAM creates no resource-based statement); the README and the CLI warn before it is created.
  for_each = var.function_url_auth_type == "NONE" ? local.functions : {}

  statement_id           = "TelemetryAggPublicFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.function[each.key].function_name
  qualifier              = aws_lambda_function_url.function[each.key].qualifier
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "public_url_invoke" {
  #checkov:skip=CKV_AWS_301:Public by design, and only on request: this exists only when function_url_auth_type is NONE (the default AWS_IAM creates no resource-based statement); the README and the CLI warn before it is created.
  for_each = var.function_url_auth_type == "NONE" ? local.functions : {}

  statement_id             = "TelemetryAggPublicFunctionUrlInvoke"
  action                   = "lambda:InvokeFunction"
  function_name            = aws_lambda_function.function[each.key].function_name
  qualifier                = aws_lambda_function_url.function[each.key].qualifier
  principal                = "*"
  invoked_via_function_url = true
}
