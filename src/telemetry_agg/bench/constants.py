"""The limits telemetry-bench checks against, each written once.

Lambda's own limits (AWS Lambda quotas) and the bench's own bounds; `checks.py` turns them into
the one-line messages that name the option.
"""

from __future__ import annotations

LAMBDA_REQUEST_LIMIT = 6 * 1024 * 1024  # synchronous invocation / Function URL request, bytes
MEMORY_MIN_MB, MEMORY_MAX_MB = 128, 10_240  # Lambda's memory range
TIMEOUT_MIN_S, TIMEOUT_MAX_S = 1, 900  # Lambda's timeout range
VCPU_MB = 1769  # Lambda: one full vCPU at 1,769 MB
CONCURRENCY_MAX_LOCAL = 64  # environments one machine runs side by side
PORT_MIN, PORT_MAX = 1, 65_535
DEFAULT_REGION = "us-east-1"

# The Lambda Runtime Interface Emulator, built from its Go module by `telemetry-bench setup`
# (scripts/setup.sh calls it): this pin is the only one.
RIE_MODULE = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"
RIE_VERSION = "v0.0.0-20261030222936-bef5c4ba774d"
GO_MIN_VERSION = "1.26"  # go/go.mod's `go` line
GO_INSTALL_URL = "https://go.dev/doc/install"
