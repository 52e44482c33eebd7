#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, idempotently:
#   .venv/                 Python 3.11+ virtualenv with telemetry-agg[bench,dev] (editable)
#   .tools/checkov/        checkov in a venv of its own (its pins clash with boto3's)
#   .tools/bin/tofu        OpenTofu built from its Go module, only when neither terraform nor tofu is on PATH
#   .tools/bin/aws-lambda-rie   the Lambda Runtime Interface Emulator, from its Go module (pinned in
#                          src/telemetry_agg/bench/constants.py) and
#   build/                 the Go binaries (CLI and host bootstraps, one per workload): both by
#                          `telemetry-bench setup`
#   .tools/python-runtime/ the Lambda runtime's own packages (awslambdaric, boto3) for python3.12
#                          (or this Python when there is none), apart from the task folder: also
#                          by `telemetry-bench setup`
#   qemu-user-static       (apt, as root only) to run the arm64 Go zip in the tests
# Each step is skipped when its output is newer than its inputs. Needs: python3 (3.11 to 3.13), go.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=$ROOT/.tools
mkdir -p "$TOOLS/bin"

TOFU_VERSION=v1.10.10

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
need() {
  command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is not installed. $2" >&2; exit 1; }
}

need python3 "Install Python 3.11 to 3.13 (for example: apt-get install python3 python3-venv)."
need go "Install Go 1.26 or newer (https://go.dev/doc/install), then rerun."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  say "installing telemetry-agg[bench,dev] into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[bench,dev]'
  touch .venv/.installed
fi

if [ ! -x "$TOOLS/checkov/bin/checkov" ]; then
  say "installing checkov into .tools/checkov"
  "$PY" -m venv "$TOOLS/checkov"
  "$TOOLS/checkov/bin/python" -m pip install --quiet --upgrade pip
  "$TOOLS/checkov/bin/python" -m pip install --quiet 'checkov>=3.2,<4'
fi

if ! command -v terraform >/dev/null 2>&1 && ! command -v tofu >/dev/null 2>&1 \
   && [ ! -x "$TOOLS/bin/tofu" ]; then
  say "building OpenTofu $TOFU_VERSION from its Go module (neither terraform nor tofu is installed; a few minutes, once)"
  # `go install` refuses modules with replace directives, so build inside a copy of the module.
  dir=$(go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" \
        | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  src=$(mktemp -d)
  cp -r "$dir/." "$src"
  chmod -R u+w "$src"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$TOOLS/bin/tofu" ./cmd/tofu)
  rm -rf "$src"
fi

say "telemetry-bench setup: the emulator, the Go twin, the Python runtime folder"
.venv/bin/telemetry-bench setup

if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing qemu-user-static (the arm64 Go zip under the emulator, in the tests)"
    # A fresh machine may have no package lists yet: update once, only when the install fails.
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-user-static >/dev/null; }; } \
      || echo "setup: apt-get could not install qemu-user-static; the arm64 Go zip test will skip" >&2
  else
    echo "setup: qemu-user-static not installed (needs root and apt-get); the arm64 Go zip test will skip" >&2
  fi
fi
say "setup done"
