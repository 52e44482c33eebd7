"""`telemetry-bench local`'s measurement: every lane side by side under the real Runtime
Interface Emulator.

For each payload size, every lane:

1. **Cold starts**: `--cold K` times per lane, the lanes in turn (so that a burst of load on a
   shared machine falls on all of them, not on one lane's block), a fresh emulator and runtime
   each; the first invocation's client latency is the cold start (the runtime starts at that
   invocation, as on Lambda), with the REPORT line's Init Duration and Duration beside it.
2. **Warm invocations**: `--concurrency C` environments per lane (C emulators: one environment
   serves one request at a time, as on Lambda), each warmed by one invocation that is not
   recorded, then `--warm N` invocations shared among them, one worker per environment; the
   lanes take turns of `WARM_TURN` invocations, for the same reason as the cold starts.

Every answer is checked: a non-200, a timeout or a crash stops the run with the reason; the first
answer of each lane per size is compared with the reference lane's by the contract's rule
(`answers.AnswerCheck`) and a mismatch stops the run with a diff. Whatever was measured before a
stop (Ctrl-C included) is kept in the `Results` the caller passed.

The workload (`LocalPlan.workload`, `bench.model.workloads`) decides what else: for one with a
table (`store`) the run starts its own moto server, gives every lane the workload's environment,
keeps every 200 answer (warm-ups included) and afterwards checks the table against them
(`bench.local.stored`): `results.store_check`, and a mismatch fails the run with the difference.

API: `LocalPlan` (with `check()`), `load_payloads(plan)`, `lane_runtimes(plan)`,
`run_local(plan, runtimes, results, console, ...)`; the command's edge is `session.py`.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench import checks
from telemetry_agg.bench.constants import LAMBDA_REQUEST_LIMIT
from telemetry_agg.bench.errors import BenchError, PayloadError, UsageError
from telemetry_agg.bench.local import runtimes, stored
from telemetry_agg.bench.local.cpucap import CpuCap, default_concurrency
from telemetry_agg.bench.local.emulator import Emulator, Invocation, Runtime
from telemetry_agg.bench.model import answers, payloads, workloads
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.reporting.progress import bars

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from rich.console import Console
    from rich.progress import Progress, TaskID

    from telemetry_agg.bench.model import results as res

__all__ = [
    "CpuCap",
    "LocalPlan",
    "default_concurrency",
    "lane_runtimes",
    "load_payloads",
    "run_local",
]

DEFAULT_COLD, DEFAULT_WARM = 10, 300
DEFAULT_SIZES_TEXT = ",".join(map(str, payloads.DEFAULT_SIZES))
WARM_TURN = 25  # warm invocations of one lane before the next lane's turn
QUICK: dict[str, str | int] = {
    "sizes": "100,1000,5000,10000,20000",
    "cold": 5,
    "warm": 200,
}


@dataclass
class LocalPlan:
    """What one `local` run measures; `check()` refuses bad values before anything starts."""

    sizes: list[int]
    cold: int = 5
    warm: int = 200
    concurrency: int = field(default_factory=default_concurrency)
    memory_mb: int = 512
    timeout_s: int = 10
    aggregator: str | None = None
    lanes: tuple[str, ...] = field(default_factory=lane_registry.names)
    cpu_cap: bool = False
    knobs: payloads.Knobs = field(default_factory=payloads.Knobs)
    payload_dir: Path | None = None
    price: float | None = None
    workload: workloads.Workload = workloads.CPU

    def check(self) -> None:
        checks.price(self.price)
        checks.non_negative([("--cold", self.cold), ("--warm", self.warm)])
        if self.cold + self.warm == 0:
            raise UsageError("--cold and --warm are both 0: nothing to measure")
        checks.concurrency(self.concurrency)
        checks.memory(self.memory_mb)
        checks.timeout(self.timeout_s)
        if any(lane_registry.get(name).takes_aggregator for name in self.lanes):
            checks.aggregator(self.aggregator)
        if self.cpu_cap:
            ok, why = CpuCap.available()
            if not ok:
                raise UsageError(
                    f"--cpu-cap is not available on this machine: {why}; run without it"
                )

    def options(self) -> dict[str, Any]:
        return {
            "sizes": self.sizes,
            "cold": self.cold,
            "warm": self.warm,
            "concurrency": self.concurrency,
            "memory": self.memory_mb,
            "timeout": self.timeout_s,
            "aggregator": self.aggregator or "default",
            "lanes": list(self.lanes),
            "languages": list(dict.fromkeys(lane_registry.get(x).language for x in self.lanes)),
            "cpu_cap": self.cpu_cap,
            "seed": self.knobs.seed,
            "payloads": str(self.payload_dir) if self.payload_dir else "generated",
            **({"price": self.price} if self.price is not None else {}),
            "workload": self.workload.name,
        }


def load_payloads(plan: LocalPlan) -> dict[int, bytes]:
    """Each payload by its event count: generated, or read from --payloads and checked (a JSON
    array of events; its size is the count read). PayloadError (exit 2) for a missing or bad
    file, or an event over Lambda's 6 MB request limit (the emulator cuts such events short)."""
    if plan.payload_dir is None:
        bodies = {n: payloads.payload(n, plan.knobs) for n in plan.sizes}
    else:
        bodies = {}
        for n in plan.sizes:
            path = plan.payload_dir / payloads.payload_name(n)
            body = payloads.read_payload(path)
            count = payloads.count_events(body, path)
            if count in bodies:
                raise PayloadError(f"{path}: {count:,} events, as another --sizes file already")
            bodies[count] = body
    for size, body in bodies.items():
        event_bytes = len(json.dumps(payloads.function_url_event(body)))
        if event_bytes > LAMBDA_REQUEST_LIMIT:
            raise PayloadError(
                f"the {size:,}-event event is {event_bytes:,} bytes, over Lambda's 6 MB "
                "request limit (a Function URL answers 413; the emulator cuts it short): "
                "use smaller --sizes"
            )
    return bodies


def lane_runtimes(plan: LocalPlan) -> dict[str, Runtime]:
    """Each lane's runtime, or one clear message naming the command that installs what is
    missing (ToolMissingError, exit 3)."""
    runtimes.rie_path()
    go_build = plan.workload.go_build
    return {
        name: runtimes.lane_runtime(lane_registry.get(name), plan.aggregator, go_build=go_build)
        for name in plan.lanes
    }


class Fleet:
    """Every environment started by this run, so that any exit stops them all."""

    def __init__(self, plan: LocalPlan, env: dict[str, str] | None = None) -> None:
        self.plan = plan
        self.env = env or {}  # the workload's, on every environment
        self.live: set[Emulator] = set()
        self.lock = threading.Lock()
        self.caps: dict[Emulator, CpuCap] = {}
        self.count = 0

    def start(self, runtime: Runtime) -> Emulator:
        emu = Emulator(
            runtime,
            memory_mb=self.plan.memory_mb,
            timeout_s=self.plan.timeout_s,
            extra_env=self.env,
        )
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


def to_sample(kind: res.Kind, inv: Invocation, emu: Emulator, env_index: int) -> res.Sample:
    """One local invocation as the one sample record (`answers.to_sample`)."""
    decoded = answers.from_function_response(inv.body) if inv.error is None else None
    answer = decoded or answers.Decoded(None, None)
    error = inv.error
    if error is None and answer.status != 200:
        error = f"http_{answer.status}" if answer.status else "runtime_error"
    rep = inv.report
    return answers.to_sample(
        kind,
        inv.client_ms,
        answer,
        error,
        duration_ms=rep.duration_ms if rep else None,
        billed_ms=rep.billed_ms if rep else None,
        init_ms=rep.init_ms if rep else None,
        peak_rss_mb=emu.peak_rss_mb(),
        environment=env_index,
    )


def _explain(lane: str, size: int, inv: Invocation, emu: Emulator, timeout_s: int) -> str:
    where = f"the {lane} function on the {size:,}-event payload"
    if inv.error == "timeout":
        return (
            f"{where} timed out after {timeout_s} s (Lambda would stop it too): raise --timeout, "
            "or use smaller --sizes"
        )
    if inv.error == "connection":
        return f"{where}: the emulator stopped answering.\n{emu.output_tail()}"
    decoded = answers.from_function_response(inv.body)
    if decoded.problem:
        return f"{where} failed (HTTP {inv.http_status}): {decoded.problem}\n{emu.output_tail()}"
    return f"{where} answered {decoded.status}: {json.dumps(decoded.body)[:400]}"


@dataclass
class Measured:
    """One (size, lane) being measured: its runtime, its event, where its samples go."""

    runtime: Runtime
    size: int
    event: bytes
    record: res.Series


class Measurer:
    """Cold starts and warm load of one series at a time, every answer checked."""

    def __init__(
        self,
        plan: LocalPlan,
        progress: Progress,
        fleet: Fleet,
        ledger: stored.Ledger | None = None,
    ) -> None:
        self.plan = plan
        self.progress = progress
        self.fleet = fleet
        self.ledger = ledger  # every 200 answer, for the stored workload's check
        self.answers = answers.AnswerCheck.for_lanes(list(plan.lanes))

    def keep(self, series: Measured, inv: Invocation) -> answers.Decoded:
        """The decoded answer; a 200 goes into the ledger (the stored workload's check needs
        every 200 sent, sampled or not)."""
        decoded = answers.from_function_response(inv.body)
        if self.ledger is None:
            return decoded
        if inv.error is None and decoded.status == 200 and decoded.body is not None:
            self.ledger.record(inv.request_id, series.runtime.lane, series.size, decoded.body)
        else:  # a 503, a crash, a timeout: its item may or may not be there
            self.ledger.unanswered(inv.request_id)
        return decoded

    def check(self, series: Measured, inv: Invocation, emu: Emulator) -> None:
        decoded = self.keep(series, inv)
        lane, size = series.runtime.lane, series.size
        if inv.error or decoded.status != 200 or decoded.body is None:
            raise BenchError(_explain(lane, size, inv, emu, self.plan.timeout_s))
        aggregator = decoded.body.get("aggregator")
        if lane not in self.answers.answers.get(size, {}) and isinstance(aggregator, str):
            series.record.aggregator = aggregator  # what ran, not what was asked for
        mismatches = self.answers.add(size, lane, decoded.body)
        if mismatches:
            raise BenchError(mismatches[0])

    def cold(self, lanes: list[Measured]) -> None:
        """`--cold K` cold starts of each lane, the lanes in turn (one each, K times), so that
        the machine's changing load falls on every lane alike."""
        tasks = [
            self.progress.add_task(f"{s.size:>6,} {s.runtime.lane:<6} cold", total=self.plan.cold)
            for s in lanes
        ]
        for _ in range(self.plan.cold):
            for series, task in zip(lanes, tasks, strict=True):
                emu = self.fleet.start(series.runtime)
                try:
                    inv = emu.invoke(series.event)
                    series.record.samples.append(to_sample("cold", inv, emu, 0))
                    self.check(series, inv, emu)
                finally:
                    self.fleet.stop(emu)
                self.progress.advance(task)
        for task in tasks:
            self.progress.remove_task(task)

    def warm(self, lanes: list[Measured]) -> None:
        """`--warm N` invocations of each lane over its `--concurrency C` environments (each
        warmed by one unrecorded invocation first), the lanes in turns of `WARM_TURN`
        invocations, so that a burst of load falls on every lane alike."""
        if self.plan.warm <= 0:
            return
        tasks = [
            self.progress.add_task(f"{s.size:>6,} {s.runtime.lane:<6} warm", total=self.plan.warm)
            for s in lanes
        ]
        envs: list[list[Emulator]] = []
        try:
            for series in lanes:
                envs.append(
                    [self.fleet.start(series.runtime) for _ in range(self.plan.concurrency)]
                )
                for emu in envs[-1]:  # the cold start of each environment: not a warm sample
                    self.check(series, emu.invoke(series.event), emu)
            for done in range(0, self.plan.warm, WARM_TURN):
                turn = min(WARM_TURN, self.plan.warm - done)
                for series, task, lane_envs in zip(lanes, tasks, envs, strict=True):
                    self.warm_turn(series, task, lane_envs, turn)
        finally:
            for lane_envs in envs:
                for emu in lane_envs:
                    self.fleet.stop(emu)
            for task in tasks:
                self.progress.remove_task(task)

    def warm_turn(self, series: Measured, task: TaskID, envs: list[Emulator], count: int) -> None:
        load = WarmLoad(self, series, task, count)
        try:
            load.run(envs)
        finally:
            load.stop.set()
            load.join()
        if load.failures:
            raise load.failures[0]


class WarmLoad:
    """`total` warm invocations shared by one worker thread per environment."""

    def __init__(self, measurer: Measurer, series: Measured, task: TaskID, total: int) -> None:
        self.measurer = measurer
        self.series = series
        self.task = task
        self.remaining = total
        self.lock = threading.Lock()
        self.failures: list[BaseException] = []
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def _take(self) -> bool:
        with self.lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True

    def worker(self, index: int, emu: Emulator) -> None:
        try:
            while not self.stop.is_set() and self._take():
                inv = emu.invoke(self.series.event)
                if self.stop.is_set():  # Ctrl-C or another worker's failure: not a sample
                    self.measurer.keep(self.series, inv)  # but its item is in the table
                    return
                with self.lock:
                    self.series.record.samples.append(to_sample("warm", inv, emu, index))
                self.measurer.check(self.series, inv, emu)
                self.measurer.progress.advance(self.task)
        except BenchError as exc:
            self.failures.append(exc)
            self.stop.set()
        except Exception as exc:  # a bug, not a measurement: stop and say so
            lane = self.series.runtime.lane
            self.failures.append(BenchError(f"the {lane} worker {index} failed: {exc!r}"))
            self.stop.set()

    def run(self, envs: list[Emulator]) -> None:
        self.threads = [
            threading.Thread(target=self.worker, args=(i, e), daemon=True)
            for i, e in enumerate(envs)
        ]
        for t in self.threads:
            t.start()
        while any(t.is_alive() for t in self.threads):
            for t in self.threads:
                t.join(timeout=0.1)

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=5)


def run_local(
    plan: LocalPlan,
    lane_rts: dict[str, Runtime],
    results: res.Results,
    console: Console,
    *,
    bodies: dict[int, bytes],
    on_series: Callable[[res.Results], None] | None = None,
) -> res.Results:
    """Run the plan into `results` (kept up to date as it goes, so a stop keeps what was done);
    with the workload's table, check it afterwards (`results.store_check`)."""
    with stored.local_table(plan.workload) as table:
        ledger = stored.Ledger() if table else None
        failure: BenchError | None = None
        try:
            fleet = Fleet(plan, table.environment if table else None)
            measurer = Measurer(plan, bars(console), fleet, ledger)
            _run_series(measurer, lane_rts, results, bodies, on_series)
        except BenchError as exc:  # the table is still checked: is what was answered there?
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
    """Read the table back into `results.store_check`; the run's failure, with the table's
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
    measurer: Measurer,
    lane_rts: dict[str, Runtime],
    results: res.Results,
    bodies: dict[int, bytes],
    on_series: Callable[[res.Results], None] | None,
) -> None:
    """Every size and lane in turn; every environment is stopped when it returns or raises."""
    progress, fleet = measurer.progress, measurer.fleet
    overall = progress.add_task("all", total=len(bodies) * len(lane_rts))
    try:
        with progress:
            for size, body in bodies.items():
                event = json.dumps(payloads.function_url_event(body)).encode()
                measured = [
                    Measured(
                        rt,
                        size,
                        event,
                        results.series_for(
                            size, lane, payload_bytes=len(body), aggregator=rt.aggregator
                        ),
                    )
                    for lane, rt in lane_rts.items()
                ]
                measurer.cold(measured)
                if on_series:  # what was measured is on disk before the warm phase
                    on_series(results)
                measurer.warm(measured)
                progress.advance(overall, len(measured))
                if on_series:
                    on_series(results)
    finally:
        fleet.stop_all()
        # a lane whose turn never came (a stop during another's cold starts) measured nothing
        results.series = [s for s in results.series if s.samples]
