#!/usr/bin/env bash
# Builds the Go twin (go/) into build/ at the repository root.
#
#   scripts/build-go.sh host            build/telemetry-agg (the CLI, for this machine) and
#                                       build/linux_<hostarch>/bootstrap
#   scripts/build-go.sh lambda arm64    build/linux_arm64/bootstrap, for provided.al2023
#   scripts/build-go.sh lambda amd64    build/linux_amd64/bootstrap
#
# Lambda builds use GOOS=linux GOARCH=<arch> CGO_ENABLED=0 go build -tags lambda.norpc -trimpath
# -ldflags "-s -w" (lambda.norpc drops aws-lambda-go's RPC mode, which only the retired go1.x
# runtime used: provided.al2023 speaks the Runtime API; the bootstrap is about 24% smaller).
# An output newer than every Go source (and go.mod, go.sum) is not rebuilt. Prints each path and size.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 64
}
command -v go >/dev/null 2>&1 || { echo "build-go: 'go' is not installed; install Go 1.26 or newer (https://go.dev/doc/install)." >&2; exit 1; }

# The newest Go input, to compare outputs against.
newest=$(find go -name '*.go' -o -name go.mod -o -name go.sum | xargs ls -t | head -n1)

build() { # build OUT PKG [GOOS GOARCH]
  local out=$1 pkg=$2 goos=${3:-} goarch=${4:-}
  if [ -f "$out" ] && [ "$out" -nt "$newest" ] && [ "$out" -nt "$0" ]; then
    :
  else
    mkdir -p "$(dirname "$out")"
    if [ -n "$goos" ]; then
      (cd go && GOOS=$goos GOARCH=$goarch CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags "-s -w" -o "$ROOT/$out" "$pkg")
    else
      (cd go && CGO_ENABLED=0 go build -trimpath -o "$ROOT/$out" "$pkg")
    fi
  fi
  printf '%s\t%s bytes\n' "$out" "$(wc -c < "$out" | tr -d ' ')"
}

case "${1:-}" in
  host)
    [ $# -eq 1 ] || usage
    build build/telemetry-agg ./cmd/telemetry-agg
    build "build/linux_$(go env GOARCH)/bootstrap" ./cmd/bootstrap linux "$(go env GOARCH)"
    ;;
  lambda)
    [ $# -eq 2 ] || usage
    case "$2" in
      arm64|amd64) build "build/linux_$2/bootstrap" ./cmd/bootstrap linux "$2" ;;
      *) echo "build-go: unknown architecture '$2'; use arm64 or amd64." >&2; exit 64 ;;
    esac
    ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac
