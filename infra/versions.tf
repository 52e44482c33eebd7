terraform {
  # Terraform 1.5 or newer; OpenTofu 1.6 or newer reads the same files.
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The study used >= 5.26. We need 6.29: since October 2025 a Function URL with auth type
      # NONE also needs `lambda:InvokeFunction` granted on the condition
      # `lambda:InvokedViaFunctionUrl`, which aws_lambda_permission can express only from 6.29
      # (`invoked_via_function_url`). No archive provider: `telemetry-bench package` builds the
      # zips reproducibly (see README.md).
      version = ">= 6.29, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}
