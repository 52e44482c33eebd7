"""The stock Python runtime client against the lean one (telemetry_agg.runtime), in one run.

    .venv/bin/python benchmarks/lean_runtime.py [--events 20000] [--rounds 30]
        [--emulator 30] [--cold 5] [--imports 7] [--json]

1. In process, rounds interleaved (stock, lean, stock, ...): the stock path is what awslambdaric
   does around the handler (``LambdaMarshaller.unmarshal_request``, simplejson, then the
   handler on the decoded event, then ``marshal_response``); the lean path is the handler on
   the raw bytes and the lean loop's `encode`. The decoders alone too (the marshaller's
   ``simplejson.loads`` against `decode_event`). Best and median milliseconds, and the ratio
   stock / lean.
2. Imports, a fresh interpreter each (``-X importtime``, best of ``--imports``): the stock
   client's modules against the lean loop's, each with the handler.
3. Under the emulator (``--emulator N``, 0 to skip): N warm invocations of the Function URL
   event per lane, lanes interleaved, REPORT Duration mean and median, and lean / stock (the
   issue's bar: the mean at most 0.5x); the part of it outside the handler's own compute_ms
   (the runtime client's decode, encode and the transfer); ``--cold N``: N cold starts per
   lane (a fresh emulator each), the first invocation's client latency, on an event of
   ``--cold-events`` events (default 100, the issue's cold-start bar: at most 0.85x).
Every answer is checked against the other lane's before anything is timed.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.local import emulator, runtimes
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model.payloads import function_url_event, payload
from telemetry_agg.handler import handler
from telemetry_agg.limits import NOT_COMPARED
from telemetry_agg.request import decode_event
from telemetry_agg.runtime.loop import encode

if TYPE_CHECKING:
    from collections.abc import Callable

HANDLER = "telemetry_agg.handler.handler"
STOCK_IMPORT = "awslambdaric.bootstrap, awslambdaric.lambda_runtime_client"
LEAN_IMPORT = "telemetry_agg.runtime.loop"


class Context:
    aws_request_id = "bench"


def stock_path(marshaller: Any) -> Callable[[bytes], bytes]:
    def run(event: bytes) -> bytes:
        result, _ = marshaller.marshal_response(
            handler(marshaller.unmarshal_request(event), Context())
        )
        return str(result).encode()

    return run


def lean_path(event: bytes) -> bytes:
    return encode(handler(event, Context()))[0]


def answer(response: bytes) -> Any:
    outer = json.loads(response)
    body = json.loads(outer["body"])
    return outer["statusCode"], {k: v for k, v in body.items() if k not in NOT_COMPARED}


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per round for each contender, rounds interleaved."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            started = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def in_process(event: bytes, rounds: int) -> dict[str, Any]:
    from awslambdaric.lambda_runtime_marshaller import LambdaMarshaller  # noqa: PLC0415

    marshaller = LambdaMarshaller()  # its decoder is simplejson.loads
    stock = stock_path(marshaller)
    quiet = open("/dev/null", "w")  # noqa: PTH123, SIM115 - the handler's log line, not timed
    saved, sys.stdout = sys.stdout, quiet
    try:
        if answer(stock(event)) != answer(lean_path(event)):
            raise SystemExit("the stock and lean paths disagree on the event")
        whole = interleaved(
            {"stock": lambda: stock(event), "lean": lambda: lean_path(event)}, rounds
        )
    finally:
        sys.stdout = saved
        quiet.close()
    decode = interleaved(
        {"stock": lambda: marshaller.unmarshal_request(event), "lean": lambda: decode_event(event)},
        rounds,
    )
    return {"decode + handler + encode": whole, "event decode alone": decode}


def import_ms(modules: str) -> float:
    """Milliseconds a fresh interpreter spends importing ``modules`` and the handler, beyond
    what its own start-up imports (``-c pass``). Bytecode is cached (in a folder of this run:
    the editable source tree's own may be stale) for both alike, as the zip ships it."""
    return _top_level_imports_ms(f"import {modules}; import {HANDLER.rsplit('.', 1)[0]}") - (
        _top_level_imports_ms("pass")
    )


@functools.cache
def _bytecode_env() -> dict[str, str]:
    folder = tempfile.mkdtemp(prefix="lean-bench-pyc-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": folder}


def _top_level_imports_ms(code: str) -> float:
    run = [sys.executable, "-X", "importtime", "-c", code]
    env = _bytecode_env()
    subprocess.run(run, capture_output=True, check=True, env=env)  # compiles, once
    done = subprocess.run(run, capture_output=True, text=True, check=True, env=env)
    total = 0
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and not parts[2].startswith("  ") and parts[1].strip().isdigit():
            total += int(parts[1])  # top-level imports only: their cumulative times add up
    return total / 1000


def lanes() -> dict[str, runtimes.Runtime]:
    """The two Python lanes as `local` starts them (the packaged zip, the runtime's Python)."""
    return {
        "stock": runtimes.lane_runtime(lane_registry.PYTHON),
        "lean": runtimes.lane_runtime(lane_registry.PYTHON_LEAN),
    }


def compute_ms(emu: emulator.Emulator, request_id: str) -> float | None:
    """The handler's own ``compute_ms`` for one invocation, from its log line."""
    for line in reversed(emu.lines):
        if line.startswith('{"level"') and request_id in line:
            value = json.loads(line).get("compute_ms")
            return float(value) if value is not None else None
    return None


def under_emulator(event: bytes, warm: int) -> dict[str, dict[str, list[float]]]:
    """REPORT Duration (ms) of ``warm`` invocations per lane, after one untimed one, and the
    part of it outside the handler's own compute_ms (the runtime client: decode, encode,
    transfer)."""
    runtimes = lanes()
    emus = {name: emulator.Emulator(rt, name=name, timeout_s=60) for name, rt in runtimes.items()}
    durations: dict[str, list[float]] = {name: [] for name in emus}
    outside: dict[str, list[float]] = {name: [] for name in emus}
    try:
        for emu in emus.values():
            emu.start()
        answers = {name: answer(emu.invoke(event).body) for name, emu in emus.items()}
        if answers["stock"] != answers["lean"]:
            raise SystemExit("the stock and lean lanes disagree under the emulator")
        for _ in range(warm):
            for name, emu in emus.items():
                inv = emu.invoke(event)
                if inv.report is not None and inv.error is None:
                    durations[name].append(inv.report.duration_ms)
                    handler_ms = compute_ms(emu, inv.request_id)
                    if handler_ms is not None:
                        outside[name].append(inv.report.duration_ms - handler_ms)
    finally:
        for emu in emus.values():
            emu.stop()
    return {"REPORT Duration (ms)": durations, "Duration outside the handler (ms)": outside}


def cold_starts(event: bytes, count: int) -> dict[str, list[float]]:
    """The first invocation's client latency (ms) with a fresh environment, per lane."""
    latencies: dict[str, list[float]] = {name: [] for name in lanes()}
    for _ in range(count):
        for name, runtime in lanes().items():
            with emulator.Emulator(runtime, name=name, timeout_s=60) as emu:
                inv = emu.invoke(event)
            if inv.error is None:
                latencies[name].append(inv.client_ms)
    return latencies


def summary(times: dict[str, list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, values in times.items():
        out[name] = {
            "n": len(values),
            "best": min(values, default=float("nan")),
            "median": statistics.median(values) if values else float("nan"),
            "mean": statistics.fmean(values) if values else float("nan"),
        }
    if out.get("stock") and out.get("lean"):
        for stat in ("best", "median", "mean"):
            out[f"lean/stock {stat}"] = out["lean"][stat] / out["stock"][stat]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--imports", type=int, default=7)
    parser.add_argument("--emulator", type=int, default=30)
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--cold-events", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    event = json.dumps(function_url_event(payload(args.events))).encode()
    results: dict[str, Any] = {"events": args.events, "event_bytes": len(event)}
    results["python"] = sys.version.split()[0]
    for name, times in in_process(event, args.rounds).items():
        results[name] = summary(times)
    results["imports (ms)"] = summary(
        {
            "stock": [import_ms(STOCK_IMPORT) for _ in range(args.imports)],
            "lean": [import_ms(LEAN_IMPORT) for _ in range(args.imports)],
        }
    )
    if args.emulator:
        for name, times in under_emulator(event, args.emulator).items():
            results[name] = summary(times)
    if args.cold:
        cold_event = json.dumps(function_url_event(payload(args.cold_events))).encode()
        name = f"cold start at {args.cold_events:,} events (ms)"
        results[name] = summary(cold_starts(cold_event, args.cold))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.events:,} events, {len(event):,} bytes, Python {results['python']}")
    for name, row in results.items():
        if isinstance(row, dict):
            stock, lean = row["stock"], row["lean"]
            print(
                f"{name:36} stock best {stock['best']:7.2f} median {stock['median']:7.2f} "
                f"mean {stock['mean']:7.2f} | lean best {lean['best']:7.2f} "
                f"median {lean['median']:7.2f} mean {lean['mean']:7.2f} | "
                f"lean/stock mean {row['lean/stock mean']:.2f} median "
                f"{row['lean/stock median']:.2f}"
            )


if __name__ == "__main__":
    main()
