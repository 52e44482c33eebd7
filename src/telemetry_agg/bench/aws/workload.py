"""`remote --workload`: which workload a run measures, and the stored one's own check.

`cpu` (the default) only aggregates; `store` writes every summary to DynamoDB first
(docs/contract.md section 5), which `deploy --workload store` sets up. The Terraform outputs
say which one is deployed; `remote` refuses to measure the other one (it would not be there).
"""

from __future__ import annotations

from typing import Any

from telemetry_agg.bench.errors import UsageError
from telemetry_agg.bench.model import workloads

WORKLOADS = workloads.names()


def check(asked: str | None, deployed: str | None) -> str:
    """The workload to measure: `--workload` (default cpu), which must be the deployed one
    when the Terraform outputs say which (UsageError: deploy it first)."""
    workload = asked or deployed or "cpu"
    if workload not in WORKLOADS:
        raise UsageError(f"--workload must be {' or '.join(WORKLOADS)}, not {workload!r}")
    if deployed and workload != deployed:
        raise UsageError(
            f"--workload {workload}: the deployment runs the {deployed} workload",
            f"Deploy it first: `telemetry-bench deploy --workload {workload}` (or measure "
            f"--workload {deployed}).",
        )
    return workload


def unstored(lane: str, answer: dict[str, Any]) -> str | None:
    """Under the stored workload, what is wrong with a 200 answer that does not say
    `stored: true` (None when it does)."""
    if answer.get("stored") is True:
        return None
    return (
        f"{lane}: a 200 answer without `stored: true` under --workload store: is "
        "TELEMETRY_AGG_TABLE set on the function? (`telemetry-bench deploy --workload store`)"
    )
