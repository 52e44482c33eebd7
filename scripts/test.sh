#!/usr/bin/env bash
# Every test and static check. Run through `make test` (which sets up first).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PWD/.venv/bin:$PATH"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "ruff"
ruff check src tests benchmarks
ruff format --check src tests benchmarks
step "mypy --strict"
mypy
step "pytest"
pytest
