"""The tables of a bench run, as Rich tables for the terminal and as Markdown for results.md.

API (stable; engineer E's remote bench and `telemetry-bench report` use it too). Each table is
built once as a `Grid` (a title, a caption, headers and rows of strings) and rendered either way:

- `latency_grid(results)`: the original study's table (Events, Payload, Language, Cold start,
  Avg, P50, P95, P99) plus Max, handler compute, the store's time (stored workload only),
  REPORT Duration, Peak RSS and errors.
- `speedups(results)`: the speed-up table's ratios as numbers, one dict per size (for --json).
- `speedup_grid(results)`: Go over Python per size (Python / Go; above 1 means Go is faster):
  avg, p95, p99, cold start, handler compute.
- `cost_grid(results, memory_mb=None, price=None)`: an **estimate** from this run's durations
  through `telemetry_agg.bench.cost` (Billed Duration x memory x price + request fee, per million;
  and the study's method, average ms without the fee), with the monthly saving at 1M invocations.
  `memory_mb`/`price` default to the run's `options["memory"]` / `options["price"]`, then 512 MB
  and the arm64 us-east-1 price.
- `grids(results, ...)`: all three; `render(grid) -> rich.table.Table`; `to_markdown(grid) -> str`;
  `markdown(results) -> str`: the whole results.md (environment, options, tables);
  `print_report(console, results, ...)`: every table on a Rich console.

Numbers: milliseconds with one decimal (two below 10), NaN ("not measured") as an en dash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.table import Table

from telemetry_agg.bench.model import cost
from telemetry_agg.bench.model.stats import ratio

if TYPE_CHECKING:
    from rich.console import Console

    from telemetry_agg.bench.model.results import Results, SeriesSummary

__all__ = [
    "Grid",
    "cost_grid",
    "fmt_bytes",
    "fmt_ms",
    "grids",
    "latency_grid",
    "markdown",
    "print_report",
    "render",
    "speedup_grid",
    "speedups",
    "to_markdown",
]

DASH = "\u2013"
DEFAULT_MEMORY_MB = 512
NAN = float("nan")


@dataclass
class Grid:
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""
    right: set[int] = field(default_factory=set)  # right-aligned (numeric) columns


def _bad(x: float | None) -> bool:
    return x is None or not math.isfinite(x)


def fmt_ms(x: float | None) -> str:
    if x is None or _bad(x):
        return DASH
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


def fmt_ratio(x: float | None) -> str:
    return DASH if x is None or _bad(x) else f"{x:.2f}x"


def fmt_mb(x: float | None) -> str:
    return DASH if x is None or _bad(x) else f"{x:.1f} MB"


def fmt_usd(x: float | None) -> str:
    if x is None or _bad(x):
        return DASH
    return f"${x:,.4f}" if abs(x) < 1 else f"${x:,.2f}"


def fmt_bytes(n: int) -> str:
    if n <= 0:
        return DASH
    if n < 1000 * 1000:
        return f"{n / 1000:.0f} KB" if n >= 1000 else f"{n} B"
    return f"{n / 1_000_000:.1f} MB"


def _summaries(results: Results) -> list[SeriesSummary]:
    out = []
    for size in results.sizes():
        for lang in results.languages():
            s = results.get(size, lang)
            if s is not None:
                out.append(s.summary())
    return out


def _lang(name: str) -> str:
    return {"python": "Python", "go": "Go"}.get(name, name)


def _where(results: Results) -> str:
    env = results.environment
    where = "AWS Lambda" if results.source == "remote" else "the local Runtime Interface Emulator"
    region = f" ({env.region})" if env.region else ""
    return f"{where}{region} on {env.cpu}, {env.cores} cores"


def latency_grid(results: Results) -> Grid:
    remote = results.source == "remote"
    summaries = _summaries(results)
    stored = any(not _bad(s.store_ms) for s in summaries)  # the stored workload's runs
    headers = ["Events", "Payload", "Language", "Cold start", "Avg", "P50", "P95", "P99", "Max"]
    headers += ["Handler", *(["Store"] if stored else [])]
    headers += ["Duration", "Max Memory Used" if remote else "Peak RSS", "Errors"]
    grid = Grid(
        title="Latency (ms)",
        headers=headers,
        caption=(
            "Client latency of warm invocations; cold start = the first invocation of a fresh "
            "environment (median over the cold samples); Handler = the handler's own compute_ms "
            "(median), "
            + ("Store = the answer's store_ms, its PutItem (median), " if stored else "")
            + "Duration = REPORT Duration (mean). "
            + (
                "Max Memory Used from REPORT lines."
                if remote
                else "Peak RSS = VmHWM of the runtime process (the emulator's Max Memory Used is "
                "a placeholder and is not reported)."
            )
            + f" Measured on {_where(results)}."
        ),
        right={0, *range(3, len(headers))},
    )
    for s in summaries:
        w = s.warm
        errors = str(s.errors)
        if s.timeouts or s.throttles:
            errors += f" ({s.timeouts} timeouts, {s.throttles} throttles)"
        grid.rows.append(
            [
                f"{s.size:,}",
                fmt_bytes(s.payload_bytes),
                _lang(s.language) + (f" ({s.aggregator})" if s.aggregator else ""),
                fmt_ms(s.cold_ms),
                fmt_ms(w.avg),
                fmt_ms(w.p50),
                fmt_ms(w.p95),
                fmt_ms(w.p99),
                fmt_ms(w.max),
                fmt_ms(s.compute_ms),
                *([fmt_ms(s.store_ms)] if stored else []),
                fmt_ms(s.duration_ms),
                fmt_mb(s.max_memory_used_mb if remote else s.peak_rss_mb),
                errors,
            ]
        )
    return grid


def _pairs(results: Results) -> list[tuple[SeriesSummary, SeriesSummary]]:
    out = []
    for size in results.sizes():
        py, go = results.get(size, "python"), results.get(size, "go")
        if py is not None and go is not None:
            out.append((py.summary(), go.summary()))
    return out


SPEEDUP_KEYS = ("avg", "p95", "p99", "cold", "compute")


def speedups(results: Results) -> list[dict[str, float]]:
    """Per size: Python / Go for avg, p95, p99, cold start and handler compute (NaN: missing)."""
    return [
        {
            "size": py.size,
            "avg": ratio(py.warm.avg, go.warm.avg),
            "p95": ratio(py.warm.p95, go.warm.p95),
            "p99": ratio(py.warm.p99, go.warm.p99),
            "cold": ratio(py.cold_ms, go.cold_ms),
            "compute": ratio(py.compute_ms, go.compute_ms),
        }
        for py, go in _pairs(results)
    ]


def speedup_grid(results: Results) -> Grid:
    grid = Grid(
        title="Speed-up of Go over Python (Python / Go; above 1.00x: Go is faster)",
        headers=["Events", "Avg", "P95", "P99", "Cold start", "Handler compute"],
        caption="Ratios of the latency table's numbers, both measured in this run.",
        right={0, 1, 2, 3, 4, 5},
    )
    for row in speedups(results):
        grid.rows.append([f"{int(row['size']):,}", *(fmt_ratio(row[k]) for k in SPEEDUP_KEYS)])
    return grid


def _billed(s: SeriesSummary) -> float:
    """Mean Billed Duration; from the mean REPORT Duration or the client avg if there was none."""
    if not _bad(s.billed_ms):
        return s.billed_ms
    if not _bad(s.duration_ms):
        return float(cost.billed_duration_ms(s.duration_ms))
    return NAN


def cost_grid(results: Results, memory_mb: float | None = None, price: float | None = None) -> Grid:
    memory = float(memory_mb or results.options.get("memory") or DEFAULT_MEMORY_MB)
    gb_second = price if price is not None else results.options.get("price")
    p = cost.price_for("us-east-1", "arm64")
    if gb_second is not None:
        p = cost.Price("custom", "arm64", float(gb_second))
    estimate = (
        "An ESTIMATE from this machine's CPU, not an AWS bill: Lambda's arm64 CPUs are slower or "
        "faster than this one. "
        if results.source == "local"
        else ""
    )
    grid = Grid(
        title=f"Estimated cost at {memory:g} MB, ${p.gb_second:.10f} per GB-second",
        headers=[
            "Events",
            "Language",
            "Billed ms (mean)",
            "Per 1M (billed + fee)",
            "Per 1M (study: avg ms, no fee)",
            "Go saves per 1M",
        ],
        caption=(
            estimate
            + "Billed = mean REPORT Billed Duration x memory x price + "
            + f"${p.request_per_million:.2f} per 1M requests; study = average client ms x memory "
            "x price, as the original study priced it. Saving: the billed method."
        ),
        right={0, 2, 3, 4, 5},
    )
    for py, go in _pairs(results):
        saving = NAN
        if not (_bad(_billed(py)) or _bad(_billed(go))):
            saving = cost.monthly_saving(_billed(py), _billed(go), memory, 1_000_000, price=p)
        for s in (py, go):
            billed = _billed(s)
            per_m = NAN if _bad(billed) else cost.cost_per_million(billed, memory, price=p)
            study = (
                NAN
                if _bad(s.warm.avg)
                else cost.monthly_cost(s.warm.avg, memory, 1_000_000, method="study", price=p)
            )
            grid.rows.append(
                [
                    f"{s.size:,}",
                    _lang(s.language),
                    fmt_ms(billed),
                    fmt_usd(per_m),
                    fmt_usd(study),
                    fmt_usd(saving) if s.language == "python" else "",
                ]
            )
    return grid


def grids(
    results: Results, memory_mb: float | None = None, price: float | None = None
) -> list[Grid]:
    """The latency table, and the speed-up and cost tables when both languages ran a size."""
    out = [latency_grid(results)]
    if _pairs(results):
        out += [speedup_grid(results), cost_grid(results, memory_mb, price)]
    return out


def render(grid: Grid) -> Table:
    table = Table(title=grid.title, caption=grid.caption, caption_justify="left")
    for i, h in enumerate(grid.headers):
        table.add_column(h, justify="right" if i in grid.right else "left")
    for row in grid.rows:
        table.add_row(*row)
    return table


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(grid: Grid) -> str:
    lines = [f"### {grid.title}", ""]
    lines.append("| " + " | ".join(_md_cell(h) for h in grid.headers) + " |")
    lines.append(
        "|" + "|".join("---:" if i in grid.right else "---" for i in range(len(grid.headers))) + "|"
    )
    lines.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in grid.rows)
    if grid.caption:
        lines += ["", grid.caption]
    return "\n".join(lines) + "\n"


def _options_text(options: dict[str, Any]) -> str:
    return ", ".join(f"`{k}={v}`" for k, v in options.items())


def markdown(results: Results) -> str:
    env = results.environment
    parts = [
        f"# telemetry-bench {results.source} results",
        "",
        f"- Run: {results.started_at} to {results.finished_at or DASH}"
        + ("" if results.complete else f" (**incomplete**: {results.failure or 'stopped early'})"),
        f"- Machine: {env.cpu}, {env.cores} cores, {env.machine}, {env.os}",
        f"- Python {env.python}; Go: {env.go or DASH}; emulator: {env.emulator or DASH}"
        + (f"; region: {env.region}" if env.region else ""),
        f"- Options: {_options_text(results.options) or DASH}",
        *(
            [f"- Table check: {_options_text(results.store_check)}"]
            if results.store_check is not None
            else []
        ),
        "",
    ]
    parts.extend(to_markdown(g) for g in grids(results))
    return "\n".join(parts)


def print_report(
    console: Console,
    results: Results,
    memory_mb: float | None = None,
    price: float | None = None,
) -> None:
    for g in grids(results, memory_mb, price):
        console.print(render(g))
        console.print()
    if not _pairs(results):
        console.print("(no size ran in both languages: no speed-up or cost table)")
