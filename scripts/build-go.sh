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
# An output newer than every Go source (and go.mod, go.sum) is not rebuilt. Prints each path and size.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 64
}
command -v go >/dev/null 2>&1 || { echo "build-go: 'go' is not installed; install Go 1.26 or newer (https://go.dev/doc/install)." >&2; exit 1; }

# The newest Go input, to compare outputs against.
newest=$(find go -name '*.go' -o -name go.mod -o -name go.sum | xargs ls -t | head -n1)

build() { # build OUT PKG [GOOS GOARCH [TAGS]]
  local out=$1 pkg=$2 goos=${3:-} goarch=${4:-} tags=${5:-lambda.norpc}
  if [ -f "$out" ] && [ "$out" -nt "$newest" ] && [ "$out" -nt "$0" ]; then
    :
  else
    mkdir -p "$(dirname "$out")"
    if [ -n "$goos" ]; then
      (cd go && GOOS=$goos GOARCH=$goarch CGO_ENABLED=0 go build -tags "$tags" -trimpath -ldflags "-s -w" -o "$ROOT/$out" "$pkg")
    else
      (cd go && CGO_ENABLED=0 go build -trimpath -o "$ROOT/$out" "$pkg")
    fi
  fi
  printf '%s\t%s bytes\n' "$out" "$(wc -c < "$out" | tr -d ' ')"
}

bootstrap() { # bootstrap GOARCH WORKLOAD: one workload's Lambda bootstrap
  case "$2" in
    cpu) build "build/linux_$1/bootstrap" ./cmd/bootstrap linux "$1" lambda.norpc,nostore ;;
    store) build "build/linux_$1/bootstrap-store" ./cmd/bootstrap linux "$1" lambda.norpc ;;
    *) echo "build-go: unknown workload '$2'; use cpu or store." >&2; exit 64 ;;
  esac
}

case "${1:-}" in
  host)
    [ $# -le 2 ] || usage
    build build/telemetry-agg ./cmd/telemetry-agg
    for workload in ${2:-cpu store}; do
      bootstrap "$(go env GOARCH)" "$workload"
    done
    ;;
  lambda)
    [ $# -ge 2 ] && [ $# -le 3 ] || usage
    case "$2" in
      arm64|amd64) bootstrap "$2" "${3:-cpu}" ;;
      *) echo "build-go: unknown architecture '$2'; use arm64 or amd64." >&2; exit 64 ;;
    esac
    ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac
