"""`telemetry-bench local`: both Lambdas side by side under the real Runtime Interface Emulator.

For each payload size and each language:

1. **Cold starts**: `--cold K` times, a fresh emulator and runtime; the first invocation's client
   latency is the cold start (the runtime starts at that invocation, as on Lambda), with the
   REPORT line's Init Duration and Duration beside it.
2. **Warm invocations**: `--concurrency C` environments (C emulators: one environment serves one
   request at a time, as on Lambda), each warmed by one invocation that is not recorded, then
   `--warm N` invocations shared among them, one worker per environment.

Every answer is checked: a non-200, a timeout or a crash stops the run with the reason; the first
answer of each language per size is compared by the contract's rule (equal after dropping
parse_ms, compute_ms, language, aggregator) and a mismatch stops the run with a diff. Whatever was
measured before a stop (Ctrl-C included) is kept and written.

The workload (`Plan.workload`, `bench.model.workloads`) decides what else: for one with a table
(`store`) the run starts its own moto server, gives every lane the workload's environment, keeps
every 200 answer (warm-ups included) and afterwards checks the table against them
(`bench.local.stored`): results.store_check, and a mismatch fails the run with the difference.

API for other commands: `run_local(plan, ...) -> Results`, `Plan`, `BenchError`,
`compare_answers(a, b) -> list[str]`, `load_payloads(...)`, `CpuCap`.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import math
import os
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from telemetry_agg.bench.errors import BenchError, Terminated, sigterm_as_interrupt
from telemetry_agg.bench.local import stored
from telemetry_agg.bench.local.emulator import (
    Emulator,
    EmulatorError,
    Invocation,
    Runtime,
    ToolMissingError,
    emulator_version,
    go_runtime,
    python_runtime,
    rie_path,
)
from telemetry_agg.bench.model import payloads, workloads
from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.reporting import tables as report
from telemetry_agg.limits import NOT_COMPARED

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "BenchError",
    "CpuCap",
    "Plan",
    "compare_answers",
    "load_payloads",
    "run_local",
]

LANGUAGES = ("python", "go")
VCPU_MB = 1769  # Lambda: one full vCPU at 1,769 MB
LAMBDA_REQUEST_LIMIT = 6 * 1024 * 1024  # synchronous invocation payload, bytes
DEFAULT_COLD, DEFAULT_WARM = 10, 300
QUICK = {"sizes": "100,1000,5000,10000,20000", "cold": 5, "warm": 200, "concurrency": 2}


# -- answers ------------------------------------------------------------------------------
def decode_answer(inv: Invocation) -> tuple[int | None, dict[str, Any] | None, str | None]:
    """(statusCode, answer body, problem) from the runtime's Function URL response."""
    try:
        resp = json.loads(inv.body)
    except (ValueError, UnicodeDecodeError):
        return None, None, f"not a JSON response: {inv.body[:200]!r}"
    if not isinstance(resp, dict):
        return None, None, f"not a Function URL response object: {inv.body[:200]!r}"
    if "errorType" in resp or "errorMessage" in resp:
        return None, None, f"{resp.get('errorType')}: {resp.get('errorMessage')}"
    status = resp.get("statusCode")
    try:
        body = json.loads(resp.get("body") or "null")
    except (TypeError, ValueError):
        return status, None, "the response body is not JSON"
    if not isinstance(body, dict):
        return status, None, "the response body is not a JSON object"
    return status if isinstance(status, int) else None, body, None


def compare_answers(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The contract's agreement rule; [] when they agree, else one line per differing key.

    Two answers agree when equal after dropping parse_ms, compute_ms, language and aggregator;
    two error answers when their `error` codes are equal (the `detail` sentences may differ).
    """
    keys = sorted((set(a) | set(b)) - set(NOT_COMPARED))
    if "error" in a and "error" in b:
        keys = ["error"]

    def show(answer: dict[str, Any], key: str) -> str:
        return json.dumps(answer[key]) if key in answer else '"<absent>"'

    return [
        f"  {k}: python={show(a, k)} go={show(b, k)}"
        for k in keys
        if (k in a, a.get(k)) != (k in b, b.get(k))
    ]


def _ms(body: dict[str, Any] | None, key: str) -> float | None:
    v = body.get(key) if body else None
    return float(v) if isinstance(v, int | float) and math.isfinite(v) else None


# -- CPU cap ------------------------------------------------------------------------------
class CpuCap:
    """A CPU quota of memory / 1,769 MB vCPUs per environment, through a cgroup (v2 or v1 cpu).

    `CpuCap.available()` says whether this machine allows it and if not, why.
    """

    V2 = Path("/sys/fs/cgroup")
    V1 = Path("/sys/fs/cgroup/cpu")
    PERIOD_US = 100_000

    def __init__(self, memory_mb: int, name: str) -> None:
        self.quota_us = max(1000, round(self.PERIOD_US * memory_mb / VCPU_MB))
        root, _ = self._root()
        if root is None:
            raise BenchError("--cpu-cap is not available here: " + self.available()[1])
        self.dir = root / name
        try:
            self.dir.mkdir(exist_ok=True)
            if root == self.V2:
                (self.dir / "cpu.max").write_text(f"{self.quota_us} {self.PERIOD_US}\n")
            else:
                (self.dir / "cpu.cfs_period_us").write_text(f"{self.PERIOD_US}\n")
                (self.dir / "cpu.cfs_quota_us").write_text(f"{self.quota_us}\n")
        except OSError as exc:
            self.remove()
            raise BenchError(
                f"--cpu-cap: cannot set up the cgroup {self.dir} ({exc.strerror}); "
                "run without --cpu-cap"
            ) from None

    @classmethod
    def _root(cls) -> tuple[Path | None, str]:
        if (cls.V2 / "cgroup.controllers").is_file():
            if "cpu" not in (cls.V2 / "cgroup.subtree_control").read_text().split():
                return None, "cgroup v2 without the cpu controller enabled for children"
            return (cls.V2, "") if os.access(cls.V2, os.W_OK) else (None, "cgroup v2 read-only")
        if (cls.V1 / "cpu.cfs_quota_us").is_file():
            if os.access(cls.V1, os.W_OK):
                return cls.V1, ""
            return None, "the cgroup v1 cpu controller is read-only (run as root)"
        return None, "no writable cgroup cpu controller on this machine"

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            root, why = cls._root()
        except OSError as exc:
            return False, f"cannot read cgroups ({exc.strerror})"
        return root is not None, why

    def add(self, pid: int) -> None:
        try:
            (self.dir / "cgroup.procs").write_text(f"{pid}\n")
        except OSError as exc:
            raise BenchError(
                f"--cpu-cap: cannot move the emulator into {self.dir} ({exc.strerror}); "
                "run without --cpu-cap"
            ) from None

    def remove(self) -> None:
        for _ in range(20):
            try:
                self.dir.rmdir()
            except (FileNotFoundError, NotADirectoryError):
                return
            except OSError:
                time.sleep(0.05)
            else:
                return


# -- the plan -----------------------------------------------------------------------------
@dataclass
class Plan:
    sizes: list[int]
    cold: int = 5
    warm: int = 200
    concurrency: int = 2
    memory_mb: int = 512
    timeout_s: int = 10
    aggregator: str | None = None
    languages: tuple[str, ...] = LANGUAGES
    cpu_cap: bool = False
    knobs: payloads.Knobs = field(default_factory=payloads.Knobs)
    payload_dir: Path | None = None
    workload: workloads.Workload = workloads.CPU

    def options(self) -> dict[str, Any]:
        return {
            "sizes": self.sizes,
            "cold": self.cold,
            "warm": self.warm,
            "concurrency": self.concurrency,
            "memory": self.memory_mb,
            "timeout": self.timeout_s,
            "aggregator": self.aggregator or "default",
            "languages": list(self.languages),
            "cpu_cap": self.cpu_cap,
            "seed": self.knobs.seed,
            "payloads": str(self.payload_dir) if self.payload_dir else "generated",
            "workload": self.workload.name,
        }


def load_payloads(plan: Plan) -> dict[int, bytes]:
    """Each size's body (generated, or read from --payloads); PayloadError for a missing file or
    an event over Lambda's 6 MB request limit (the emulator cuts such events short too)."""
    if plan.payload_dir is None:
        bodies = {n: payloads.payload(n, plan.knobs) for n in plan.sizes}
    else:
        bodies = {
            n: payloads.read_payload(plan.payload_dir / payloads.payload_name(n))
            for n in plan.sizes
        }
    for size, body in bodies.items():
        event_bytes = len(json.dumps(payloads.function_url_event(body)))
        if event_bytes > LAMBDA_REQUEST_LIMIT:
            raise payloads.PayloadError(
                f"the {size:,}-event event is {event_bytes:,} bytes, over Lambda's 6 MB "
                "request limit (a Function URL answers 413; the emulator cuts it short): "
                "use smaller --sizes"
            )
    return bodies


def runtimes(plan: Plan, env: dict[str, str] | None = None) -> dict[str, Runtime]:
    """Each language's runtime for the plan's workload (`env`: the workload's environment, set
    on every lane), or one clear message naming the command that installs it."""
    rie_path()
    out: dict[str, Runtime] = {}
    if "python" in plan.languages:
        if importlib.util.find_spec("awslambdaric") is None:
            raise ToolMissingError(
                "awslambdaric is not installed: run `make setup` (it installs telemetry-agg[bench])"
            )
        try:
            found = importlib.util.find_spec("telemetry_agg.handler") is not None
        except ImportError:
            found = False
        if not found:
            raise ToolMissingError(
                "the Python handler telemetry_agg.handler is not in this environment: run "
                "`make setup` in the repository"
            )
        out["python"] = python_runtime(plan.aggregator)
    if "go" in plan.languages:
        out["go"] = go_runtime(go_build=plan.workload.go_build)
    return {lang: replace(rt, env={**rt.env, **(env or {})}) for lang, rt in out.items()}


class Fleet:
    """Every environment started by this run, so that any exit stops them all."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.live: set[Emulator] = set()
        self.lock = threading.Lock()
        self.caps: dict[Emulator, CpuCap] = {}
        self.count = 0

    def start(self, runtime: Runtime) -> Emulator:
        emu = Emulator(runtime, memory_mb=self.plan.memory_mb, timeout_s=self.plan.timeout_s)
        with self.lock:
            self.live.add(emu)
            self.count += 1
            n = self.count
        emu.start()
        if self.plan.cpu_cap and emu.proc is not None:
            cap = CpuCap(self.plan.memory_mb, f"telemetry-bench-{os.getpid()}-{n}")
            self.caps[emu] = cap
            cap.add(emu.proc.pid)  # the runtime, started at the first invoke, inherits it
        return emu

    def stop(self, emu: Emulator) -> None:
        emu.stop()
        with self.lock:
            self.live.discard(emu)
            cap = self.caps.pop(emu, None)
        if cap is not None:
            cap.remove()

    def stop_all(self) -> None:
        with self.lock:
            live = list(self.live)
            self.live.clear()
        for emu in live:
            emu.stop()
        for cap in self.caps.values():
            cap.remove()
        self.caps.clear()


def _sample(kind: res.Kind, inv: Invocation, emu: Emulator, env_index: int) -> res.Sample:
    status, body, _ = decode_answer(inv) if inv.error is None else (None, None, None)
    rep = inv.report
    error = inv.error
    if error is None and status != 200:
        error = f"http_{status}" if status else "runtime_error"
    return res.Sample(
        kind=kind,
        client_ms=inv.client_ms,
        status_code=status,
        parse_ms=_ms(body, "parse_ms"),
        compute_ms=_ms(body, "compute_ms"),
        store_ms=_ms(body, "store_ms"),
        duration_ms=rep.duration_ms if rep else None,
        billed_ms=rep.billed_ms if rep else None,
        init_ms=rep.init_ms if rep else None,
        peak_rss_mb=emu.peak_rss_mb(),
        error=error,
        environment=env_index,
    )


def _explain(lang: str, size: int, inv: Invocation, emu: Emulator, timeout_s: int) -> str:
    where = f"the {lang} function on the {size:,}-event payload"
    if inv.error == "timeout":
        return (
            f"{where} timed out after {timeout_s} s (Lambda would stop it too): raise --timeout, "
            "or use smaller --sizes"
        )
    if inv.error == "connection":
        return f"{where}: the emulator stopped answering.\n{emu.output_tail()}"
    status, body, problem = decode_answer(inv)
    if problem:
        return f"{where} failed (HTTP {inv.http_status}): {problem}\n{emu.output_tail()}"
    return f"{where} answered {status}: {json.dumps(body)[:400]}"


class Runner:
    def __init__(
        self,
        plan: Plan,
        results: res.Results,
        progress: Progress,
        fleet: Fleet,
        ledger: stored.Ledger | None = None,
    ) -> None:
        self.plan = plan
        self.results = results
        self.progress = progress
        self.fleet = fleet
        self.ledger = ledger
        self.answers: dict[int, dict[str, dict[str, Any]]] = {}

    def _check(self, lang: str, size: int, inv: Invocation, emu: Emulator) -> None:
        status, body, _ = decode_answer(inv)
        if inv.error or status != 200 or body is None:
            raise BenchError(_explain(lang, size, inv, emu, self.plan.timeout_s))
        if self.ledger is not None:
            self.ledger.record(inv.request_id, lang, size, body)
        seen = self.answers.setdefault(size, {})
        if lang not in seen:
            seen[lang] = body
            series = self.results.get(size, lang)
            if series is not None and isinstance(body.get("aggregator"), str):
                series.aggregator = body["aggregator"]  # what ran, not what was asked for
            if "python" in seen and "go" in seen:
                diff = compare_answers(seen["python"], seen["go"])
                if diff:
                    raise BenchError(
                        f"the answers differ on the {size:,}-event payload (the contract's rule: "
                        "equal after dropping parse_ms, compute_ms, language, aggregator):\n"
                        + "\n".join(diff)
                    )

    def cold(self, runtime: Runtime, size: int, event: bytes, series: res.Series) -> None:
        task = self.progress.add_task(
            f"{size:>6,} {runtime.language:<6} cold", total=self.plan.cold
        )
        for _ in range(self.plan.cold):
            emu = self.fleet.start(runtime)
            try:
                inv = emu.invoke(event)
                series.samples.append(_sample("cold", inv, emu, 0))
                self._check(runtime.language, size, inv, emu)
            finally:
                self.fleet.stop(emu)
            self.progress.advance(task)
        self.progress.remove_task(task)

    def warm(self, runtime: Runtime, size: int, event: bytes, series: res.Series) -> None:
        if self.plan.warm <= 0:
            return
        lang = runtime.language
        task = self.progress.add_task(f"{size:>6,} {lang:<6} warm", total=self.plan.warm)
        envs = [self.fleet.start(runtime) for _ in range(self.plan.concurrency)]
        for emu in envs:  # the cold start of each environment: not a warm sample
            self._check(lang, size, emu.invoke(event), emu)
        remaining = [self.plan.warm]
        lock = threading.Lock()
        failures: list[BaseException] = []
        stop = threading.Event()

        def worker(index: int, emu: Emulator) -> None:
            try:
                while not stop.is_set():
                    with lock:
                        if remaining[0] <= 0:
                            return
                        remaining[0] -= 1
                    inv = emu.invoke(event)
                    if stop.is_set():  # Ctrl-C or another worker's failure: not a sample
                        return
                    with lock:
                        series.samples.append(_sample("warm", inv, emu, index))
                    self._check(lang, size, inv, emu)
                    self.progress.advance(task)
            except BenchError as exc:
                failures.append(exc)
                stop.set()
            except Exception as exc:  # a bug, not a measurement: stop and say so
                failures.append(BenchError(f"the {lang} worker {index} failed: {exc!r}"))
                stop.set()

        threads = [
            threading.Thread(target=worker, args=(i, e), daemon=True) for i, e in enumerate(envs)
        ]
        try:
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):
                for t in threads:
                    t.join(timeout=0.1)
        finally:
            stop.set()
            for emu in envs:
                self.fleet.stop(emu)
            for t in threads:
                t.join(timeout=5)
            self.progress.remove_task(task)
        if failures:
            raise failures[0]


def run_local(
    plan: Plan,
    results: res.Results,
    console: Console,
    *,
    bodies: dict[int, bytes] | None = None,
    on_series: Callable[[res.Results], None] | None = None,
) -> res.Results:
    """Run the plan into `results` (kept up to date as it goes, so a stop keeps what was done);
    with the workload's table, check it afterwards (results.store_check)."""
    with stored.local_table(plan.workload) as table:
        rts = runtimes(plan, table.environment if table else None)
        if bodies is None:
            bodies = load_payloads(plan)
        ledger = stored.Ledger() if table else None
        failure: BenchError | None = None
        try:
            _run_series(plan, results, console, rts, bodies, on_series=on_series, ledger=ledger)
        except BenchError as exc:  # the table is still checked: what was answered is there?
            failure = exc
        if table is not None and ledger is not None:
            failure = _check_table(table, ledger, results, failure)
        if failure is not None:
            raise failure
    return results


def _check_table(
    table: stored.LocalTable,
    ledger: stored.Ledger,
    results: res.Results,
    failure: BenchError | None,
) -> BenchError | None:
    """Read the table back into results.store_check; the run's failure, with the table's
    difference (or why it could not be read) added."""
    try:
        check = stored.verify(table, ledger)
    except BenchError as exc:
        if failure is None:
            raise
        return BenchError(f"{failure}\n(and the table could not be checked: {exc})")
    results.store_check = check.as_dict()
    if not check.mismatches:
        return failure
    return BenchError((f"{failure}\nand " if failure else "") + check.explain())


def _run_series(
    plan: Plan,
    results: res.Results,
    console: Console,
    rts: dict[str, Runtime],
    bodies: dict[int, bytes],
    *,
    on_series: Callable[[res.Results], None] | None,
    ledger: stored.Ledger | None,
) -> None:
    """Every size and lane in turn; every environment is stopped when it returns or raises."""
    fleet = Fleet(plan)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    overall = progress.add_task("all", total=len(plan.sizes) * len(rts))
    runner = Runner(plan, results, progress, fleet, ledger)
    try:
        with progress:
            for size in plan.sizes:
                body = bodies[size]
                event = json.dumps(payloads.function_url_event(body)).encode()
                for lang, rt in rts.items():
                    series = results.series_for(
                        size, lang, payload_bytes=len(body), aggregator=rt.aggregator
                    )
                    runner.cold(rt, size, event, series)
                    runner.warm(rt, size, event, series)
                    progress.advance(overall)
                    if on_series:
                        on_series(results)
    finally:
        fleet.stop_all()


# -- the command --------------------------------------------------------------------------


def wide_console(*, stderr: bool = False) -> Console:
    """A console for the tables: the terminal's width, or 160 columns when not a terminal."""
    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=160)


def _fail(console: Console, message: str, code: int) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


def _summary_json(results: res.Results, paths: list[Path]) -> dict[str, Any]:
    rows = []
    for s in results.series:
        sm = s.summary()
        rows.append(
            {
                "size": sm.size,
                "payload_bytes": sm.payload_bytes,
                "language": sm.language,
                "aggregator": sm.aggregator,
                "cold_ms": sm.cold_ms,
                "init_ms": sm.init_ms,
                "warm": sm.warm.as_dict(),
                "parse_ms": sm.parse_ms,
                "compute_ms": sm.compute_ms,
                "store_ms": sm.store_ms,
                "duration_ms": sm.duration_ms,
                "billed_ms": sm.billed_ms,
                "peak_rss_mb": sm.peak_rss_mb,
                "errors": sm.errors,
            }
        )
    out: dict[str, Any] = res.clean(
        {
            "source": results.source,
            "complete": results.complete,
            "failure": results.failure,
            "environment": asdict(results.environment),
            "options": results.options,
            "store_check": results.store_check,
            "summary": rows,
            "speedup": report.speedups(results),
            "files": [str(p) for p in paths],
        }
    )
    return out


def local_main(
    *,
    sizes: str | None,
    cold: int | None,
    warm: int | None,
    concurrency: int | None,
    memory: int,
    cpu_cap: bool,
    aggregator: str | None,
    timeout: int,
    seed: int,
    payload_dir: Path | None,
    language: list[str] | None,
    price: float | None,
    output: Path | None,
    quick: bool,
    as_json: bool,
    workload: str = workloads.DEFAULT,
) -> None:
    """The `local` command's work, once its options are parsed."""
    console = Console(stderr=True)
    preset: dict[str, Any] = QUICK if quick else {}
    try:
        plan = Plan(
            sizes=payloads.parse_sizes(
                sizes or preset.get("sizes") or ",".join(map(str, payloads.DEFAULT_SIZES))
            ),
            cold=cold if cold is not None else preset.get("cold", DEFAULT_COLD),
            warm=warm if warm is not None else preset.get("warm", DEFAULT_WARM),
            concurrency=concurrency if concurrency is not None else preset.get("concurrency", 2),
            memory_mb=memory,
            timeout_s=timeout,
            aggregator=aggregator,
            languages=tuple(dict.fromkeys(language or LANGUAGES)),
            cpu_cap=cpu_cap,
            knobs=payloads.Knobs(seed=seed),
            payload_dir=payload_dir,
            workload=workloads.get(workload),
        )
        _validate(plan, price)
        bodies = load_payloads(plan)
    except KeyboardInterrupt:
        raise _fail(console, "interrupted (Ctrl-C) before the run started", 130) from None
    except (BenchError, payloads.PayloadError) as exc:
        raise _fail(console, str(exc), 2) from None

    environment = res.Environment.detect(emulator=emulator_version())
    environment.extra.update(
        _package_versions("telemetry-agg", "awslambdaric", "msgspec", "orjson")
    )
    if plan.workload.table:
        environment.extra.update(_package_versions("boto3", "botocore", "moto"))
    results = res.Results(
        source="local",
        environment=environment,
        options={**plan.options(), **({"price": price} if price is not None else {})},
    )
    code = 0
    try:
        with sigterm_as_interrupt():
            # Written after every (size, language) too: even a SIGKILL keeps what was done.
            run_local(plan, results, console, bodies=bodies, on_series=_saver(output))
        results.complete = True
    except Terminated:
        results.failure = "terminated (SIGTERM)"
        code = 143
    except KeyboardInterrupt:
        results.failure = "interrupted (Ctrl-C)"
        code = 130
    except ToolMissingError as exc:
        results.failure = str(exc)
        code = 3
    except (BenchError, EmulatorError, payloads.PayloadError) as exc:
        results.failure = str(exc)
        code = 1
    results.finished_at = res.now_iso()

    paths: list[Path] = []
    if output is not None and results.series:
        try:
            paths = res.save(results, output)
            from telemetry_agg.bench.reporting import chart  # noqa: PLC0415 - matplotlib is slow to import

            png = chart.latency_chart(results, output / "latency.png")
            if png:
                paths.append(png)
        except OSError as exc:
            console.print(f"[bold red]error:[/] cannot write results to {output}: {exc}")
            code = code or 1
    if results.series and code != 3:
        report.print_report(wide_console(stderr=as_json), results, memory, price)
    if results.store_check is not None:
        checked = ", ".join(f"{k} {v}" for k, v in results.store_check.items())
        console.print(f"table check: {checked}", highlight=False)
    if results.failure:
        label = "stopped" if code in (130, 143) else "error"
        console.print(f"[bold red]{label}:[/] {results.failure}", highlight=False)
        if results.series:
            kept = f"; written to {output}" if paths else " (use --output DIR to keep them)"
            console.print(f"partial results kept{kept}")
    elif paths:
        console.print(f"wrote {', '.join(str(p) for p in paths)}")
    if as_json:
        print(json.dumps(_summary_json(results, paths), indent=1))
    if code:
        raise typer.Exit(code)


def _saver(output: Path | None) -> Callable[[res.Results], None] | None:
    if output is None:
        return None

    def save(results: res.Results) -> None:
        with contextlib.suppress(OSError):  # the final save reports write errors
            res.save(results, output)

    return save


def _package_versions(*names: str) -> dict[str, str]:
    out = {}
    for name in names:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            out[name] = importlib.metadata.version(name)
    return out


def _validate(plan: Plan, price: float | None = None) -> None:
    checks = [
        (
            price is None or (math.isfinite(price) and price > 0),
            f"--price must be a positive number of dollars per GB-second, not {price}",
        ),
        (plan.cold >= 0, f"--cold must be 0 or more, not {plan.cold}"),
        (plan.warm >= 0, f"--warm must be 0 or more, not {plan.warm}"),
        (plan.cold + plan.warm > 0, "--cold and --warm are both 0: nothing to measure"),
        (1 <= plan.concurrency <= 64, f"--concurrency must be 1 to 64, not {plan.concurrency}"),
        (
            128 <= plan.memory_mb <= 10240,
            f"--memory must be 128 to 10240 MB (Lambda's range), not {plan.memory_mb}",
        ),
        (
            1 <= plan.timeout_s <= 900,
            f"--timeout must be 1 to 900 s (Lambda's range), not {plan.timeout_s}",
        ),
    ]
    for ok, message in checks:
        if not ok:
            raise BenchError(message)
    bad = [x for x in plan.languages if x not in LANGUAGES]
    if bad:
        raise BenchError(f"--language takes python or go, not {', '.join(bad)}")
    if plan.aggregator is not None and "python" in plan.languages:
        from telemetry_agg.aggregators import available_aggregators  # noqa: PLC0415

        names = available_aggregators()
        if plan.aggregator not in names:
            raise BenchError(
                f"--aggregator {plan.aggregator!r} is not installed; choose one of: "
                + ", ".join(names)
            )
    if plan.cpu_cap:
        ok, why = CpuCap.available()
        if not ok:
            raise BenchError(f"--cpu-cap is not available on this machine: {why}; run without it")
