"""`telemetry-bench remote` around the measurement: the options checked, the memory sweep (the
original memory restored at the end, also after an error or Ctrl-C), every run saved even when
it fails midway, then what the user reads: the line that matters first, the tables, the files.

No empty results folder is ever left behind: the folder is made by the first save.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench import checks, errors
from telemetry_agg.bench.aws import functions as aws
from telemetry_agg.bench.aws import sigv4
from telemetry_agg.bench.aws.remote import Deployment, RemotePlan, RemoteRun, Tally
from telemetry_agg.bench.constants import LAMBDA_REQUEST_LIMIT
from telemetry_agg.bench.errors import BenchError, UsageError
from telemetry_agg.bench.model import cost, payloads
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.reporting import markdown, tables
from telemetry_agg.bench.reporting.progress import bars
from telemetry_agg.bench.reporting.remote_tables import remote_grids, sweep_grid, sweep_points
from telemetry_agg.bench.reporting.summary import run_summary

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

FAILURE_HINTS = {
    "http_403": (
        "with AWS_IAM, the credentials are expired, for another account, or lack "
        "lambda:InvokeFunctionUrl (refresh them, e.g. `aws sso login`); with NONE, the URL's "
        "resource policy refuses public calls"
    ),
    "http_404": "no Function URL there: check the --<lane>-url options or the Terraform outputs",
    "connection": "nothing answered: check the URL, the network and that the function exists",
    "timeout": "no answer within --timeout: raise it, or check the function's own timeout",
    "throttle": "throttled (429) even after retries: lower -c or raise the reserved concurrency",
}


def parse_memory_sweep(text: str) -> list[int]:
    sizes = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            mb = int(item)
        except ValueError:
            raise UsageError(
                f"--memory-sweep takes memory sizes in MB separated by commas "
                f"(e.g. 256,512,1024,1769), not {raw!r}"
            ) from None
        checks.memory(mb, "--memory-sweep")
        sizes.append(mb)
    if not sizes:
        raise UsageError("--memory-sweep is empty: give sizes such as 256,512,1024,1769")
    return list(dict.fromkeys(sizes))


@dataclass
class RemoteOptions:
    """The options of one `remote` command beyond the plan: checked by `check()`."""

    plan: RemotePlan
    memory_sweep: list[int] | None = None
    output: Path | None = None
    endpoint_url: str | None = None
    as_json: bool = False

    def check(self) -> None:
        p = self.plan
        checks.price(p.price_per_gb_second, "--price-per-gb-second")
        if p.requests is None and p.duration_s is None:
            raise UsageError("give --requests N or --duration S")
        if p.requests is not None and p.requests < 1:
            raise UsageError(f"--requests must be at least 1, not {p.requests}")
        if p.duration_s is not None and not (math.isfinite(p.duration_s) and p.duration_s > 0):
            raise UsageError(f"--duration must be a positive number of seconds, not {p.duration_s}")
        if p.concurrency < 1 or p.timeout_s <= 0:
            raise UsageError("--concurrency and --timeout must be positive")
        checks.non_negative(
            [
                ("--cold-starts", p.cold_starts),
                ("--invocations", p.invocations),
                ("--ready-timeout", p.ready_timeout_s),
                ("--report-wait", p.report_wait_s),
            ]
        )
        if not 0.0 <= p.cold_share <= 1.0:
            raise UsageError(f"--cold-share is a fraction from 0 to 1, not {p.cold_share}")
        check_payloads(p.sizes, p.knobs)
        checks.output_dir(self.directory(), create=False)

    def directory(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        return self.output or Path("results") / f"remote-{stamp}"

    def recorded(self) -> dict[str, Any]:
        p = self.plan
        return {
            "sizes": p.sizes,
            "requests": p.requests,
            "duration": p.duration_s,
            "concurrency": p.concurrency,
            "timeout": p.timeout_s,
            "cold_starts": p.cold_starts,
            "warmup": p.warmup,
            "memory_sweep": self.memory_sweep,
            "seed": p.knobs.seed,
        }


def check_payloads(sizes: list[int], knobs: payloads.Knobs) -> None:
    """Refuse, before sending anything, a payload over what a Function URL accepts."""
    for size in sizes:
        n = len(payloads.payload(size, knobs))
        if n > LAMBDA_REQUEST_LIMIT:
            raise UsageError(
                f"a payload of {size:,} events is {n:,} bytes: over the {LAMBDA_REQUEST_LIMIT:,} "
                "bytes (6 MB) a Function URL accepts",
                "Use smaller --sizes (20,000 events is about 1.7 MB).",
            )


@dataclass
class Session:
    """Everything one invocation of the command measured, for saving and printing."""

    runs: list[res.Results] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)


def _price(deployment: Deployment, plan: RemotePlan) -> cost.Price:
    if plan.price_per_gb_second is not None:
        return cost.Price(deployment.region, deployment.architecture, plan.price_per_gb_second)
    try:
        return cost.price_for(deployment.region, deployment.architecture)
    except cost.UnknownPriceError as exc:
        raise BenchError(str(exc), "Pass --price-per-gb-second.") from None


@dataclass
class Measuring:
    """What every run of one session shares: where, how, and the AWS clients."""

    deployment: Deployment
    plan: RemotePlan
    session: Session
    controls: dict[str, aws.FunctionControl]
    logs_client: Any
    signer: sigv4.Signer | None
    options: dict[str, Any]
    progress: Progress | None

    def one(self, memory: int | None, directory: Path) -> None:
        """One run at the functions' current memory, saved whatever happens."""
        run = res.Results(
            source="remote",
            environment=res.Environment.detect(region=self.deployment.region),
            options={**self.options, "memory": memory},
        )
        runner = RemoteRun(
            self.deployment,
            self.plan,
            signer=self.signer,
            controls=self.controls,
            logs_client=self.logs_client if self.plan.read_reports else None,
            progress=self.progress,
        )
        self.session.runs.append(run)
        self.session.tallies.append(runner.tally)
        try:
            runner.measure(run)
            run.complete = True
        except KeyboardInterrupt as exc:
            runner.stop.set()
            run.failure = errors.stop_reason(exc)
            raise
        except BenchError as exc:
            run.failure = exc.message
            raise
        except Exception as exc:
            run.failure = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            run.finished_at = res.now_iso()
            self.session.paths.extend(markdown.save(run, directory, remote_grids(run)))


def _measuring(  # noqa: PLR0917 - the session's parts, in one place
    deployment: Deployment,
    plan: RemotePlan,
    opts: RemoteOptions,
    session: Session,
    progress: Progress | None,
    clients: tuple[Any, Any] | None,
) -> Measuring:
    needs_aws = bool(opts.memory_sweep) or plan.cold_starts > 0 or plan.read_reports
    lambda_client = logs_client = None
    if needs_aws:
        lambda_client, logs_client = clients or aws.session_clients(
            deployment.region, endpoint_url=opts.endpoint_url
        )
    controls = {
        t.lane: aws.FunctionControl(lambda_client, t.function_name)
        for t in deployment.targets
        if t.function_name and lambda_client is not None
    }
    published = [t.lane for t in deployment.targets if t.alias]
    if opts.memory_sweep and published:
        raise UsageError(
            f"--memory-sweep changes $LATEST, but {', '.join(published)} serve a published "
            "version (SnapStart or provisioned concurrency), which a change does not reach",
            "Deploy without --snapstart and --provisioned-concurrency to sweep memory, or "
            "deploy once per memory size (--memory) and measure each.",
        )
    if opts.memory_sweep and len(controls) < len(deployment.targets):
        flags = " and ".join(f"--{t.lane}-function" for t in deployment.targets)
        raise BenchError(
            "--memory-sweep changes the functions' memory, so it needs every lane's function name",
            f"Pass {flags}, or deploy with `telemetry-bench deploy`.",
        )
    signer = sigv4.Signer(deployment.region) if deployment.auth_type == "AWS_IAM" else None
    options = {
        **opts.recorded(),
        "lanes": [t.lane for t in deployment.targets],
        "region": deployment.region,
        "architecture": deployment.architecture,
        "auth_type": deployment.auth_type,
        "price": _price(deployment, plan).gb_second,
        "invocations": plan.invocations,
        "cold_share": plan.cold_share,
        "workload": deployment.workload,
        "deployment": {t.lane: t.deployed() for t in deployment.targets},
        "target": deployment.where(),
    }
    return Measuring(deployment, plan, session, controls, logs_client, signer, options, progress)


def run_remote(
    deployment: Deployment,
    opts: RemoteOptions,
    *,
    progress: Progress | None = None,
    session: Session | None = None,
    clients: tuple[Any, Any] | None = None,
) -> Session:
    """Measure (once, or once per memory size), saving each run even when it fails midway."""
    session = session if session is not None else Session()
    m = _measuring(deployment, opts.plan, opts, session, progress, clients)
    output = opts.directory()
    if not opts.memory_sweep:
        memory = deployment.memory_size
        if memory is None and m.controls:
            config = next(iter(m.controls.values())).configuration()
            memory = int(config.get("MemorySize") or 0) or None
        m.one(memory, output)
        return session
    with contextlib.ExitStack() as stack:
        for control in m.controls.values():
            stack.enter_context(control.restoring())
        for memory in opts.memory_sweep:
            for control in m.controls.values():
                control.set_memory(memory)
            m.one(memory, output / f"memory-{memory}")
    return session


def write_sweep(session: Session, output: Path) -> list[Path]:
    md = output / "sweep.md"
    output.mkdir(parents=True, exist_ok=True)
    md.write_text(markdown.to_markdown(sweep_grid(session.runs)), encoding="utf-8")
    js = output / "sweep.json"
    points = res.clean([p.__dict__ for p in sweep_points(session.runs)])
    js.write_text(json.dumps({"points": points}, indent=1) + "\n", encoding="utf-8")
    return [md, js]


def failed_series(results: res.Results) -> list[str]:
    """One line per series that got no good answer: what failed, and what to do about it."""
    lines = []
    for s in results.series:
        if not s.samples or any(x.ok for x in s.samples):
            continue
        kinds = [x.error or "" for x in s.samples]
        common = max(set(kinds), key=kinds.count)
        line = f"{lane_registry.display(s.lane)} at {s.size:,} events: every request failed "
        line += f"({common} x {kinds.count(common)} of {len(kinds)})"
        hint = FAILURE_HINTS.get(common) or (
            "the function itself failed: see its CloudWatch logs"
            if common.startswith("http_5")
            else ""
        )
        lines.append(f"{line}; {hint}" if hint else line)
    return lines


def tell(session: Session, err: Console) -> None:
    """The lines that matter, first: what failed, mismatches, then retries and notes."""
    for run, tally in zip(session.runs, session.tallies, strict=True):
        for failed in failed_series(run):
            errors.print_error(failed, err)
        for lane, detail in tally.first_failure.items():
            err.print(f"{lane_registry.display(lane)}: first failure: {detail}", markup=False)
        for mismatch in tally.mismatches:
            errors.print_error(mismatch, err)
        for lane, failures in tally.start_failures.items():
            shown = "; ".join(failures[:3]) + (" ..." if len(failures) > 3 else "")
            errors.print_error(
                f"{lane_registry.display(lane)}: {len(failures)} REPORT line(s) with a failed "
                f"Status: {shown}",
                err,
            )
        for lane, missing in tally.reports_missing.items():
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            err.print(
                f"{lane_registry.display(lane)}: {len(missing)} request(s) have no REPORT line "
                f"yet (CloudWatch Logs lag): {shown}. Rerun with a longer --report-wait, or read "
                "them later with the AWS console.",
                soft_wrap=True,  # request ids stay whole, for copying
                markup=False,
            )
        for lane, n in tally.retries.items():
            if n:
                name = lane_registry.display(lane)
                err.print(f"{name}: {n} retries (429s, or no connection: nothing sent)")
        for note in tally.notes:
            err.print(note, markup=False, style="yellow")


def show(session: Session, opts: RemoteOptions, out: Console) -> None:
    """The tables of every run that got an answer (an all-failed run has nothing to show)."""
    for run in session.runs:
        if not any(x.ok for s in run.series for x in s.samples):
            continue
        memory = run.options.get("memory")
        if memory:
            out.print(f"[bold]Memory {memory} MB[/]")
        tables.print_report(out, run)
        for grid in remote_grids(run):
            tables.print_grid(out, grid)
    if opts.memory_sweep and session.runs:
        tables.print_grid(out, sweep_grid(session.runs))


def finish(session: Session, opts: RemoteOptions, out: Console, err: Console) -> None:
    directory = opts.directory()
    if opts.memory_sweep and session.runs:
        session.paths.extend(write_sweep(session, directory))
    tell(session, err)
    if opts.as_json:
        runs = [
            {**run_summary(run), **res.clean(tally.__dict__)}
            for run, tally in zip(session.runs, session.tallies, strict=True)
        ]
        out.print_json(json.dumps({"runs": runs, "files": [str(p) for p in session.paths]}))
    else:
        show(session, opts, out)
    if session.paths:
        err.print(f"results in {directory}", highlight=False)


def remote_main(deployment: Deployment, opts: RemoteOptions) -> int:
    """The `remote` command once its options are checked and its lanes found: the exit code."""
    err, out = errors.stderr_console(), tables.table_console()
    opts.output = opts.directory()
    session = Session()
    code = errors.EXIT_OK
    try:
        with errors.sigterm_as_interrupt(), bars(err) as progress:
            run_remote(deployment, opts, progress=progress, session=session)
    except KeyboardInterrupt as exc:
        code = errors.exit_code(exc)
        restored = "; memory restored" if opts.memory_sweep else ""
        err.print(f"[yellow]stopped: partial results saved{restored}[/]")
    except BenchError as exc:
        errors.print_error(exc, err)
        code = errors.EXIT_FAILURE
    except Exception as exc:  # the last line of defence: say what it was, keep the results
        errors.print_error(f"the run stopped: {type(exc).__name__}: {exc}", err)
        code = errors.EXIT_FAILURE
    finally:
        finish(session, opts, out, err)
    if code == 0 and any(failed_series(run) for run in session.runs):
        code = errors.EXIT_FAILURE
    if code == 0 and any(t.mismatches or t.start_failures for t in session.tallies):
        code = errors.EXIT_FAILURE
    return code
