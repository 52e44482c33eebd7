# The two Quickstart commands are `make demo` and `make test`; each runs the set-up first.
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/.venv/bin:$(PATH)

.PHONY: setup demo test lint test-python test-go test-infra bench go-build

setup:
	@scripts/setup.sh

# The main job: Go vs Python, locally, under the real Lambda Runtime Interface Emulator.
# --quick: the study's sizes with fewer samples (under a minute on 2 cores); drop it for the full run.
demo: setup
	telemetry-bench local --quick --output results/local

# Every test and static check; .ci/run calls this.
test: setup
	scripts/test.sh

bench: setup
	.venv/bin/pytest benchmarks --benchmark-enable --benchmark-only -p no:cacheprovider
	.venv/bin/python benchmarks/ratios.py
	.venv/bin/python benchmarks/cli_help.py

go-build:
	scripts/build-go.sh host
