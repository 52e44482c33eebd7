"""`telemetry-bench remote`: the local bench's measurement, pointed at the deployed Function URLs.

Per memory size (one, or each of `--memory-sweep`), payload size and lane, one run does:
1. **Cold starts**, K of the kind the lane has: on `$LATEST`, a new environment-variable value
   forces a fresh environment (`aws.FunctionControl.force_cold_start`); behind the alias `live`
   (SnapStart or provisioned concurrency), one burst beyond the ready environments (`starts.py`).
2. **Load**, like `hey -c C -n N` (or `-z S`): C keep-alive workers, a per-request timeout; 429s
   and failures before anything was sent are retried with back-off (safe to repeat), nothing
   else. Every error is counted per lane; only good answers enter the latency figures.
3. **REPORT lines** from CloudWatch Logs, joined by `x-amzn-requestid`: Init or Restore Duration,
   Duration, Billed Duration and Max Memory Used beside the client latency; the wait is bounded
   (`--report-wait`) and the requests still without a REPORT are named.

This module: where the lanes' functions are (`resolve_deployment`) and one run at one memory
size (`RemoteRun`). The session around it is `remote_session.py`; the load `load.py`; the AWS
calls `functions.py`; the signed client `sigv4.py`; samples and answer checks `model/answers.py`.
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench import paths
from telemetry_agg.bench.aws import functions as aws
from telemetry_agg.bench.aws import load, sigv4, starts, workload
from telemetry_agg.bench.aws.load import Outcome, RetryPolicy, run_load, send
from telemetry_agg.bench.errors import BenchError, DeploymentMissingError, UsageError
from telemetry_agg.bench.model import answers, cost, payloads, workloads
from telemetry_agg.bench.model import lanes as lane_registry

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from rich.progress import Progress

    from telemetry_agg.bench.model import results as res

DEPLOY_HINT = "Pass --{lane}-url, or deploy first with `telemetry-bench deploy`."


# -- where the functions are ------------------------------------------------------------------
@dataclass(frozen=True)
class LaneTarget:
    """One lane's function: its URL, and its name and log group when known."""

    lane: str
    url: str
    function_name: str | None = None
    log_group: str | None = None
    alias: str | None = None  # `live` when the lane is a published version (an option is on)
    snapstart: bool = False
    provisioned_concurrency: int = 0
    runtime: str | None = None

    def deployed(self) -> dict[str, Any]:
        """What the results record of this lane's deployment (the options' prices read it)."""
        return {
            "runtime": self.runtime or lane_registry.get(self.lane).runtime,
            "alias": self.alias,
            "snapstart": self.snapstart,
            "provisioned_concurrency": self.provisioned_concurrency,
        }


@dataclass(frozen=True)
class Deployment:
    targets: tuple[LaneTarget, ...]
    region: str
    architecture: str = "arm64"
    auth_type: str = "AWS_IAM"
    memory_size: int | None = None
    workload: str = "cpu"

    def where(self) -> str:
        """What the tables say a run measured: AWS Lambda in the region when every URL is a
        Function URL, else the endpoints themselves (e.g. `telemetry-bench serve`)."""
        hosts = [sigv4.check_url(t.url).netloc for t in self.targets]
        if all(sigv4.function_url_region(t.url) for t in self.targets):
            return f"AWS Lambda ({self.region})"
        return "the endpoints " + ", ".join(dict.fromkeys(hosts))


def _outputs(
    read_outputs: Callable[[], Any] | None, chosen: list[str], deployment: str
) -> dict[str, Any]:
    flags = " and ".join(f"--{lane}-url" for lane in chosen)
    hint = f"Pass {flags}, or deploy first with `telemetry-bench deploy`."
    try:
        if read_outputs is None:
            from telemetry_agg.bench.aws import terraform  # noqa: PLC0415 - only when needed

            read_outputs = terraform.deployment_outputs(deployment)
        return dict(read_outputs())
    except BenchError as exc:
        raise BenchError(
            f"no Function URLs: {flags} were not all given and the Terraform outputs could not "
            f"be read ({exc.message})",
            f"{exc.hint} {hint}" if isinstance(exc, DeploymentMissingError) else hint,
        ) from None
    except Exception as exc:
        raise BenchError(f"no Function URLs: the Terraform outputs failed ({exc})", hint) from None


def _has_url(lane: lane_registry.Lane, outputs: dict[str, Any]) -> bool:
    """Whether the Terraform outputs hold a Function URL for `lane` (a deployment made before
    a lane was registered has none)."""
    mine = (outputs.get("lanes") or {}).get(lane.name) or {}
    return bool(mine.get("function_url") or outputs.get(f"{lane.key}_function_url"))


def _target(
    lane: lane_registry.Lane, flags: Mapping[str, Any], outputs: dict[str, Any]
) -> LaneTarget:
    """One lane's target: its flags first, then the `lanes` output, then the per-lane ones."""
    mine = (outputs.get("lanes") or {}).get(lane.name) or {}

    def pick(flag: str, output: str) -> Any:
        value = flags.get(f"{lane.key}_{flag}")
        if value not in (None, ""):
            return value
        return mine.get(output) or outputs.get(f"{lane.key}_{output}")

    url = pick("url", "function_url")
    if not url:
        raise BenchError(f"no URL for the {lane.name} lane", DEPLOY_HINT.format(lane=lane.option))
    sigv4.check_url(str(url), what=f"the {lane.name} Function URL")
    function = pick("function", "function_name")
    log_group = pick("log_group", "log_group_name") or (
        f"/aws/lambda/{function}" if function else None
    )
    return LaneTarget(
        lane.name,
        str(url),
        function or None,
        log_group or None,
        alias=mine.get("alias") or None,
        snapstart=bool(mine.get("snapstart")),
        provisioned_concurrency=int(mine.get("provisioned_concurrency") or 0),
        runtime=mine.get("runtime") or None,
    )


def resolve_deployment(
    flags: Mapping[str, Any],
    read_outputs: Callable[[], Any] | None = None,
    lanes: tuple[str, ...] | None = None,
    deployment: str = paths.DEFAULT_DEPLOYMENT,
) -> Deployment:
    """The lanes' targets from the flags, completed from the Terraform outputs where a flag is
    absent. Without `lanes` (no --lanes), the registered lanes the deployment has: those with a
    URL flag or a URL in the outputs (with two URL flags or more, unreadable outputs leave just
    those). `flags` keys: `<lane key>_url`, `_function`, `_log_group` per lane (python_url,
    go_function, python_lean_log_group ...), region, auth_type, architecture (None: not given).
    `deployment`: whose outputs (deploy's --name-prefix)."""
    chosen = [lane_registry.get(name) for name in (lanes or lane_registry.names())]
    outputs: dict[str, Any] = {}
    if not all(flags.get(f"{lane.key}_url") for lane in chosen):
        given = [lane for lane in chosen if flags.get(f"{lane.key}_url")]
        try:
            outputs = _outputs(read_outputs, [lane.option for lane in chosen], deployment)
        except BenchError:
            if lanes is not None or len(given) < 2:
                raise
        if lanes is None:  # no --lanes: the registered lanes this deployment has
            chosen = [lane for lane in chosen if lane in given or _has_url(lane, outputs)]
    targets = tuple(_target(lane, flags, outputs) for lane in chosen)
    region = (
        flags.get("region")
        or outputs.get("region")
        or sigv4.function_url_region(targets[0].url)
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
    )
    if not region:
        raise UsageError(
            "no AWS region: it is not in the Terraform outputs, the URL or the environment",
            "Pass --region (e.g. --region us-east-1).",
        )
    auth = str(flags.get("auth_type") or outputs.get("auth_type") or "AWS_IAM").upper()
    if auth not in sigv4.AUTH_TYPES:
        raise UsageError(f"--auth-type must be AWS_IAM or NONE, not {auth!r}")
    arch = str(flags.get("architecture") or outputs.get("architecture") or "arm64")
    if arch not in cost.ARCHITECTURES:
        raise UsageError(f"--arch must be arm64 or x86_64, not {arch!r}")
    memory = outputs.get("memory_size")
    measured = workload.check(flags.get("workload"), outputs.get("workload"))
    memory_mb = int(memory) if memory else None
    return Deployment(targets, str(region), arch, auth, memory_mb, measured)


# -- one remote run ---------------------------------------------------------------------------
@dataclass
class RemotePlan:
    sizes: list[int]
    concurrency: int = 20
    requests: int | None = 200
    duration_s: float | None = None
    timeout_s: float = 30.0
    cold_starts: int = 5
    report_wait_s: float = 60.0
    warmup: bool = True
    price_per_gb_second: float | None = None
    read_reports: bool = True
    invocations: int = 1_000_000
    cold_share: float = 0.01  # of invocations, for the cold-start options' prices
    ready_timeout_s: float = starts.READY_TIMEOUT_S
    knobs: payloads.Knobs = field(default_factory=payloads.Knobs)
    policy: RetryPolicy = field(default_factory=lambda: load.DEFAULT_RETRY)


@dataclass
class Tracked:
    """A sample and the request id its REPORT line will carry."""

    lane: str
    sample: res.Sample
    request_id: str | None
    burst: bool = False  # sent in a burst: only some were meant to start an environment


@dataclass
class Tally:
    """What the CLI says at the end, per lane: retries and REPORT coverage."""

    retries: dict[str, int] = field(default_factory=dict)
    throttles_retried: dict[str, int] = field(default_factory=dict)
    reports_missing: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    first_failure: dict[str, str] = field(default_factory=dict)  # lane -> what the client saw
    # lane -> what each REPORT with a failed Status said (a SnapStart restore that failed ...)
    start_failures: dict[str, list[str]] = field(default_factory=dict)
    unstored: list[str] = field(default_factory=list)  # lanes with a 200 not stored (store)


def to_sample(outcome: Outcome, kind: res.Kind) -> tuple[res.Sample, dict[str, Any] | None]:
    """A results Sample from an outcome (`answers.to_sample`, as for local runs), and the good
    answer's body (None for an error)."""
    r = outcome.response
    decoded = answers.from_http(r.status, r.body) if outcome.error is None else None
    answer = decoded or answers.Decoded(r.status, None)
    return answers.to_sample(kind, r.latency_ms, answer, outcome.error), answer.body


class RemoteRun:
    """Measures every lane's function at its current memory size into one `Results`."""

    def __init__(
        self,
        deployment: Deployment,
        plan: RemotePlan,
        *,
        signer: sigv4.Signer | None,
        controls: dict[str, aws.FunctionControl],
        logs_client: Any,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.deployment = deployment
        self.plan = plan
        self.signer = signer
        self.controls = controls
        self.logs_client = logs_client
        self.progress = progress
        self.stop = stop or threading.Event()
        self.tracked: list[Tracked] = []
        self.answers = answers.AnswerCheck.for_lanes([t.lane for t in deployment.targets])
        self.tally = Tally()
        for t in deployment.targets:
            if plan.cold_starts > 0 and t.lane not in controls:
                self.tally.notes.append(
                    f"{t.lane}: no cold starts forced: no function name (--{t.lane}-function)"
                )
            if plan.read_reports and not t.log_group:
                self.tally.notes.append(
                    f"{t.lane}: no REPORT lines read: no log group or function name"
                )
        self._rng = random.Random()  # noqa: S311 - jitter, not crypto
        self.busy: dict[str, int] = {}  # lane -> the most requests it had in flight at once

    def client(self, target: LaneTarget) -> sigv4.Client:
        return sigv4.Client(target.url, signer=self.signer, timeout_s=self.plan.timeout_s)

    def _record(
        self,
        target: LaneTarget,
        series: res.Series,
        outcome: Outcome,
        kind: res.Kind,
        *,
        burst: bool = False,
    ) -> None:
        sample, answer = to_sample(outcome, kind)
        series.samples.append(sample)
        lane = target.lane
        if answer is not None and workloads.get(self.deployment.workload).table:
            self._check_stored(lane, answer)
        aggregator = answer.get("aggregator") if answer else None
        if isinstance(aggregator, str) and not series.aggregator:
            series.aggregator = aggregator
        if answer is not None:
            self.tally.mismatches += self.answers.add(series.size, lane, answer)
        self.tracked.append(Tracked(lane, sample, outcome.response.request_id, burst))
        if outcome.response.detail:
            self.tally.first_failure.setdefault(lane, outcome.response.detail)
        self.tally.retries[lane] = self.tally.retries.get(lane, 0) + outcome.retries
        retried_429 = outcome.throttles - (outcome.error == "throttle")
        self.tally.throttles_retried[lane] = self.tally.throttles_retried.get(lane, 0) + retried_429

    def measure(self, results: res.Results) -> None:
        """Cold starts and load for every size and lane; REPORT lines at the end."""
        start_ms = int(time.time() * 1000) - 60_000  # a minute of clock skew, at least
        wait_s = self.plan.report_wait_s
        self.prepare_published(results)
        try:
            for size in self.plan.sizes:
                body = payloads.payload(size, self.plan.knobs)
                for target in self.deployment.targets:
                    series = results.series_for(size, target.lane, payload_bytes=len(body))
                    self._cold(target, series, body)
                    self._warm(target, series, body)
        except KeyboardInterrupt:
            wait_s = 0.0  # stopping: one look for REPORT lines, no waiting
            raise
        finally:
            # Whatever happened, join what was measured to its REPORT lines.
            if self.plan.read_reports:
                self.attach_reports(start_ms, wait_s=wait_s)

    def _check_stored(self, lane: str, answer: dict[str, Any]) -> None:
        """The stored workload: every 200 answer says `stored: true` (contract section 5)."""
        problem = workload.unstored(lane, answer)
        if problem and lane not in self.tally.unstored:
            self.tally.unstored.append(lane)
            self.tally.mismatches.append(problem)

    def prepare_published(self, results: res.Results) -> None:
        """Before measuring, each published lane: the version its alias serves (recorded),
        SnapStart on it when asked for (else a note: restores cannot happen), and provisioned
        concurrency READY (bounded)."""
        for target in self.deployment.targets:
            control = self.controls.get(target.lane)
            if control is None or not target.alias:
                continue
            serves = starts.published(control.client, control.name, target.alias)
            recorded = results.options.setdefault("deployment", {}).setdefault(target.lane, {})
            recorded["version"] = serves.version
            if target.snapstart and serves.snapstart != "On":
                self.tally.notes.append(
                    f"{target.lane}: SnapStart is {serves.snapstart} on version "
                    f"{serves.version} (OptimizationStatus): its new environments start on "
                    "demand, not from a snapshot (a region without SnapStart, or not applied)"
                )
            if target.provisioned_concurrency < 1:
                continue
            task = self._task(f"{target.lane}: provisioned concurrency READY?", None)
            starts.ProvisionedWait(
                control.client,
                control.name,
                target.alias,
                timeout_s=self.plan.ready_timeout_s,
            ).until_ready()
            self._advance(task)

    def _burst(
        self, target: LaneTarget, series: res.Series, body: bytes, control: aws.FunctionControl
    ) -> None:
        """A published lane's cold starts: one burst of parallel requests, more than there are
        ready environments (aws/starts.py); the REPORT lines say which started one."""
        lane = target.lane
        if not self.plan.read_reports or not target.log_group:
            self.tally.notes.append(
                f"{lane}: no cold starts forced: a published lane's are told by their REPORT "
                "lines, which are not read (--no-reports or no log group)"
            )
            return
        wanted = (self.plan.cold_starts, target.provisioned_concurrency, self.busy.get(lane, 0))
        full = starts.burst_size(*wanted)
        size = starts.burst_size(*wanted, control.reserved_concurrency())
        if size < full:
            self.tally.notes.append(
                f"{lane} {series.size:,} events: a burst of {size}, the function's reserved "
                f"concurrency, not {full}: fewer cold starts than asked"
            )
        task = self._task(f"{lane} {series.size:,} events: burst of {size}", size)

        def done(outcome: Outcome) -> None:
            self._record(target, series, outcome, "cold", burst=True)
            self._advance(task)

        run_load(
            lambda: self.client(target),
            body,
            concurrency=size,
            requests=size,
            policy=self.plan.policy,
            on_outcome=done,
            stop=self.stop,
        )
        self.busy[lane] = max(self.busy.get(lane, 0), size)

    def _cold(self, target: LaneTarget, series: res.Series, body: bytes) -> None:
        control = self.controls.get(target.lane)
        if control is None or self.plan.cold_starts <= 0:
            return
        if target.alias:
            self._burst(target, series, body, control)
            return
        task = self._task(
            f"{target.lane} {series.size:,} events: cold starts", self.plan.cold_starts
        )
        client = self.client(target)
        try:
            for _ in range(self.plan.cold_starts):
                if self.stop.is_set():
                    return
                control.force_cold_start()
                client.close()  # a new connection too: nothing warm on either side
                outcome = send(client, body, self.plan.policy, rng=self._rng, stop=self.stop)
                self._record(target, series, outcome, "cold")
                self._advance(task)
        finally:
            client.close()

    def _warm(self, target: LaneTarget, series: res.Series, body: bytes) -> None:
        total = self.plan.requests
        task = self._task(f"{target.lane} {series.size:,} events: load", total)

        def done(outcome: Outcome) -> None:
            self._record(target, series, outcome, "warm")
            self._advance(task)

        run_load(
            lambda: self.client(target),
            body,
            concurrency=self.plan.concurrency,
            requests=self.plan.requests,
            duration_s=self.plan.duration_s,
            policy=self.plan.policy,
            on_outcome=done,
            stop=self.stop,
            warmup=1 if self.plan.warmup else 0,
        )
        workers = min(self.plan.concurrency, self.plan.requests or self.plan.concurrency)
        self.busy[target.lane] = max(self.busy.get(target.lane, 0), workers)

    def attach_reports(self, start_ms: int, *, wait_s: float) -> None:
        for target in self.deployment.targets:
            mine = [t for t in self.tracked if t.lane == target.lane and t.request_id]
            if not mine or not target.log_group or self.logs_client is None:
                continue
            task = self._task(f"{target.lane}: REPORT lines", None)
            try:
                lookup = aws.read_reports(
                    self.logs_client,
                    target.log_group,
                    [t.request_id for t in mine if t.request_id],
                    start_ms=start_ms,
                    wait_s=wait_s,
                    poll_s=min(5.0, max(wait_s / 4, 0.1)),
                )
            except aws.AwsError as exc:
                self.tally.notes.append(f"{target.lane}: no REPORT lines: {exc}")
                continue
            finally:
                self._advance(task)
            self._join(target.lane, mine, lookup)

    def _join(self, lane: str, mine: list[Tracked], lookup: aws.ReportLookup) -> None:
        """Each request's REPORT line into its sample; its kind from the kind of start."""
        reused = 0
        for t in mine:
            found = lookup.found.get(t.request_id or "")
            if found is None:
                continue
            if found.failed:
                self.tally.start_failures.setdefault(lane, []).append(found.failure())
            reused += starts.apply_report(t.sample, found) and not t.burst
        if reused:
            self.tally.notes.append(
                f"{lane}: {reused} forced cold start(s) have neither Init nor Restore "
                "Duration in their REPORT line (Lambda reused an environment): counted as warm"
            )
        if lookup.missing:
            self.tally.reports_missing[lane] = lookup.missing

    def _task(self, description: str, total: int | None) -> Any:
        if self.progress is None:
            return None
        return self.progress.add_task(description, total=total)

    def _advance(self, task: Any) -> None:
        if self.progress is not None and task is not None:
            self.progress.advance(task)
