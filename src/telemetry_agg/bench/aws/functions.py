"""The AWS side of `telemetry-bench remote` (boto3): configuration, cold starts, REPORT lines.

- `FunctionControl`: read a function's configuration, wait for `LastUpdateStatus` to become
  `Successful` (bounded), force a cold start the way Lambda Power Tuning and similar tools do
  (change an environment variable, wait, invoke), change the memory size, and put the original
  configuration back afterwards (`restoring`, a context manager that restores on errors and
  Ctrl-C too).
- `read_reports`: the REPORT lines Lambda writes to CloudWatch Logs after each invocation,
  parsed (`parse_report`) and joined to requests by request id; it polls with a bound, because
  CloudWatch Logs lags, and says which requests have no REPORT yet.

Every AWS error becomes an `AwsError` whose message says what went wrong and what to do next.
Nothing here prints, and nothing here ever shows credentials.
"""

from __future__ import annotations

import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import boto3
import botocore.exceptions
from botocore.config import Config

from telemetry_agg.bench.constants import MEMORY_MAX_MB, MEMORY_MIN_MB
from telemetry_agg.bench.errors import CREDENTIAL_ERROR_CODES, BenchError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

COLD_START_VARIABLE = "TELEMETRY_BENCH_COLD_START"
REPORT_FILTER = '"REPORT RequestId"'

# Bad credentials, or good ones that may not make this call: either way the hint is the same.
_CREDENTIAL_CODES = CREDENTIAL_ERROR_CODES | {"AccessDeniedException", "AccessDenied"}
CREDENTIALS_HINT = (
    "Check your AWS credentials: refresh them (`aws sso login`, or new temporary keys), make "
    "sure AWS_PROFILE / AWS_REGION point at the account that holds the functions, and that the "
    "identity may call lambda:GetFunctionConfiguration, lambda:UpdateFunctionConfiguration and "
    "logs:FilterLogEvents."
)


class AwsError(BenchError):
    """An AWS call failed; `hint` says what to do next."""


def _client_error(error: botocore.exceptions.ClientError, doing: str) -> AwsError:
    """What AWS answered, and what to do about it."""
    err = error.response.get("Error", {})
    code = str(err.get("Code", "Unknown"))
    message = str(err.get("Message", ""))
    if code in _CREDENTIAL_CODES:
        return AwsError(
            f"{doing}: AWS refused the credentials ({code}: {message})", CREDENTIALS_HINT
        )
    if code == "ResourceNotFoundException":
        return AwsError(
            f"{doing}: not found ({message})",
            "Check the function name and region (the Terraform outputs, or the --<lane>-function "
            "options / --region); deploy with `telemetry-bench deploy` first.",
        )
    if code in {"TooManyRequestsException", "ThrottlingException"}:
        return AwsError(f"{doing}: throttled by AWS ({message})", "Wait a minute and retry.")
    return AwsError(f"{doing}: {code}: {message}")


def explain(error: Exception, doing: str) -> AwsError:
    """Turn a botocore exception into an AwsError with a hint; never includes credentials."""
    if isinstance(error, AwsError):
        return error
    known = (
        (botocore.exceptions.NoCredentialsError, "no AWS credentials found", CREDENTIALS_HINT),
        (
            botocore.exceptions.NoRegionError,
            "no AWS region set",
            "Pass --region or set AWS_REGION.",
        ),
        (
            botocore.exceptions.EndpointConnectionError,
            f"could not reach the AWS endpoint ({error})",
            "Check the network and the region name.",
        ),
    )
    for kind, what, hint in known:
        if isinstance(error, kind):
            return AwsError(f"{doing}: {what}", hint)
    if isinstance(error, botocore.exceptions.ClientError):
        return _client_error(error, doing)
    if isinstance(error, botocore.exceptions.BotoCoreError):
        return AwsError(f"{doing}: {error}")
    return AwsError(f"{doing}: {type(error).__name__}: {error}")


def session_clients(
    region: str, *, endpoint_url: str | None = None, profile: str | None = None
) -> tuple[Any, Any]:
    """The Lambda and CloudWatch Logs clients for `region` (adaptive retries on AWS throttling)."""
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.BotoCoreError as error:
        raise explain(error, "opening the AWS session") from None
    config = Config(
        retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=10, read_timeout=30
    )
    lam = session.client("lambda", endpoint_url=endpoint_url, config=config)
    logs = session.client("logs", endpoint_url=endpoint_url, config=config)
    return lam, logs


@dataclass
class FunctionControl:
    """One Lambda function's configuration, changed carefully and put back."""

    client: Any
    name: str
    update_timeout_s: float = 180.0
    poll_s: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def configuration(self) -> dict[str, Any]:
        try:
            return dict(self.client.get_function_configuration(FunctionName=self.name))
        except Exception as error:
            raise explain(error, f"reading the configuration of {self.name}") from None

    def reserved_concurrency(self) -> int | None:
        """The function's reserved concurrency; None when it has none (or it cannot be read)."""
        try:
            found = self.client.get_function_concurrency(FunctionName=self.name)
        except Exception:
            return None
        value = found.get("ReservedConcurrentExecutions")
        return int(value) if value is not None else None

    def wait_until_updated(self) -> dict[str, Any]:
        """Poll until `LastUpdateStatus` is `Successful` (absent counts as done); bounded."""
        deadline = self.clock() + self.update_timeout_s
        while True:
            config = self.configuration()
            status = config.get("LastUpdateStatus", "Successful")
            if status == "Successful":
                return config
            if status == "Failed":
                reason = config.get("LastUpdateStatusReason", "no reason given")
                raise AwsError(
                    f"the configuration update of {self.name} failed: {reason}",
                    "Fix the cause in the Lambda console or Terraform, then rerun.",
                )
            if self.clock() >= deadline:
                raise AwsError(
                    f"{self.name} still reports LastUpdateStatus={status} after "
                    f"{self.update_timeout_s:.0f} s",
                    "Another deployment may be running; wait for it and rerun.",
                )
            self.sleep(self.poll_s)

    def _update(self, **changes: Any) -> dict[str, Any]:
        """update_function_configuration, waiting out an update already in progress first."""
        deadline = self.clock() + self.update_timeout_s
        while True:
            try:
                self.client.update_function_configuration(FunctionName=self.name, **changes)
                break
            except botocore.exceptions.ClientError as error:
                code = error.response.get("Error", {}).get("Code")
                if code == "ResourceConflictException" and self.clock() < deadline:
                    self.sleep(self.poll_s)
                    continue
                raise explain(error, f"updating the configuration of {self.name}") from None
            except Exception as error:
                raise explain(error, f"updating the configuration of {self.name}") from None
        return self.wait_until_updated()

    def force_cold_start(self) -> None:
        """Make the next invocation cold: a new value for one environment variable, then wait.

        Any configuration change makes Lambda retire the warm execution environments; an
        environment variable touches nothing the code reads.
        """
        variables = dict(self.configuration().get("Environment", {}).get("Variables", {}))
        variables[COLD_START_VARIABLE] = uuid.uuid4().hex
        self._update(Environment={"Variables": variables})

    def set_memory(self, memory_mb: int) -> None:
        if not MEMORY_MIN_MB <= memory_mb <= MEMORY_MAX_MB:
            raise AwsError(
                f"Lambda memory must be {MEMORY_MIN_MB} to {MEMORY_MAX_MB} MB, not {memory_mb}"
            )
        self._update(MemorySize=memory_mb)

    @contextmanager
    def restoring(self) -> Iterator[dict[str, Any]]:
        """Yield the current configuration; afterwards put its memory and environment back.

        Runs on success, on any exception and on KeyboardInterrupt; a failure to restore is
        raised (after the original error, if any, is chained) so nobody is left guessing.
        """
        original = self.wait_until_updated()
        try:
            yield original
        finally:
            self._restore(original)

    def _restore(self, original: Mapping[str, Any]) -> None:
        memory = original.get("MemorySize")
        try:
            now = self.configuration()
            changes: dict[str, Any] = {}
            if now.get("MemorySize") != memory:
                changes["MemorySize"] = memory
            before = original.get("Environment", {}).get("Variables", {})
            if now.get("Environment", {}).get("Variables", {}) != before:
                changes["Environment"] = {"Variables": dict(before)}
            if changes:
                self._update(**changes)
        except AwsError as exc:
            raise AwsError(
                f"could not restore {self.name} to its original configuration "
                f"({memory} MB): {exc.message}",
                f"Set it back by hand: aws lambda update-function-configuration --function-name "
                f"{self.name} --memory-size {memory} (and remove {COLD_START_VARIABLE} from its "
                "environment).",
            ) from None


StartKind = Literal["on-demand", "restored", "warm"]


@dataclass(frozen=True)
class LambdaReport:
    """One REPORT line: what Lambda measured and billed for one invocation.

    A new on-demand environment's REPORT carries `Init Duration`; a SnapStart environment
    restored from its snapshot carries `Restore Duration` and `Billed Restore Duration`
    instead (its INIT ran when the version was published); neither: a warm environment, or a
    provisioned one (initialised before the request). `status` and `error_type` are the
    `Status` and `Error Type` fields Lambda adds when the invocation (or the restore before
    it) failed, e.g. `Status: error`, `Error Type: Runtime.ExitError`.
    """

    request_id: str
    duration_ms: float
    billed_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    init_ms: float | None = None
    restore_ms: float | None = None
    billed_restore_ms: float | None = None
    status: str | None = None
    error_type: str | None = None

    @property
    def start(self) -> StartKind:
        if self.restore_ms is not None:
            return "restored"
        return "on-demand" if self.init_ms is not None else "warm"

    @property
    def cold(self) -> bool:
        """A new execution environment: on-demand cold or restored from a snapshot."""
        return self.start != "warm"

    @property
    def failed(self) -> bool:
        return self.status not in (None, "success")

    def failure(self) -> str:
        """What the REPORT says went wrong (`Status`, `Error Type`), for a person."""
        what = self.error_type or "no error type given"
        phase = "the snapshot restore or its invocation" if self.start == "restored" else "it"
        return f"request {self.request_id}: {phase} failed (Status: {self.status}, {what})"


def parse_report(message: str) -> LambdaReport | None:
    """Parse a REPORT line (tab-separated `Key: value unit` fields); None if it is not one.

    Read: Duration, Billed Duration, Memory Size, Max Memory Used, Init Duration, Restore
    Duration, Billed Restore Duration, Status, Error Type; others (XRAY TraceId ...) are
    ignored.
    """
    text = message.strip()
    if not text.startswith("REPORT "):
        return None
    fields: dict[str, str] = {}
    for part in text[len("REPORT ") :].split("\t"):
        key, sep, value = part.partition(":")
        if sep:
            fields[key.strip()] = value.strip()

    def number(key: str) -> float | None:
        raw = fields.get(key)
        if raw is None:
            return None
        try:
            return float(raw.split()[0])
        except (ValueError, IndexError):
            return None

    request_id = fields.get("RequestId", "")
    duration, billed = number("Duration"), number("Billed Duration")
    memory, used = number("Memory Size"), number("Max Memory Used")
    if not request_id or duration is None or billed is None or memory is None or used is None:
        return None
    return LambdaReport(
        request_id=request_id,
        duration_ms=duration,
        billed_ms=int(billed),
        memory_size_mb=int(memory),
        max_memory_used_mb=int(used),
        init_ms=number("Init Duration"),
        restore_ms=number("Restore Duration"),
        billed_restore_ms=number("Billed Restore Duration"),
        status=fields.get("Status") or None,
        error_type=fields.get("Error Type") or None,
    )


@dataclass
class ReportLookup:
    """REPORT lines found for the requested ids, and the ids still without one."""

    found: dict[str, LambdaReport] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    waited_s: float = 0.0


def read_reports(
    logs_client: Any,
    log_group: str,
    request_ids: Iterable[str],
    *,
    start_ms: int,
    wait_s: float = 60.0,
    poll_s: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ReportLookup:
    """Find the REPORT line of every request id in `log_group` since `start_ms` (epoch ms).

    Polls until every id has one or `wait_s` has passed; the ids still missing are listed in
    `missing` (CloudWatch Logs usually delivers within seconds, sometimes much later).
    """
    wanted = {rid for rid in request_ids if rid}
    lookup = ReportLookup()
    started = clock()
    paginator = logs_client.get_paginator("filter_log_events")
    while True:
        try:
            pages = paginator.paginate(
                logGroupName=log_group, startTime=start_ms, filterPattern=REPORT_FILTER
            )
            for page in pages:
                for event in page.get("events", []):
                    report = parse_report(str(event.get("message", "")))
                    if report is not None and report.request_id in wanted:
                        lookup.found[report.request_id] = report
        except Exception as error:
            raise explain(error, f"reading REPORT lines from {log_group}") from None
        if wanted <= lookup.found.keys() or clock() - started >= wait_s:
            break
        sleep(poll_s)
    lookup.waited_s = clock() - started
    lookup.missing = sorted(wanted - lookup.found.keys())
    return lookup
