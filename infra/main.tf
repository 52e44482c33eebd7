locals {
  build_dir = "${path.module}/../build"

  # The two functions differ only in these attributes; everything else is shared below.
  functions = {
    python = {
      runtime = "python3.12"
      handler = "telemetry_agg.handler.handler"
      package = coalesce(var.python_package_path, "${local.build_dir}/python-${var.architecture}.zip")
    }
    go = {
      runtime = "provided.al2023"
      handler = "bootstrap"
      package = coalesce(var.go_package_path, "${local.build_dir}/go-${var.architecture}.zip")
    }
  }

  function_names = { for key, _ in local.functions : key => "${var.name_prefix}-${key}" }

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
  for_each = local.functions

  function_name = local.function_names[each.key]
  description   = "telemetry-agg ${each.key}: aggregates a batch of telemetry events (docs/contract.md)."
  role          = aws_iam_role.function[each.key].arn
  runtime       = each.value.runtime
  handler       = each.value.handler
  architectures = [var.architecture]
  memory_size   = var.memory_size
  timeout       = var.timeout

  filename = each.value.package
  # try(): `destroy` must work even when the zips are gone (a failed or cleaned build).
  source_code_hash = try(filebase64sha256(each.value.package), null)

  reserved_concurrent_executions = var.reserved_concurrency

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

resource "aws_lambda_function_url" "function" {
  for_each = local.functions

  function_name      = aws_lambda_function.function[each.key].function_name
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
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "public_url_invoke" {
  #checkov:skip=CKV_AWS_301:Public by design, and only on request: this exists only when function_url_auth_type is NONE (the default AWS_IAM creates no resource-based statement); the README and the CLI warn before it is created.
  for_each = var.function_url_auth_type == "NONE" ? local.functions : {}

  statement_id             = "TelemetryAggPublicFunctionUrlInvoke"
  action                   = "lambda:InvokeFunction"
  function_name            = aws_lambda_function.function[each.key].function_name
  principal                = "*"
  invoked_via_function_url = true
}
