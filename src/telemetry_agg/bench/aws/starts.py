"""The kinds of start `remote` tells apart per lane, and how it forces the cold ones.

Three kinds, read from each request's REPORT line (`functions.LambdaReport.start`):

- **on-demand cold**: a new environment that ran INIT for this request (`Init Duration`);
- **restored**: a new SnapStart environment resumed from the version's snapshot (`Restore
  Duration`, `Billed Restore Duration`; its INIT ran when the version was published);
- **warm or provisioned**: an environment that was ready before the request (neither field).

How `--cold-starts K` forces K of the kind the deployment has:

- nothing deployed (the function's `$LATEST`): a configuration change retires the warm
  environments (`FunctionControl.force_cold_start`), then one request; K times;
- SnapStart or provisioned concurrency (a published version behind the alias `live`): a
  configuration change would only touch `$LATEST`, and re-publishing takes a new snapshot
  each time (minutes, and its own cache charge), so instead one burst of parallel requests,
  more than there are ready environments: `burst_size` = K + the larger of N (the provisioned
  ones) and the environments the bench itself has already kept busy, at most the function's
  reserved concurrency (a cap that leaves fewer cold starts is noted). The requests that found
  no ready environment start new ones: restored ones under SnapStart, on-demand cold ones
  beyond N under provisioned concurrency. The REPORT lines then say which request was which;
  a burst can fall short (Lambda may still hold older environments), which the tables show
  as fewer cold samples, never as invented ones.

Before measuring a lane with provisioned concurrency, `wait_provisioned_ready` polls
GetProvisionedConcurrencyConfig until its status is READY (bounded; FAILED stops with
AWS's reason).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.aws.functions import AwsError, explain

if TYPE_CHECKING:
    from collections.abc import Callable

    from telemetry_agg.bench.aws.functions import LambdaReport
    from telemetry_agg.bench.model.results import Sample

READY_TIMEOUT_S = 900.0  # AWS allocates provisioned environments in minutes, often 1 to 5


def burst_size(cold_starts: int, provisioned: int, busy: int, reserved: int | None = None) -> int:
    """Parallel requests that leave at least `cold_starts` without a ready environment:
    `provisioned` ready ones, and `busy` the most the bench has kept busy at once so far; at
    most `reserved`, the function's reserved concurrency when it has one (Lambda throttles what
    goes beyond it instead of starting environments)."""
    size = cold_starts + max(provisioned, busy)
    return size if reserved is None else min(size, reserved)


@dataclass(frozen=True)
class Published:
    """What a lane's alias serves: the version, and SnapStart's state on it."""

    version: str
    snapstart: str  # OptimizationStatus: On, Off (no SnapStart, or not applied)


def published(client: Any, function_name: str, alias: str) -> Published:
    """GetAlias, then the version's configuration; AwsError with a hint when either fails."""
    try:
        version = str(client.get_alias(FunctionName=function_name, Name=alias)["FunctionVersion"])
        config = client.get_function_configuration(FunctionName=function_name, Qualifier=version)
    except Exception as error:
        raise explain(error, f"reading the alias {alias} of {function_name}") from None
    status = str((config.get("SnapStart") or {}).get("OptimizationStatus") or "Off")
    return Published(version, status)


@dataclass
class ProvisionedWait:
    """Waits until a lane's provisioned concurrency is READY, bounded."""

    client: Any
    function_name: str
    qualifier: str
    timeout_s: float = READY_TIMEOUT_S
    poll_s: float = 10.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def status(self) -> dict[str, Any]:
        try:
            return dict(
                self.client.get_provisioned_concurrency_config(
                    FunctionName=self.function_name, Qualifier=self.qualifier
                )
            )
        except Exception as error:
            raise explain(
                error, f"reading the provisioned concurrency of {self.function_name}"
            ) from None

    def until_ready(self) -> dict[str, Any]:
        """The config once READY; AwsError on FAILED or after `timeout_s`."""
        deadline = self.clock() + self.timeout_s
        where = f"{self.function_name}:{self.qualifier}"
        while True:
            config = self.status()
            status = config.get("Status")
            if status == "READY":
                return config
            if status == "FAILED":
                raise AwsError(
                    f"the provisioned concurrency of {where} FAILED: "
                    f"{config.get('StatusReason') or 'no reason given'}",
                    "Fix the cause AWS names (often the account's unreserved concurrency), "
                    "then `telemetry-bench deploy` again, or deploy without "
                    "--provisioned-concurrency.",
                )
            if self.clock() >= deadline:
                ready = config.get("AvailableProvisionedConcurrentExecutions", 0)
                asked = config.get("RequestedProvisionedConcurrentExecutions", "?")
                raise AwsError(
                    f"the provisioned concurrency of {where} is still {status} after "
                    f"{self.timeout_s:.0f} s ({ready} of {asked} environments ready): "
                    "nothing was measured for it",
                    "AWS usually needs a few minutes; rerun `telemetry-bench remote` later, or "
                    "give it longer with --ready-timeout.",
                )
            self.sleep(self.poll_s)


def apply_report(sample: Sample, found: LambdaReport) -> bool:
    """Copy a REPORT line's numbers into its sample and set its kind from the start it had:
    cold for a new environment (on-demand or restored), whichever phase sent it. True when the
    sample was sent as cold but found a ready environment (it becomes warm)."""
    sample.duration_ms = found.duration_ms
    sample.billed_ms = float(found.billed_ms)
    sample.max_memory_used_mb = float(found.max_memory_used_mb)
    sample.init_ms = found.init_ms
    sample.restore_ms = found.restore_ms
    sample.billed_restore_ms = found.billed_restore_ms
    if found.failed:
        sample.report_error = f"{found.status}: {found.error_type or 'unknown'}"
    if found.cold:
        sample.kind = "cold"
        return False
    reused = sample.kind == "cold"
    sample.kind = "warm"
    return reused
