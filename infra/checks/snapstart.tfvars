# checkov runs over infra/ with this file too (scripts/test.sh): SnapStart on every Python lane
# infra accepts it for, the stock and the lean. Whether deploy may turn it on for the lean lane
# depends on its runtime loop (the Runtime API's restore step and hooks): deploy decides, not infra.
lanes = {
  python = {
    runtime   = "python3.12"
    handler   = "telemetry_agg.handler.handler"
    snapstart = true
  }
  python-lean = {
    runtime     = "python3.12"
    handler     = "telemetry_agg.handler.handler"
    artifact    = "python"
    environment = { AWS_LAMBDA_EXEC_WRAPPER = "/var/task/telemetry_agg_lean" }
    snapstart   = true
  }
  go = {
    runtime = "provided.al2023"
    handler = "bootstrap"
  }
}
