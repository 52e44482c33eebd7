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
# --- infra/ (engineer D): fmt with a real terraform or OpenTofu binary, checkov offline -----
step "infra: fmt -check"
tf=$(command -v terraform || command -v tofu || true)
if [ -z "$tf" ]; then
  echo "test: neither terraform nor tofu is installed; run 'make setup' (it builds OpenTofu into .tools/bin)." >&2
  exit 1
fi
"$tf" fmt -check -recursive -diff infra
step "infra: checkov (offline; each accepted finding is skipped inline with its reason)"
.tools/checkov/bin/checkov -d infra --framework terraform --skip-download --quiet --compact
# Again with the options on, as deploy would set them: SnapStart, provisioned concurrency, the
# stored workload (infra/checks/*.tfvars).
for vars in infra/checks/*.tfvars; do
  step "infra: checkov with $vars"
  .tools/checkov/bin/checkov -d infra --framework terraform --skip-download --quiet --compact --var-file "$vars"
done
# --- end of infra/ -------------------------------------------------------------------------------
# --- go/ (engineer B): format, vet, staticcheck, tests with -race, short fuzz runs ---------------
step "go: gofmt, go vet, staticcheck"
unformatted=$(cd go && gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "test: these Go files are not gofmt-formatted; run 'gofmt -w go':" >&2
  echo "$unformatted" >&2
  exit 1
fi
(cd go && go vet ./... && go vet -tags nostore ./...)  # nostore: the CPU workload's bootstrap
(cd go && go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...)
step "go: go test -race (the shared vectors, examples, the CLI)"
(cd go && go test -race -count=1 ./...)
step "go: fuzz the scanner, the handler (15 s each), the event reader and the body decoder (10 s each)"
(cd go && go test -run '^$' -fuzz '^FuzzAggregate$' -fuzztime 15s ./aggregate/)
(cd go && go test -run '^$' -fuzz '^FuzzHandler$' -fuzztime 15s ./handler/)
(cd go && go test -run '^$' -fuzz '^FuzzRead$' -fuzztime 10s ./internal/event/)
(cd go && go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime 10s ./internal/jsontext/)
# --- end of go/ ----------------------------------------------------------------------------------
step "pytest"
pytest
# --- the other Pythons: Lambda runs python3.12 to python3.14, the project supports 3.11 to 3.13 --
# The library, the handler, every vector, the lean loop and the store again on each other
# supported Python this machine has (pyenv's or on PATH), each in a venv of its own under .tools/.
for version in 3.12 3.13; do
  step "pytest on Python $version: the library, the handler, the vectors, the lean loop, the store"
  py=$(python -c "from telemetry_agg.bench.local.pyruntime import find_python as f; p = f('$version'); print(p.path if p else '')")
  if [ -z "$py" ]; then
    echo "test: no python$version on this machine, so the library is not tested on it here (install one, e.g. with pyenv, to test it)."
    continue
  fi
  venv=".tools/venv-$version"
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q -e '.[dev]'
  "$venv/bin/python" -m pytest -q -p no:cacheprovider -m "not emulator" \
    tests/unit tests/runtime/test_loop.py tests/store \
    --ignore=tests/unit/bench --ignore=tests/unit/test_layout.py
done
