# checkov runs over infra/ with this file too (scripts/test.sh): provisioned concurrency on every
# lane, as `telemetry-bench deploy --provisioned-concurrency 2` would set it.
lanes = {
  python = {
    runtime                 = "python3.12"
    handler                 = "telemetry_agg.handler.handler"
    provisioned_concurrency = 2
  }
  python-lean = {
    runtime                 = "python3.12"
    handler                 = "telemetry_agg.handler.handler"
    artifact                = "python"
    environment             = { AWS_LAMBDA_EXEC_WRAPPER = "/var/task/telemetry_agg_lean" }
    provisioned_concurrency = 2
  }
  go = {
    runtime                 = "provided.al2023"
    handler                 = "bootstrap"
    provisioned_concurrency = 2
  }
}
