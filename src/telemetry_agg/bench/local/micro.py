"""`telemetry-bench micro`: every Python aggregator and the Go core on the same payloads.

No Lambda, no emulator, no HTTP: the aggregation alone. Python aggregators run in this process
(`get_aggregator(name).summarize(document)`, one warm-up then `--repeat` timed runs); the Go core
runs in its own process through the Go CLI (``build/telemetry-agg -repeat N FILE``, which warms
up once and reports min and median nanoseconds on stderr). Each answer is checked against the
others by the contract's rule before any time is reported. Ratios are against the `reference`
aggregator and against Go, all measured in the same run. Without Go (no toolchain, no build),
the Python aggregators are measured alone, with a note on how to add Go (exit 0).

API: `run_micro(sizes, repeat, aggregators, knobs) -> list[MicroRow]`, `go_cli()`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench import errors, toolchain
from telemetry_agg.bench.errors import BenchError, ToolMissingError
from telemetry_agg.bench.model import payloads
from telemetry_agg.bench.model.answers import compare_answers
from telemetry_agg.bench.model.results import clean
from telemetry_agg.bench.model.stats import ratio
from telemetry_agg.bench.reporting import tables as report
from telemetry_agg.bench.reporting.progress import bars

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = ["MicroRow", "go_cli", "run_micro"]

BASELINE = "reference"


@dataclass
class MicroRow:
    size: int
    payload_bytes: int
    implementation: str  # "python:<aggregator>" or "go"
    runs: int
    min_ms: float
    median_ms: float
    vs_reference: float = float("nan")  # reference median / this median
    vs_go: float = float("nan")  # go median / this median (below 1: slower than Go)


def go_cli() -> Path:
    """The Go CLI for this machine, built (or rebuilt) from the Go sources on first use."""
    return toolchain.ensure_go(toolchain.cli_build())


def go_or_why_not(go: bool) -> bool:
    """Whether to measure Go: without a Go toolchain (and no build), say how to add it, go on."""
    if not go:
        return False
    try:
        go_cli()
    except ToolMissingError as exc:
        errors.print_error(f"measuring the Python aggregators only: {exc.message}", label="note")
        return False
    return True


def _python(name: str, document: bytes, repeat: int) -> tuple[list[float], dict[str, Any]]:
    from telemetry_agg.aggregators import get_aggregator  # noqa: PLC0415 - A's package

    agg = get_aggregator(name)
    answer = agg.summarize(document).to_dict()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        agg.summarize(document)
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return times, answer


def _go(cli: Path, path: Path, repeat: int) -> tuple[float, float, dict[str, Any]]:
    out = subprocess.run(
        [str(cli), "-repeat", str(repeat), str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if out.returncode != 0:
        raise BenchError(f"the Go CLI failed (exit {out.returncode}): {out.stderr.strip()[-500:]}")
    try:
        answer = json.loads(out.stdout)
        timing = json.loads(out.stderr.strip().splitlines()[-1])
        return timing["min_ns"] / 1e6, timing["median_ns"] / 1e6, answer
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise BenchError(
            f"the Go CLI printed something unexpected ({exc}): {out.stderr[-300:]}"
        ) from exc


def run_micro(
    sizes: list[int],
    repeat: int,
    aggregators: list[str],
    knobs: payloads.Knobs,
    *,
    go: bool = True,
    progress: Progress | None = None,
) -> list[MicroRow]:
    cli = go_cli() if go else None
    rows: list[MicroRow] = []
    task = (
        progress.add_task("micro", total=len(sizes) * (len(aggregators) + go)) if progress else None
    )
    with tempfile.TemporaryDirectory(prefix="telemetry-micro-") as tmp:
        for size in sizes:
            document = payloads.payload(size, knobs)
            answers: dict[str, dict[str, Any]] = {}
            here: list[MicroRow] = []
            for name in aggregators:
                times, answers[f"python:{name}"] = _python(name, document, repeat)
                here.append(
                    MicroRow(
                        size,
                        len(document),
                        f"python:{name}",
                        repeat,
                        min(times),
                        statistics.median(times),
                    )
                )
                if progress and task is not None:
                    progress.advance(task)
            if cli is not None:
                path = Path(tmp) / payloads.payload_name(size)
                path.write_bytes(document)
                mn, med, answers["go"] = _go(cli, path, repeat)
                here.append(MicroRow(size, len(document), "go", repeat, mn, med))
                if progress and task is not None:
                    progress.advance(task)
            first_name, first = next(iter(answers.items()))
            for other_name, other in answers.items():
                diff = compare_answers(first, other, (first_name, other_name))
                if diff:
                    raise BenchError(
                        f"{first_name} and {other_name} disagree on the {size:,}-event payload:\n"
                        + "\n".join(diff)
                    )
            base = next((r for r in here if r.implementation == f"python:{BASELINE}"), None)
            gorow = next((r for r in here if r.implementation == "go"), None)
            for r in here:
                r.vs_reference = ratio(base.median_ms, r.median_ms) if base else float("nan")
                r.vs_go = ratio(gorow.median_ms, r.median_ms) if gorow else float("nan")
            rows.extend(here)
    return rows


def grid(rows: list[MicroRow]) -> report.Grid:
    g = report.Grid(
        title="Aggregation alone, in process (ms per payload)",
        headers=["Events", "Payload", "Implementation", "Median", "Min", "vs reference", "vs Go"],
        caption=(
            "Median and min of the timed runs after one warm-up. vs reference = reference median "
            "/ this median (above 1: faster than the reference aggregator); vs Go = Go median / "
            "this median (below 1: slower than Go). Same machine, same run."
        ),
        right={0, 1, 3, 4, 5, 6},
    )
    for r in rows:
        g.rows.append(
            [
                f"{r.size:,}",
                report.fmt_bytes(r.payload_bytes),
                r.implementation,
                report.fmt_ms(r.median_ms),
                report.fmt_ms(r.min_ms),
                report.fmt_ratio(r.vs_reference),
                report.fmt_ratio(r.vs_go),
            ]
        )
    return g


def _check(aggregator: list[str] | None, repeat: int) -> list[str]:
    from telemetry_agg.aggregators import available_aggregators  # noqa: PLC0415

    installed = available_aggregators()
    names = list(dict.fromkeys(aggregator or installed))
    unknown = [n for n in names if n not in installed]
    if unknown:
        raise BenchError(
            f"unknown aggregator {', '.join(unknown)}; installed: {', '.join(installed)}"
        )
    if not 1 <= repeat <= 100_000:
        raise BenchError(f"--repeat must be 1 to 100000, not {repeat}")
    return names


def micro_main(
    *, sizes: str, repeat: int, aggregator: list[str] | None, go: bool, seed: int, as_json: bool
) -> None:
    """The `micro` command's work, once its options are parsed."""
    with errors.handled(usage=True):
        names = _check(aggregator, repeat)
        size_list = payloads.parse_sizes(sizes)
    with errors.handled():
        go = go_or_why_not(go)
    with errors.handled(), bars(errors.stderr_console(), elapsed=False) as progress:
        rows = run_micro(
            size_list, repeat, names, payloads.Knobs(seed=seed), go=go, progress=progress
        )
    if as_json:
        print(json.dumps(clean([asdict(r) for r in rows]), indent=1))
    else:
        report.print_grid(report.table_console(), grid(rows))
