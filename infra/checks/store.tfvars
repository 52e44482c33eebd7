# checkov runs over infra/ with this file too (scripts/test.sh): the stored workload, with the
# table, its grants and TELEMETRY_AGG_TABLE in every function's environment.
workload = "store"
