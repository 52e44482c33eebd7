variable "region" {
  description = "AWS region to deploy every function (lane) to."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2,4}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "The region must look like an AWS region code, for example us-east-1 or eu-west-3."
  }
}

variable "architecture" {
  description = "Instruction set of every lane that does not set its own: arm64 (Graviton, as in the study) or x86_64. The zips must be built for it (`telemetry-bench package --arch`)."
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
  description = "Active X-Ray tracing on every function (true) or PassThrough (false)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every resource name: functions are <prefix>-<lane> (<prefix>-python, <prefix>-go), the table <prefix>-summaries."
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
  description = "Auth type of every Function URL. AWS_IAM (default): callers sign requests with SigV4. NONE makes the URLs public and unauthenticated: anyone who learns them can invoke the functions and run up your bill."
  type        = string
  default     = "AWS_IAM"

  validation {
    condition     = contains(["AWS_IAM", "NONE"], var.function_url_auth_type)
    error_message = "The Function URL auth type must be AWS_IAM or NONE."
  }
}

variable "python_package_path" {
  description = "Path of the Python deployment zip, used by every lane whose artifact is python (unless the lane sets package_path); null or empty means build/python-<architecture>.zip in the project (what `telemetry-bench package` writes)."
  type        = string
  default     = null
}

variable "go_package_path" {
  description = "Path of the Go deployment zip, used by every lane whose artifact is go (unless the lane sets package_path); null or empty means build/go-<architecture>.zip in the project (what `telemetry-bench package` writes)."
  type        = string
  default     = null
}

# The lanes: one function each. The two defaults are today's functions; a third lane (the lean
# Python runtime loop, started through AWS_LAMBDA_EXEC_WRAPPER) is added by data only, e.g.
#   "python-lean" = { runtime = "python3.12", handler = "telemetry_agg.handler.handler",
#                     artifact = "python",
#                     environment = { AWS_LAMBDA_EXEC_WRAPPER = "/var/task/<wrapper>" } }
# Terraform 1.5 cannot compare two variables in one validation, so every per-lane rule lives
# here, on the lane itself; rules that need another variable are preconditions in main.tf.
variable "lanes" {
  description = "The functions to deploy, one per lane: runtime, handler, artifact (build/<artifact>-<arch>.zip, default the lane's name) or an explicit package_path, architecture (default var.architecture), extra environment, and the cold-start option: snapstart (python3.12+ only) or provisioned_concurrency (any lane), never both. A lane with either is published as a version behind the alias `live`, and its Function URL targets the alias."
  type = map(object({
    runtime                 = string
    handler                 = string
    artifact                = optional(string)
    package_path            = optional(string)
    architecture            = optional(string)
    environment             = optional(map(string), {})
    snapstart               = optional(bool, false)
    provisioned_concurrency = optional(number, 0)
  }))
  default = {
    python = {
      runtime = "python3.12"
      handler = "telemetry_agg.handler.handler"
    }
    go = {
      runtime = "provided.al2023"
      handler = "bootstrap"
    }
  }

  validation {
    condition     = length(var.lanes) >= 1 && alltrue([for name in keys(var.lanes) : can(regex("^[a-z][a-z0-9-]{0,14}$", name))])
    error_message = "At least one lane, each named with 1 to 15 lower-case letters, digits or hyphens, starting with a letter (the name ends the function's name: <prefix>-<lane>)."
  }

  validation {
    condition     = alltrue([for lane in values(var.lanes) : can(regex("^(python3\\.[0-9]+|provided\\.al2023)$", lane.runtime))])
    error_message = "A lane's runtime must be a Lambda Python runtime (python3.N) or provided.al2023 (the Go lane's OS-only runtime)."
  }

  validation {
    condition     = alltrue([for lane in values(var.lanes) : lane.architecture == null || contains(["arm64", "x86_64"], coalesce(lane.architecture, "arm64"))])
    error_message = "A lane's architecture must be arm64 or x86_64 (or left out: var.architecture)."
  }

  validation {
    condition     = alltrue([for lane in values(var.lanes) : !lane.snapstart || can(regex("^python3\\.(1[2-9]|[2-9][0-9])$", lane.runtime))])
    error_message = "SnapStart is refused for this lane: Lambda supports it only on managed runtimes (here python3.12 and later); provided.al2023, the Go lane's OS-only runtime, has no SnapStart. Turn snapstart off for that lane (provisioned_concurrency works on any lane)."
  }

  validation {
    condition     = alltrue([for lane in values(var.lanes) : lane.provisioned_concurrency >= 0 && floor(lane.provisioned_concurrency) == lane.provisioned_concurrency])
    error_message = "A lane's provisioned_concurrency must be a whole number: 0 (none) or more."
  }

  validation {
    condition     = alltrue([for lane in values(var.lanes) : !(lane.snapstart && lane.provisioned_concurrency > 0)])
    error_message = "A lane cannot have both snapstart and provisioned_concurrency: AWS refuses SnapStart with provisioned concurrency on one function. Choose one per lane."
  }

  validation {
    condition = alltrue(flatten([for lane in values(var.lanes) : [
      for name in keys(lane.environment) :
      can(regex("^[A-Za-z][A-Za-z0-9_]*$", name)) && name != "TELEMETRY_AGG_TABLE" && (!startswith(name, "AWS_") || name == "AWS_LAMBDA_EXEC_WRAPPER")
    ]]))
    error_message = "A lane's environment names must be letters, digits and underscores; AWS_* names are Lambda's own (only AWS_LAMBDA_EXEC_WRAPPER may be set), and TELEMETRY_AGG_TABLE is set by var.workload."
  }
}

variable "workload" {
  description = "cpu (default): the functions only aggregate. store: a DynamoDB table is created (on-demand, point-in-time recovery, TTL on expires_at, encrypted) and every function gets TELEMETRY_AGG_TABLE and dynamodb:PutItem on that table, nothing more (docs/contract.md section 5)."
  type        = string
  default     = "cpu"

  validation {
    condition     = contains(["cpu", "store"], var.workload)
    error_message = "The workload must be cpu or store."
  }
}
