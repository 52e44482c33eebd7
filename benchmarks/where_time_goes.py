"""Where a Python Lambda's time goes, lane by lane, in one run (README "Where the time goes").

    .venv/bin/python benchmarks/where_time_goes.py [--events 20000] [--rounds 30] [--warm 60]
        [--cold 15] [--cold-events 100] [--json]

Every lane runs as `telemetry-bench local` starts it: the packaged zip (built for this machine)
extracted as its task folder, the runtime's Python (python3.12 where one is installed), the
runtime folder after the task on the import path, no byte-code written. Lanes interleave in
every step, so that the machine's noise falls on all of them alike.

1. In process, on the runtime's Python in a task folder (`--rounds` rounds in a child process
   per lane, the lean lane's with its exec wrapper's malloc settings):
   the runtime client's decode of the event (stock: awslambdaric's
   `LambdaMarshaller.unmarshal_request`, simplejson; lean: none, the raw bytes are handed
   over), the handler (lean: on the raw bytes, its envelope decode `decode_event` shown apart),
   the answer's encode (stock: `marshal_response`; lean: the loop's `encode`). Median and best.
2. Under the emulator: `--warm` warm invocations of the `--events` Function URL event per lane:
   REPORT Duration (mean, median) and the handler's own compute_ms from its log line. Beside
   them a control, `python+malloc`: the stock lane with the malloc settings the lean lane's
   exec wrapper makes (read from the wrapper), so that what those settings alone give the
   stock client is measured in the same run, not assumed.
3. Cold starts, `--cold` per lane, a fresh environment each, on a `--cold-events` event: the
   first invocation's client latency (median), split for the Python lanes into the
   interpreter (`python -c pass` in a task folder, wall time), the imports beyond the
   interpreter's own (the runtime client's modules and the handler's, `-X importtime`) and the
   rest (the process start under the emulator, the first request, the emulator's relay): cold
   start minus the other two. Medians of separate samples: on a loaded machine the rest can
   come out small or even negative; read it as "what the first two leave".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import telemetry_agg.runtime
from lean_runtime import compute_ms  # the handler's compute_ms from its log line
from telemetry_agg.bench.local import pyruntime, runtimes, taskdir
from telemetry_agg.bench.local.emulator import Emulator, Runtime
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model.payloads import function_url_event, payload

PYTHON_LANES = ("python", "python-lean")
CLIENT_IMPORTS = {"python": "awslambdaric.bootstrap", "python-lean": "telemetry_agg.runtime.loop"}
HANDLER_MODULE = "telemetry_agg.handler"
# Run in the task folder by the runtime's Python: per round, each lane's steps in ms.
CHILD = """
import contextlib, io, json, statistics, sys, time
from awslambdaric.lambda_runtime_marshaller import LambdaMarshaller
from telemetry_agg.handler import handler
from telemetry_agg.request import decode_event
from telemetry_agg.runtime.loop import encode

event = open(sys.argv[1], "rb").read()
rounds = int(sys.argv[2])
marshaller = LambdaMarshaller()
class Context:
    aws_request_id = "bench"
def ms(start):
    return (time.perf_counter() - start) * 1000
steps = {"python": {}, "python-lean": {}}
def add(lane, step, value):
    steps[lane].setdefault(step, []).append(value)
sink = io.StringIO()
for _ in range(rounds):
    with contextlib.redirect_stdout(sink):
        t = time.perf_counter(); decoded = marshaller.unmarshal_request(event)
        add("python", "client decode", ms(t))
        t = time.perf_counter(); result = handler(decoded, Context())
        add("python", "handler", ms(t))
        t = time.perf_counter(); stock_answer = marshaller.marshal_response(result)[0]
        add("python", "answer encode", ms(t))
        add("python-lean", "client decode", 0.0)
        t = time.perf_counter(); result = handler(event, Context())
        add("python-lean", "handler", ms(t))
        t = time.perf_counter(); decode_event(event)
        add("python-lean", "of which envelope decode", ms(t))
        t = time.perf_counter(); lean_answer = encode(result)[0]
        add("python-lean", "answer encode", ms(t))
    sink.seek(0); sink.truncate()
a, b = json.loads(stock_answer), json.loads(lean_answer)
assert a["statusCode"] == b["statusCode"] == 200, (a, b)
medians = {lane: {k: statistics.median(v) for k, v in s.items()} for lane, s in steps.items()}
bests = {lane: {k: min(v) for k, v in s.items()} for lane, s in steps.items()}
print(json.dumps({"median": medians, "best": bests}))
"""


def lane_runtimes() -> dict[str, Runtime]:
    return {lane.name: runtimes.lane_runtime(lane) for lane in lane_registry.all_lanes()}


def task_env(runtime: Runtime, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(taskdir.in_folder(runtime, folder).env)
    return env


def in_process(rts: dict[str, Runtime], event: bytes, rounds: int) -> dict[str, Any]:
    """Both lanes' steps in a child on the runtime's Python, twice: the stock lane's from a
    child with the stock environment, the lean lane's from one with the malloc settings its
    exec wrapper exports (without them its handler pays page faults it does not pay in the
    lane)."""
    stock = rts["python"]
    assert stock.task_zip is not None
    folder = taskdir.extract(stock.task_zip)
    found: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.NamedTemporaryFile(suffix=".json") as file:
            file.write(event)
            file.flush()
            for lane, extra in (("python", {}), ("python-lean", wrapper_malloc())):
                out = subprocess.run(
                    [stock.argv[0], "-c", CHILD, file.name, str(rounds)],
                    capture_output=True,
                    text=True,
                    cwd=folder,
                    env=task_env(stock, folder) | extra,
                    check=True,
                )
                found[lane] = json.loads(out.stdout)
    finally:
        taskdir.remove(folder)
    return {kind: {lane: found[lane][kind][lane] for lane in found} for kind in ("median", "best")}


MALLOC_CONTROL = "python+malloc"


def wrapper_malloc() -> dict[str, str]:
    """The glibc malloc settings the lean lane's exec wrapper exports (its defaults)."""
    text = (Path(telemetry_agg.runtime.__file__).parent / "lean-wrapper").read_text()
    found = dict(re.findall(r'^(MALLOC_\w+)="\$\{\1:-(\d+)\}"$', text, re.MULTILINE))
    assert found, "the lean wrapper sets no malloc settings"
    return found


def warm(rts: dict[str, Runtime], event: bytes, count: int) -> dict[str, dict[str, float]]:
    emus = {name: Emulator(rt, name=name, timeout_s=60) for name, rt in rts.items()}
    emus[MALLOC_CONTROL] = Emulator(
        rts["python"], name="python-malloc", timeout_s=60, extra_env=wrapper_malloc()
    )
    durations: dict[str, list[float]] = {name: [] for name in emus}
    handler: dict[str, list[float]] = {name: [] for name in emus}
    try:
        for emu in emus.values():
            emu.start().invoke(event)  # the cold start: not counted
        for _ in range(count):
            for name, emu in emus.items():
                inv = emu.invoke(event)
                if inv.report is None or inv.error is not None:
                    continue
                durations[name].append(inv.report.duration_ms)
                value = compute_ms(emu, inv.request_id)
                if value is not None:
                    handler[name].append(value)
    finally:
        for emu in emus.values():
            emu.stop()
    return {
        name: {
            "REPORT Duration mean": statistics.fmean(durations[name]),
            "REPORT Duration median": statistics.median(durations[name]),
            "handler compute_ms median": statistics.median(handler[name] or [float("nan")]),
        }
        for name in emus
    }


def run_ms(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    return (time.perf_counter() - started) * 1000


def import_ms(python: str, code: str, cwd: Path, env: dict[str, str]) -> float:
    """What `-X importtime` says `code`'s top-level imports cost (their cumulative times)."""
    done = subprocess.run(
        [python, "-X", "importtime", "-c", code],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    total = 0
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and not parts[2].startswith("  ") and parts[1].strip().isdigit():
            total += int(parts[1])
    return total / 1000


def split_start(name: str, rt: Runtime) -> tuple[float, float]:
    """A Python lane's start, outside the emulator: the interpreter (`python -c pass`, wall
    time) and the imports beyond its own (the runtime client's and the handler's modules)."""
    assert rt.task_zip is not None
    folder = taskdir.extract(rt.task_zip)
    try:
        env, python = task_env(rt, folder), str(pyruntime.runtime_python().path)
        bare = run_ms([python, "-c", "pass"], folder, env)
        code = f"import {CLIENT_IMPORTS[name]}, {HANDLER_MODULE}"
        imports = import_ms(python, code, folder, env) - import_ms(python, "pass", folder, env)
    finally:
        taskdir.remove(folder)
    return bare, imports


def cold(rts: dict[str, Runtime], event: bytes, count: int) -> dict[str, dict[str, float]]:
    """Per lane: the cold start's median, and for the Python lanes its split."""
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in rts}
    for _ in range(count):
        for name, rt in rts.items():
            with Emulator(rt, name=name, timeout_s=60) as emu:
                inv = emu.invoke(event)
                if inv.error is None:
                    samples[name].setdefault("cold start", []).append(inv.client_ms)
            if name in PYTHON_LANES:
                bare, imports = split_start(name, rt)
                samples[name].setdefault("interpreter", []).append(bare)
                samples[name].setdefault("imports", []).append(imports)
    out: dict[str, dict[str, float]] = {}
    for name, steps in samples.items():
        out[name] = {step: statistics.median(values) for step, values in steps.items()}
        if name in PYTHON_LANES:
            rest = out[name]["cold start"] - out[name]["interpreter"] - out[name]["imports"]
            out[name]["first request and the rest"] = rest
    return out


def table(name: str, figures: dict[str, str]) -> str:
    title = f"**{lane_registry.display(name)}** (`{name}`)"
    if name == MALLOC_CONTROL:
        title = "**Python with the lean wrapper's malloc settings** (a control, stock client)"
    lines = [title, "", "| step | ms |", "|---|---:|"]
    lines += [f"| {step} | {value} |" for step, value in figures.items()]
    return "\n".join(lines)


def figures_of(
    rts: dict[str, Runtime], split: dict[str, Any], warm_: dict[str, Any], cold_: dict[str, Any]
) -> dict[str, dict[str, str]]:
    """Each lane's figures as table rows (ms, formatted)."""
    figures: dict[str, dict[str, str]] = {name: {} for name in [*rts, *warm_]}
    for name, steps in split["median"].items():
        for step, value in steps.items():
            best = split["best"][name][step]
            figures[name][f"{step}, in process: median (best)"] = f"{value:.2f} ({best:.2f})"
    for name, steps in warm_.items():
        figures[name].update({step: f"{value:.2f}" for step, value in steps.items()})
    for name, steps in cold_.items():
        for step, value in steps.items():
            label = "cold start (median)" if step == "cold start" else f"- {step}"
            figures[name][label] = f"{value:.2f}"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warm", type=int, default=60)
    parser.add_argument("--cold", type=int, default=15)
    parser.add_argument("--cold-events", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rts = lane_runtimes()
    event = json.dumps(function_url_event(payload(args.events))).encode()
    cold_event = json.dumps(function_url_event(payload(args.cold_events))).encode()
    split = in_process(rts, event, args.rounds)
    warm_ = warm(rts, event, args.warm)
    cold_ = cold(rts, cold_event, args.cold)
    figures = figures_of(rts, split, warm_, cold_)
    python = rts["python"].python
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    head = (
        f"{args.events:,} events ({len(event):,} bytes) warm; cold starts at "
        f"{args.cold_events:,} events; Python {python}; load average {load}"
    )
    if args.json:
        data = {"about": head, "in_process": split, "warm": warm_, "cold": cold_}
        print(json.dumps(data, indent=2))
        return
    print(head)
    for name, steps in figures.items():
        print()
        print(table(name, steps))


if __name__ == "__main__":
    main()
