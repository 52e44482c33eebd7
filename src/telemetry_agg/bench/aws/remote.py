"""`telemetry-bench remote`: the local bench's measurement, pointed at the deployed Function URLs.

What one run does, per memory size (one, or each of `--memory-sweep`), per payload size, per
language:

1. **Cold starts** (needs the function names): K times, force a fresh execution environment
   (`aws.FunctionControl.force_cold_start`: a new environment-variable value, then wait for
   `LastUpdateStatus: Successful`) and send one request. K samples: a distribution, not one.
2. **Load**, like `hey -c C -n N` (or `-z S`): C workers, each with its own keep-alive
   connection, send the payload until N requests or S seconds; each with a per-request timeout.
   429 answers and connection failures before anything was sent are retried with exponential
   backoff (they are safe to repeat); nothing else is. Every error (timeout, throttle, 5xx, 4xx,
   connection) is counted per language and shown; only good answers enter the latency figures.
3. **REPORT lines** (needs the log groups): read from CloudWatch Logs, joined to the requests by
   the `x-amzn-requestid` header, so Init Duration, Duration, Billed Duration and Max Memory Used
   stand beside the client latency. A request whose REPORT carries an Init Duration was a cold
   start, whatever phase sent it, and is counted as one. CloudWatch lags: the wait is bounded
   (`--report-wait`) and the requests still without a REPORT are named.

Results go through the shared model (`results.py`) and tables (`report.py`), as for `local`, plus
the tables only a remote run has (`remote_tables.py`): errors by kind, the monthly saving at a
volume the user gives, and the memory sweep with the cheapest and the fastest size marked. The
load itself is `load.py`; the AWS calls `aws.py`; the signed HTTP client `sigv4.py`.
With `--memory-sweep`, the original memory is restored at the end, also after an error or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from telemetry_agg.bench.aws import functions as aws
from telemetry_agg.bench.aws import sigv4
from telemetry_agg.bench.aws.load import Outcome, RetryPolicy, run_load, send
from telemetry_agg.bench.errors import BenchError, Terminated, sigterm_as_interrupt
from telemetry_agg.bench.local.run import LAMBDA_REQUEST_LIMIT, compare_answers
from telemetry_agg.bench.model import cost, payloads
from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.reporting import tables as report
from telemetry_agg.bench.reporting.remote_tables import (
    LANGUAGES,
    lang_name,
    remote_grids,
    sweep_grid,
    sweep_points,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_URL_REGION = re.compile(r"\.lambda-url\.([a-z0-9-]+)\.on\.aws$")


# -- where the functions are ------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    language: str
    url: str
    function_name: str | None = None
    log_group: str | None = None


@dataclass(frozen=True)
class Deployment:
    targets: tuple[Target, ...]
    region: str
    architecture: str = "arm64"
    auth_type: str = "AWS_IAM"
    memory_size: int | None = None


def region_from_url(url: str) -> str | None:
    """`https://abc.lambda-url.eu-west-1.on.aws/` -> `eu-west-1`."""
    host = sigv4.check_url(url).hostname or ""
    found = _URL_REGION.search(host)
    return found.group(1) if found else None


def resolve_deployment(
    flags: dict[str, Any], read_outputs: Callable[[], Any] | None = None
) -> Deployment:
    """The two targets from the flags, completed from the Terraform outputs where a flag is absent.

    `flags` keys: python_url, go_url, python_function, go_function, python_log_group,
    go_log_group, region, auth_type, architecture (None: not given).
    """
    outputs: dict[str, Any] = {}
    if not (flags.get("python_url") and flags.get("go_url")):
        if read_outputs is None:
            from telemetry_agg.bench.aws import terraform  # noqa: PLC0415 - only when needed

            read_outputs = terraform.read_outputs
        try:
            outputs = dict(read_outputs())
        except BenchError as exc:
            raise BenchError(
                f"no Function URLs: --python-url/--go-url were not both given and the Terraform "
                f"outputs could not be read ({exc.message})",
                "Pass --python-url and --go-url, or deploy first with `telemetry-bench deploy`.",
            ) from None
        except Exception as exc:
            raise BenchError(
                f"no Function URLs: reading the Terraform outputs failed ({exc})",
                "Pass --python-url and --go-url, or deploy first with `telemetry-bench deploy`.",
            ) from None

    def pick(key: str) -> Any:
        value = flags.get(key)
        return value if value not in (None, "") else outputs.get(key)

    targets = []
    for lang in LANGUAGES:
        url = pick(f"{lang}_url") or outputs.get(f"{lang}_function_url")
        if not url:
            raise BenchError(
                f"no URL for the {lang} function", f"Pass --{lang}-url or deploy first."
            )
        sigv4.check_url(str(url), what=f"the {lang} Function URL")
        function = pick(f"{lang}_function") or outputs.get(f"{lang}_function_name")
        log_group = pick(f"{lang}_log_group") or outputs.get(f"{lang}_log_group_name")
        if function and not log_group:
            log_group = f"/aws/lambda/{function}"
        targets.append(Target(lang, str(url), function or None, log_group or None))

    region = (
        pick("region")
        or region_from_url(targets[0].url)
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
    )
    if not region:
        raise BenchError(
            "no AWS region: it is not in the Terraform outputs, the URL or the environment",
            "Pass --region (e.g. --region us-east-1).",
        )
    auth = str(pick("auth_type") or "AWS_IAM").upper()
    if auth not in sigv4.AUTH_TYPES:
        raise BenchError(f"--auth-type must be AWS_IAM or NONE, not {auth!r}")
    arch = str(pick("architecture") or "arm64")
    if arch not in cost.ARCHITECTURES:
        raise BenchError(f"--arch must be arm64 or x86_64, not {arch!r}")
    memory = outputs.get("memory_size")
    return Deployment(tuple(targets), str(region), arch, auth, int(memory) if memory else None)


# -- one remote run ---------------------------------------------------------------------------
@dataclass
class Plan:
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
    knobs: payloads.Knobs = field(default_factory=payloads.Knobs)
    policy: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class Tracked:
    """A sample and the request id its REPORT line will carry."""

    language: str
    sample: res.Sample
    request_id: str | None


@dataclass
class Tally:
    """What the CLI says at the end, per language: retries and REPORT coverage."""

    retries: dict[str, int] = field(default_factory=dict)
    throttles_retried: dict[str, int] = field(default_factory=dict)
    reports_missing: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    first_failure: dict[str, str] = field(default_factory=dict)  # language -> what the client saw


def _answer(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _number(data: dict[str, Any] | None, key: str) -> float | None:
    value = data.get(key) if data else None
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def to_sample(outcome: Outcome, kind: res.Kind) -> tuple[res.Sample, dict[str, Any] | None]:
    """A results Sample from an outcome, and the good answer's body (None for an error)."""
    r = outcome.response
    answer = _answer(r.body) if outcome.error is None else None
    sample = res.Sample(
        kind=kind,
        client_ms=r.latency_ms,
        status_code=r.status,
        parse_ms=_number(answer, "parse_ms"),
        compute_ms=_number(answer, "compute_ms"),
        error=outcome.error,
    )
    return sample, answer


class RemoteRun:
    """Measures both functions at their current memory size into one `Results`."""

    def __init__(
        self,
        deployment: Deployment,
        plan: Plan,
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
        self.answers: dict[tuple[int, str], dict[str, Any]] = {}
        self.tally = Tally()
        for t in deployment.targets:
            if plan.cold_starts > 0 and t.language not in controls:
                self.tally.notes.append(
                    f"{t.language}: no cold starts forced: no function name "
                    f"(--{t.language}-function)"
                )
            if plan.read_reports and not t.log_group:
                self.tally.notes.append(
                    f"{t.language}: no REPORT lines read: no log group or function name"
                )
        self._rng = random.Random()  # noqa: S311 - jitter, not crypto

    def client(self, target: Target) -> sigv4.Client:
        return sigv4.Client(target.url, signer=self.signer, timeout_s=self.plan.timeout_s)

    def _record(self, target: Target, series: res.Series, outcome: Outcome, kind: res.Kind) -> None:
        sample, answer = to_sample(outcome, kind)
        series.samples.append(sample)
        aggregator = answer.get("aggregator") if answer else None
        if isinstance(aggregator, str) and not series.aggregator:
            series.aggregator = aggregator
        if answer is not None:
            self.answers.setdefault((series.size, target.language), answer)
        self.tracked.append(Tracked(target.language, sample, outcome.response.request_id))
        lang = target.language
        if outcome.response.detail:
            self.tally.first_failure.setdefault(lang, outcome.response.detail)
        self.tally.retries[lang] = self.tally.retries.get(lang, 0) + outcome.retries
        retried_429 = outcome.throttles - (outcome.error == "throttle")
        self.tally.throttles_retried[lang] = self.tally.throttles_retried.get(lang, 0) + retried_429

    def measure(self, results: res.Results) -> None:
        """Cold starts and load for every size and language; REPORT lines at the end."""
        start_ms = int(time.time() * 1000) - 60_000  # a minute of clock skew, at least
        wait_s = self.plan.report_wait_s
        try:
            for size in self.plan.sizes:
                body = payloads.payload(size, self.plan.knobs)
                for target in self.deployment.targets:
                    series = results.series_for(size, target.language, payload_bytes=len(body))
                    self._cold(target, series, body)
                    self._warm(target, series, body)
                self._compare(size)
        except KeyboardInterrupt:
            wait_s = 0.0  # stopping: one look for REPORT lines, no waiting
            raise
        finally:
            # Whatever happened, join what was measured to its REPORT lines.
            if self.plan.read_reports:
                self.attach_reports(start_ms, wait_s=wait_s)

    def _compare(self, size: int) -> None:
        """The contract's agreement rule on one good answer of each language for this size."""
        python, go = self.answers.get((size, "python")), self.answers.get((size, "go"))
        if python is None or go is None:
            return
        diff = compare_answers(python, go)
        if diff:
            self.tally.mismatches.append(
                f"{size:,} events: the two functions' answers differ:\n" + "\n".join(diff)
            )

    def _cold(self, target: Target, series: res.Series, body: bytes) -> None:
        control = self.controls.get(target.language)
        if control is None or self.plan.cold_starts <= 0:
            return
        task = self._task(
            f"{target.language} {series.size:,} events: cold starts", self.plan.cold_starts
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

    def _warm(self, target: Target, series: res.Series, body: bytes) -> None:
        total = self.plan.requests
        task = self._task(f"{target.language} {series.size:,} events: load", total)

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

    def attach_reports(self, start_ms: int, *, wait_s: float) -> None:
        for target in self.deployment.targets:
            mine = [t for t in self.tracked if t.language == target.language and t.request_id]
            if not mine or not target.log_group or self.logs_client is None:
                continue
            task = self._task(f"{target.language}: REPORT lines", None)
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
                self.tally.notes.append(f"{target.language}: no REPORT lines: {exc}")
                continue
            finally:
                self._advance(task)
            reused = 0
            for t in mine:
                found = lookup.found.get(t.request_id or "")
                if found is None:
                    continue
                t.sample.duration_ms = found.duration_ms
                t.sample.billed_ms = float(found.billed_ms)
                t.sample.max_memory_used_mb = float(found.max_memory_used_mb)
                t.sample.init_ms = found.init_ms
                if found.cold:
                    t.sample.kind = "cold"  # a fresh environment, whichever phase sent it
                elif t.sample.kind == "cold":
                    t.sample.kind = "warm"  # forced, but Lambda reused an environment
                    reused += 1
            if reused:
                self.tally.notes.append(
                    f"{target.language}: {reused} forced cold start(s) have no Init Duration in "
                    "their REPORT line (Lambda reused an environment): counted as warm"
                )
            if lookup.missing:
                self.tally.reports_missing[target.language] = lookup.missing

    def _task(self, description: str, total: int | None) -> Any:
        if self.progress is None:
            return None
        return self.progress.add_task(description, total=total)

    def _advance(self, task: Any) -> None:
        if self.progress is not None and task is not None:
            self.progress.advance(task)


# -- the command ----------------------------------------------------------------------------------
def parse_memory_sweep(text: str) -> list[int]:
    sizes = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            mb = int(item)
        except ValueError:
            raise BenchError(
                f"--memory-sweep takes memory sizes in MB separated by commas "
                f"(e.g. 256,512,1024,1769), not {raw!r}"
            ) from None
        if not 128 <= mb <= 10_240:
            raise BenchError(f"Lambda memory is 128 to 10240 MB, not {mb} (in --memory-sweep)")
        sizes.append(mb)
    if not sizes:
        raise BenchError("--memory-sweep is empty: give sizes such as 256,512,1024,1769")
    return list(dict.fromkeys(sizes))


@dataclass
class Session:
    """Everything one invocation of the command measured, for saving and printing."""

    runs: list[res.Results] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)


def run_remote(
    deployment: Deployment,
    plan: Plan,
    *,
    output: Path,
    memory_sweep: list[int] | None = None,
    endpoint_url: str | None = None,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
    session: Session | None = None,
    clients: tuple[Any, Any] | None = None,
) -> Session:
    """Measure (once, or once per memory size), saving each run even when it fails midway."""
    session = session if session is not None else Session()
    needs_aws = bool(memory_sweep) or plan.cold_starts > 0 or plan.read_reports
    lambda_client = logs_client = None
    if needs_aws:
        lambda_client, logs_client = clients or aws.session_clients(
            deployment.region, endpoint_url=endpoint_url
        )
    controls = {
        t.language: aws.FunctionControl(lambda_client, t.function_name)
        for t in deployment.targets
        if t.function_name and lambda_client is not None
    }
    if memory_sweep and len(controls) < len(deployment.targets):
        raise BenchError(
            "--memory-sweep changes the functions' memory, so it needs both function names",
            "Pass --python-function and --go-function, or deploy with `telemetry-bench deploy`.",
        )
    signer = sigv4.Signer(deployment.region) if deployment.auth_type == "AWS_IAM" else None
    if plan.price_per_gb_second is not None:
        price = cost.Price(deployment.region, deployment.architecture, plan.price_per_gb_second)
    else:
        try:
            price = cost.price_for(deployment.region, deployment.architecture)
        except cost.UnknownPriceError as exc:
            raise BenchError(str(exc), "Pass --price-per-gb-second.") from None
    base_options = {
        **(options or {}),
        "region": deployment.region,
        "architecture": deployment.architecture,
        "auth_type": deployment.auth_type,
        "price": price.gb_second,
        "invocations": plan.invocations,
    }

    def one(memory: int | None, directory: Path) -> None:
        run = res.Results(
            source="remote",
            environment=res.Environment.detect(region=deployment.region),
            options={**base_options, "memory": memory},
        )
        runner = RemoteRun(
            deployment,
            plan,
            signer=signer,
            controls=controls,
            logs_client=logs_client if plan.read_reports else None,
            progress=progress,
        )
        session.runs.append(run)
        session.tallies.append(runner.tally)
        try:
            runner.measure(run)
            run.complete = True
        except KeyboardInterrupt as exc:
            runner.stop.set()
            run.failure = (
                "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted (Ctrl-C)"
            )
            raise
        except BenchError as exc:
            run.failure = exc.message
            raise
        except Exception as exc:
            run.failure = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            run.finished_at = res.now_iso()
            session.paths.extend(res.save(run, directory))

    if not memory_sweep:
        memory = deployment.memory_size
        if memory is None and controls:
            memory = (
                int(next(iter(controls.values())).configuration().get("MemorySize") or 0) or None
            )
        one(memory, output)
        return session

    with contextlib.ExitStack() as stack:
        for control in controls.values():
            stack.enter_context(control.restoring())
        for memory in memory_sweep:
            for control in controls.values():
                control.set_memory(memory)
            one(memory, output / f"memory-{memory}")
    return session


def write_sweep(session: Session, output: Path) -> list[Path]:
    grid = sweep_grid(session.runs)
    md = output / "sweep.md"
    output.mkdir(parents=True, exist_ok=True)
    md.write_text(report.to_markdown(grid), encoding="utf-8")
    js = output / "sweep.json"
    points = [p.__dict__ for p in sweep_points(session.runs)]
    clean = [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in p.items()}
        for p in points
    ]
    js.write_text(json.dumps({"points": clean}, indent=1) + "\n", encoding="utf-8")
    return [md, js]


def append_remote_tables(path: Path, results: res.Results) -> None:
    """Add the remote-only tables to a results.md that `results.save` wrote."""
    extra = "\n".join(report.to_markdown(g) for g in remote_grids(results))
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n" + extra)


def _failed_series(results: res.Results) -> list[str]:
    """One line per series that got no good answer: what failed, and what to do about it."""
    lines = []
    for s in results.series:
        if not s.samples or any(x.ok for x in s.samples):
            continue
        errors = [x.error or "" for x in s.samples]
        common = max(set(errors), key=errors.count)
        line = f"{lang_name(s.language)} at {s.size:,} events: every request failed ({common} x"
        line += f" {errors.count(common)} of {len(errors)})"
        hint = FAILURE_HINTS.get(common) or (
            "the function itself failed: see its CloudWatch logs"
            if common.startswith("http_5")
            else ""
        )
        lines.append(f"{line}; {hint}" if hint else line)
    return lines


FAILURE_HINTS = {
    "http_403": (
        "with AWS_IAM, the credentials are expired, for another account, or lack "
        "lambda:InvokeFunctionUrl (refresh them, e.g. `aws sso login`); with NONE, the URL's "
        "resource policy refuses public calls"
    ),
    "http_404": "no Function URL there: check --python-url / --go-url or the Terraform outputs",
    "connection": "nothing answered: check the URL, the network and that the function exists",
    "timeout": "no answer within --timeout: raise it, or check the function's own timeout",
    "throttle": "throttled (429) even after retries: lower -c or raise the reserved concurrency",
}


@contextlib.contextmanager
def _progress(console: Console) -> Iterator[Progress]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        yield progress


def _summary(session: Session) -> dict[str, Any]:
    runs = []
    for run, tally in zip(session.runs, session.tallies, strict=True):
        runs.append(
            {
                "memory": run.options.get("memory"),
                "complete": run.complete,
                "failure": run.failure,
                "series": [
                    {
                        "size": s.size,
                        "language": s.language,
                        "requests": len(s.samples),
                        "errors": s.errors,
                        "timeouts": s.timeouts,
                        "throttles": s.throttles,
                        **{
                            k: v
                            for k, v in s.summary().warm.as_dict().items()
                            if k in {"count", "avg", "p50", "p95", "p99"}
                        },
                        "billed_ms": _none(s.summary().billed_ms),
                        "cold_ms": _none(s.summary().cold_ms),
                        "init_ms": _none(s.summary().init_ms),
                    }
                    for s in run.series
                ],
                "retries": tally.retries,
                "reports_missing": tally.reports_missing,
                "notes": tally.notes,
                "mismatches": tally.mismatches,
            }
        )
    return {"runs": runs, "files": [str(p) for p in session.paths]}


def _none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def remote_main(
    *,
    sizes: str,
    requests: int | None,
    duration: float | None,
    concurrency: int,
    timeout: float,
    cold_starts: int,
    memory_sweep: str | None,
    invocations: int,
    python_url: str | None,
    go_url: str | None,
    python_function: str | None,
    go_function: str | None,
    python_log_group: str | None,
    go_log_group: str | None,
    region: str | None,
    auth_type: str | None,
    arch: str | None,
    reports: bool,
    warmup: bool,
    price_per_gb_second: float | None,
    report_wait: float,
    seed: int,
    output: Path | None,
    endpoint_url: str | None,
    as_json: bool,
) -> None:
    """The `remote` command's work, once its options are parsed."""
    err = Console(stderr=True)
    out = Console()
    try:
        size_list, sweep = _check_options(
            sizes,
            memory_sweep,
            requests=requests,
            duration=duration,
            concurrency=concurrency,
            cold_starts=cold_starts,
            timeout=timeout,
            invocations=invocations,
            report_wait=report_wait,
            price=price_per_gb_second,
        )
        check_payloads(size_list, payloads.Knobs(seed=seed))
        deployment = resolve_deployment(
            {
                "python_url": python_url,
                "go_url": go_url,
                "python_function": python_function,
                "go_function": go_function,
                "python_log_group": python_log_group,
                "go_log_group": go_log_group,
                "region": region,
                "auth_type": auth_type,
                "architecture": arch,
            }
        )
    except BenchError as exc:
        _print_error(err, exc)
        raise typer.Exit(2) from None
    plan = Plan(
        sizes=size_list,
        concurrency=concurrency,
        requests=requests if duration is None else None,
        duration_s=duration,
        timeout_s=timeout,
        cold_starts=cold_starts,
        report_wait_s=report_wait,
        warmup=warmup,
        price_per_gb_second=price_per_gb_second,
        read_reports=reports,
        invocations=invocations,
        knobs=payloads.Knobs(seed=seed),
    )

    directory = (
        output or Path("results") / f"remote-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _print_error(err, BenchError(f"cannot write results to {directory}: {exc.strerror}"))
        raise typer.Exit(2) from None
    options = {
        "sizes": size_list,
        "requests": plan.requests,
        "duration": duration,
        "concurrency": concurrency,
        "timeout": timeout,
        "cold_starts": cold_starts,
        "warmup": warmup,
        "memory_sweep": sweep,
        "seed": seed,
    }
    session = Session()
    code = 0
    try:
        with sigterm_as_interrupt(), _progress(err) as progress:
            run_remote(
                deployment,
                plan,
                output=directory,
                memory_sweep=sweep,
                endpoint_url=endpoint_url,
                options=options,
                progress=progress,
                session=session,
            )
    except KeyboardInterrupt as exc:
        code = 143 if isinstance(exc, Terminated) else 130
        err.print(
            "[yellow]stopped: partial results saved; memory restored[/]"
            if sweep
            else "[yellow]stopped: partial results saved[/]"
        )
    except BenchError as exc:
        _print_error(err, exc)
        code = 1
    except Exception as exc:  # the last line of defence: say what it was, keep the results
        _print_error(err, BenchError(f"the run stopped: {type(exc).__name__}: {exc}"))
        code = 1
    finally:
        _finish(
            session=session, directory=directory, sweep=sweep, out=out, err=err, as_json=as_json
        )
    if code == 0 and any(_failed_series(run) for run in session.runs):
        code = 1
    if code == 0 and any(tally.mismatches for tally in session.tallies):
        code = 1
    if code:
        raise typer.Exit(code)


def _finish(
    *,
    session: Session,
    directory: Path,
    sweep: list[int] | None,
    out: Console,
    err: Console,
    as_json: bool,
) -> None:
    mds = [p for p in session.paths if p.name == "results.md"]
    for run, md in zip(session.runs, mds, strict=False):
        append_remote_tables(md, run)
    if sweep and session.runs:
        session.paths.extend(write_sweep(session, directory))
    if as_json:
        out.print_json(json.dumps(_summary(session)))
    else:
        for run in session.runs:
            memory = run.options.get("memory")
            if memory:
                out.print(f"[bold]Memory {memory} MB[/]")
            report.print_report(out, run)
            for grid in remote_grids(run):
                out.print(report.render(grid))
                out.print()
        if sweep and session.runs:
            out.print(report.render(sweep_grid(session.runs)))
    for run, tally in zip(session.runs, session.tallies, strict=True):
        for lang, missing in tally.reports_missing.items():
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            err.print(
                f"[yellow]{lang_name(lang)}: {len(missing)} request(s) have no REPORT line yet "
                f"(CloudWatch Logs lag): {shown}. Rerun with a longer --report-wait, or read "
                "them later with the AWS console.[/]",
                soft_wrap=True,  # request ids stay whole, for copying
            )
        for lang, n in tally.retries.items():
            if n:
                err.print(f"{lang_name(lang)}: {n} retries (429s, or no connection: nothing sent)")
        for note in tally.notes:
            err.print(f"[yellow]{escape(note)}[/]")
        for failed in _failed_series(run):
            err.print(f"[red]{escape(failed)}[/]", highlight=False)
        for lang, detail in tally.first_failure.items():
            err.print(f"{lang_name(lang)}: first failure: {escape(detail)}", highlight=False)
        for mismatch in tally.mismatches:
            err.print(f"[red]{escape(mismatch)}[/]", highlight=False)
    if session.paths:
        err.print(f"results in {directory}")


def _print_error(console: Console, exc: BenchError) -> None:
    console.print(f"[red]error:[/] {escape(exc.message)}", highlight=False)
    if exc.hint:
        console.print(exc.hint, markup=False, highlight=False)


def check_payloads(sizes: list[int], knobs: payloads.Knobs) -> None:
    """Refuse, before sending anything, a payload over what a Function URL accepts."""
    for size in sizes:
        n = len(payloads.payload(size, knobs))
        if n > LAMBDA_REQUEST_LIMIT:
            raise BenchError(
                f"a payload of {size:,} events is {n:,} bytes: over the {LAMBDA_REQUEST_LIMIT:,} "
                "bytes (6 MB) a Function URL accepts",
                "Use smaller --sizes (20,000 events is about 1.7 MB).",
            )


def _check_options(
    sizes: str,
    memory_sweep: str | None,
    *,
    requests: int | None,
    duration: float | None,
    concurrency: int,
    cold_starts: int,
    timeout: float,
    invocations: int,
    report_wait: float,
    price: float | None = None,
) -> tuple[list[int], list[int] | None]:
    if price is not None and not (math.isfinite(price) and price > 0):
        raise BenchError(f"--price-per-gb-second must be a positive number, not {price}")
    if requests is None and duration is None:
        raise BenchError("give --requests N or --duration S")
    if requests is not None and requests < 1:
        raise BenchError(f"--requests must be at least 1, not {requests}")
    if duration is not None and not (math.isfinite(duration) and duration > 0):
        raise BenchError(f"--duration must be a positive number of seconds, not {duration}")
    if concurrency < 1 or timeout <= 0:
        raise BenchError("--concurrency and --timeout must be positive")
    if cold_starts < 0 or invocations < 0 or report_wait < 0:
        raise BenchError("--cold-starts, --invocations and --report-wait must be at least 0")
    try:
        size_list = payloads.parse_sizes(sizes)
    except payloads.PayloadError as exc:
        raise BenchError(str(exc)) from None
    sweep = parse_memory_sweep(memory_sweep) if memory_sweep is not None else None
    return size_list, sweep
