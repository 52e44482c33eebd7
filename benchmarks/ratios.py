"""Print the speed-up table: every aggregator and the handler against the naive baseline.

    .venv/bin/python benchmarks/ratios.py [--sizes 100,1000,5000,20000,100000] [--rounds N] [--json]

Every contender runs on the same STUDY.md payload in the same process, rounds interleaved
(naive, msgspec, orjson, reference, msgspec with nothing learned, handler, naive, ...) so that
machine noise falls on all alike; the table shows each one's best round and the ratio
naive / contender (above 1: faster than naive). Before timing, each contender's answer is
checked against the naive one. It also measures the handler's import time
(``python -X importtime``, best of 7) beside ``import json``, as Lambda sees it: ``-I -S`` with
only what the deployment zip holds on ``sys.path`` (``telemetry_agg`` and its runtime
dependencies), so that tools in the dev virtualenv that a dependency would pick up when present
(typing_extensions, for msgspec) do not count.
Exit status: 0, or 1 when the handler at 20,000 events is under 2.5x or its import over 40 ms.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_inputs import SIZES, document, function_url_event
from naive import naive_aggregate
from telemetry_agg.aggregators import builtin_aggregators, get_aggregator, msgspec_agg
from telemetry_agg.handler import handle
from telemetry_agg.limits import NOT_COMPARED

if TYPE_CHECKING:
    from collections.abc import Callable

BAR_SIZE, BAR_RATIO, IMPORT_BAR_MS = 20_000, 2.5, 40.0


RUNTIME_PACKAGES = ("telemetry_agg", "msgspec", "orjson")  # what the Lambda zip holds


@functools.cache
def lambda_path() -> Path:
    """A folder with what the deployment zip holds: links to telemetry_agg and its dependencies."""
    folder = Path(tempfile.mkdtemp(prefix="telemetry-agg-zip-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"{name} is not installed as a package")
        (folder / name).symlink_to(next(iter(spec.submodule_search_locations)))
    return folder


def import_ms(module: str) -> float:
    """Milliseconds ``import module`` takes in a fresh interpreter, by ``-X importtime``.

    The interpreter runs isolated (``-I -S``: no site-packages, no PYTHONPATH) with only
    `lambda_path()` added, as the Lambda runtime runs the zip.
    """
    code = f"import sys; sys.path.insert(0, {str(lambda_path())!r}); import {module}"
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in result.stderr.splitlines():
        parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1000
    raise RuntimeError(f"-X importtime printed no line for {module}")


def _contenders(size: int) -> dict[str, Callable[[], dict[str, Any]]]:
    doc = document(size)
    event = function_url_event(doc)
    body = event["body"]
    contenders: dict[str, Callable[[], dict[str, Any]]] = {"naive": lambda: naive_aggregate(body)}
    for name in builtin_aggregators():
        aggregator = get_aggregator(name)
        contenders[name] = lambda aggregator=aggregator: aggregator.summarize(doc).to_dict()  # type: ignore[misc]
    contenders[UNLEARNED] = lambda: _unlearned(doc)
    contenders["handler"] = lambda: json.loads(handle(event)[0]["body"])
    return contenders


UNLEARNED = "msgspec unlearned"


def _unlearned(doc: bytes) -> dict[str, Any]:
    """The msgspec aggregator with nothing learned (its vocabulary closed): what the learned
    endpoints and statuses give, measured in the same run."""
    saved = msgspec_agg.VOCABULARY
    msgspec_agg.VOCABULARY = msgspec_agg.Vocabulary()
    msgspec_agg.VOCABULARY.close()
    try:
        return msgspec_agg.AGGREGATOR.summarize(doc).to_dict()
    finally:
        msgspec_agg.VOCABULARY = saved


def measure(size: int, rounds: int) -> dict[str, float]:
    """Best milliseconds of each contender at ``size`` events, rounds interleaved."""
    contenders = _contenders(size)
    expected = naive_aggregate(function_url_event(document(size))["body"])
    for name, run in contenders.items():
        answer = {k: v for k, v in run().items() if k not in NOT_COMPARED}
        if answer != expected:
            raise SystemExit(f"{name} disagrees with the naive baseline at {size} events")
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(rounds):
        for name, run in contenders.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], (time.perf_counter() - started) * 1000)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="event counts")
    parser.add_argument("--rounds", type=int, default=0, help="rounds a size (0: by size)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    rows: list[dict[str, Any]] = []
    for size in sizes:
        rounds = args.rounds or max(5, min(60, 2_000_000 // size))
        best = measure(size, rounds)
        rows.append({"events": size, "bytes": len(document(size)), "rounds": rounds, "ms": best})
        if not args.json:
            print(f"measured {size} events ({rounds} rounds)", file=sys.stderr)
    handler_import = min(import_ms("telemetry_agg.handler") for _ in range(7))
    json_import = min(import_ms("json") for _ in range(7))
    names = list(rows[0]["ms"]) if rows else []
    if args.json:
        print(
            json.dumps(
                {
                    "rows": rows,
                    "handler_import_ms": handler_import,
                    "json_import_ms": json_import,
                    "python": sys.version.split()[0],
                }
            )
        )
    else:
        header = ["events", "payload"] + [f"{n} ms (x)" for n in names]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            ms = row["ms"]
            cells = [f"{row['events']:,}", f"{row['bytes'] / 1000:,.0f} KB"]
            cells += [f"{ms[n]:.2f} ({ms['naive'] / ms[n]:.2f}x)" for n in names]
            print("| " + " | ".join(cells) + " |")
        print(
            f"\nhandler import: {handler_import:.1f} ms (import json: {json_import:.1f} ms); "
            f"Python {sys.version.split()[0]}"
        )
    failed = handler_import > IMPORT_BAR_MS
    for row in rows:
        if row["events"] == BAR_SIZE:
            failed |= row["ms"]["naive"] / row["ms"]["handler"] < BAR_RATIO
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
