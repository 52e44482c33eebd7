variable "region" {
  description = "AWS region to deploy both functions to."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2,4}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "The region must look like an AWS region code, for example us-east-1 or eu-west-3."
  }
}

variable "architecture" {
  description = "Instruction set of both functions: arm64 (Graviton, as in the study) or x86_64. The zips must be built for it (`telemetry-bench package --arch`)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "The architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory of each function in MB (128 to 10240). CPU share grows with it."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "The memory size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Timeout of each function in seconds (1 to 900)."
  type        = number
  default     = 10

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "The timeout must be a whole number of seconds from 1 to 900."
  }
}

variable "reserved_concurrency" {
  description = "Concurrent executions reserved for (and capping) each function, which bounds the cost of a runaway load test; -1 reserves none. Accounts whose concurrency quota is 10 must use -1: Lambda keeps 10 unreserved."
  type        = number
  default     = 25

  validation {
    condition     = var.reserved_concurrency == -1 || (var.reserved_concurrency >= 1 && floor(var.reserved_concurrency) == var.reserved_concurrency)
    error_message = "The reserved concurrency must be -1 (none) or a whole number of at least 1 (0 would throttle every request)."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps each function's log group, which Terraform creates (so destroy removes it)."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log retention must be one CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days."
  }
}

variable "xray_tracing" {
  description = "Active X-Ray tracing on both functions (true) or PassThrough (false)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every resource name: functions are <prefix>-python and <prefix>-go."
  type        = string
  default     = "telemetry-agg"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,48}$", var.name_prefix))
    error_message = "The name prefix must be 1 to 48 letters, digits, hyphens or underscores."
  }
}

variable "tags" {
  description = "Tags added to every resource, beside Project and ManagedBy."
  type        = map(string)
  default     = {}
}

variable "function_url_auth_type" {
  description = "Auth type of both Function URLs. AWS_IAM (default): callers sign requests with SigV4. NONE makes both URLs public and unauthenticated: anyone who learns them can invoke the functions and run up your bill."
  type        = string
  default     = "AWS_IAM"

  validation {
    condition     = contains(["AWS_IAM", "NONE"], var.function_url_auth_type)
    error_message = "The Function URL auth type must be AWS_IAM or NONE."
  }
}

variable "python_package_path" {
  description = "Path of the Python deployment zip; null means build/python-<architecture>.zip in the project (what `telemetry-bench package` writes)."
  type        = string
  default     = null
}

variable "go_package_path" {
  description = "Path of the Go deployment zip; null means build/go-<architecture>.zip in the project (what `telemetry-bench package` writes)."
  type        = string
  default     = null
}
