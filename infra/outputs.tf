# Read by `telemetry-bench remote` (telemetry_agg.bench.terraform.read_outputs): keep the names.
# The per-language outputs are today's interface (null when that lane is not deployed); the maps
# below serve any set of lanes, keyed by lane name.

output "python_function_url" {
  description = "Function URL of the Python function."
  value       = try(aws_lambda_function_url.function["python"].function_url, null)
}

output "go_function_url" {
  description = "Function URL of the Go function."
  value       = try(aws_lambda_function_url.function["go"].function_url, null)
}

output "python_function_name" {
  description = "Name of the Python function."
  value       = try(aws_lambda_function.function["python"].function_name, null)
}

output "go_function_name" {
  description = "Name of the Go function."
  value       = try(aws_lambda_function.function["go"].function_name, null)
}

output "python_log_group_name" {
  description = "CloudWatch Logs group of the Python function (its REPORT lines)."
  value       = try(aws_cloudwatch_log_group.function["python"].name, null)
}

output "go_log_group_name" {
  description = "CloudWatch Logs group of the Go function (its REPORT lines)."
  value       = try(aws_cloudwatch_log_group.function["go"].name, null)
}

output "region" {
  description = "AWS region every function runs in."
  value       = var.region
}

output "architecture" {
  description = "Default instruction set of the functions (arm64 or x86_64); a lane may override it (see lanes)."
  value       = var.architecture
}

output "memory_size" {
  description = "Memory of each function in MB."
  value       = var.memory_size
}

output "timeout" {
  description = "Timeout of each function in seconds."
  value       = var.timeout
}

output "auth_type" {
  description = "Auth type of every Function URL: AWS_IAM (signed requests) or NONE (public)."
  value       = var.function_url_auth_type
}

output "function_urls" {
  description = "Function URL of every lane, by lane name (the alias `live` URL where the lane is published)."
  value       = { for key, url in aws_lambda_function_url.function : key => url.function_url }
}

output "function_names" {
  description = "Function name of every lane, by lane name."
  value       = { for key, f in aws_lambda_function.function : key => f.function_name }
}

output "alias_names" {
  description = "Alias of every published lane (SnapStart or provisioned concurrency), by lane name; lanes on $LATEST are absent."
  value       = { for key, alias in aws_lambda_alias.live : key => alias.name }
}

output "lanes" {
  description = "Everything the bench needs per lane: URL, function, log group, alias and version it serves, runtime, architecture, cold-start option."
  value = {
    for key, f in local.functions : key => {
      function_url            = aws_lambda_function_url.function[key].function_url
      function_name           = aws_lambda_function.function[key].function_name
      log_group_name          = aws_cloudwatch_log_group.function[key].name
      alias                   = try(aws_lambda_alias.live[key].name, null)
      version                 = try(aws_lambda_alias.live[key].function_version, "$LATEST")
      runtime                 = f.runtime
      architecture            = f.architecture
      snapstart               = f.snapstart
      provisioned_concurrency = f.provisioned_concurrency
    }
  }
}

output "workload" {
  description = "cpu, or store (the functions write every summary to table_name)."
  value       = var.workload
}

output "table_name" {
  description = "DynamoDB table the functions store summaries in (TELEMETRY_AGG_TABLE); null with the cpu workload."
  value       = try(aws_dynamodb_table.summaries[0].name, null)
}
