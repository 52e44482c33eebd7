# Read by `telemetry-bench remote` (telemetry_agg.bench.terraform.read_outputs): keep the names.

output "python_function_url" {
  description = "Function URL of the Python function."
  value       = aws_lambda_function_url.function["python"].function_url
}

output "go_function_url" {
  description = "Function URL of the Go function."
  value       = aws_lambda_function_url.function["go"].function_url
}

output "python_function_name" {
  description = "Name of the Python function."
  value       = aws_lambda_function.function["python"].function_name
}

output "go_function_name" {
  description = "Name of the Go function."
  value       = aws_lambda_function.function["go"].function_name
}

output "python_log_group_name" {
  description = "CloudWatch Logs group of the Python function (its REPORT lines)."
  value       = aws_cloudwatch_log_group.function["python"].name
}

output "go_log_group_name" {
  description = "CloudWatch Logs group of the Go function (its REPORT lines)."
  value       = aws_cloudwatch_log_group.function["go"].name
}

output "region" {
  description = "AWS region both functions run in."
  value       = var.region
}

output "architecture" {
  description = "Instruction set of both functions (arm64 or x86_64)."
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
  description = "Auth type of both Function URLs: AWS_IAM (signed requests) or NONE (public)."
  value       = var.function_url_auth_type
}
