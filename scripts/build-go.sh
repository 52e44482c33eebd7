#!/usr/bin/env bash
# Builds the Go twin (go/) into build/ at the repository root.
#
#   scripts/build-go.sh host [cpu|store]          build/telemetry-agg (the CLI, for this machine)
#                                                 and build/linux_<hostarch>/bootstrap (cpu),
#                                                 bootstrap-store (store); both when not said
#   scripts/build-go.sh lambda arm64 [cpu|store]  build/linux_arm64/bootstrap (cpu, the default)
#                                                 or bootstrap-store, for provided.al2023
#   scripts/build-go.sh lambda amd64 [cpu|store]  the same in build/linux_amd64/
#
# The bootstraps, one per workload: `bootstrap` (the CPU workload) is built with -tags nostore
# and links no AWS SDK; `bootstrap-store` (the stored workload, TELEMETRY_AGG_TABLE) links
# aws-sdk-go-v2. Lambda builds use GOOS=linux GOARCH=<arch> CGO_ENABLED=0 go build
# -tags lambda.norpc[,nostore] -trimpath -ldflags "-s -w" (lambda.norpc drops aws-lambda-go's
# RPC mode, which only the retired go1.x runtime used: provided.al2023 speaks the Runtime API).
# An output whose stamp (<name>.inputs) names its sources' digest and flags is not rebuilt; a
# build goes to a temporary name and is renamed into place when complete. Prints each path and
# size. The one implementation is telemetry_agg.bench.toolchain (`telemetry-bench setup` and the
# commands use it too); this script runs it with the checkout's Python.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ]; then
  PY=.venv/bin/python
else
  PY=${PYTHON:-python3}
  export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
fi
case "${1:-}" in
  -h|--help|help|"") sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64 ;;
esac
exec "$PY" -m telemetry_agg.bench.toolchain "$@"
