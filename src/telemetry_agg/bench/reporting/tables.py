"""The tables of a bench run, as Rich tables for the terminal and as Markdown for results.md.

API (stable; engineer E's remote bench and `telemetry-bench report` use it too). Each table is
built once as a `Grid` (a title, a caption, headers and rows of strings) and rendered either way:

- `latency_grid(results)`: the original study's table (Events, Payload, Lane, Cold start,
  Avg, P50, P95, P99) plus Max, handler compute, the store's time (the stored workload's runs
  only), REPORT Duration, Peak RSS and errors.
- `pairs(results)`: every (lane, baseline) pair measured at a size: each lane against Go and
  against stock Python (`lanes.BASELINES`), each pair once.
- `speedups(results)`: the speed-up table's ratios as numbers, one dict per pair and size.
- `speedup_grid(results)`: lane / baseline per size and pair (above 1 means the baseline is
  faster): avg, p95, p99, cold start, handler compute.
- `cost_grid(results, memory_mb=None, price=None)`: an **estimate** from this run's durations
  through `telemetry_agg.bench.cost` (Billed Duration x memory x price + request fee, per million;
  and the study's method, average ms without the fee), with the monthly saving at 1M invocations.
  `memory_mb`/`price` default to the run's `options["memory"]` / `options["price"]`, then 512 MB
  and the arm64 us-east-1 price.
- `grids(results, ...)`: all three; `render(grid) -> rich.table.Table`; `fit(grid, width)`: the
  grid split by columns so that no number is ever cut at that width; `print_grid(console, grid)`
  and `print_report(console, results, ...)` print them so. Markdown: `reporting.markdown`.

Numbers: milliseconds with one decimal (two below 10), NaN ("not measured") as an en dash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.table import Table

from telemetry_agg.bench.model import cost
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model.stats import ratio

if TYPE_CHECKING:
    from rich.console import Console

    from telemetry_agg.bench.model.results import Results, SeriesSummary

    Pair = tuple[SeriesSummary, SeriesSummary]

__all__ = [
    "Grid",
    "cost_grid",
    "fmt_bytes",
    "fmt_ms",
    "grids",
    "latency_grid",
    "pairs",
    "print_grid",
    "print_report",
    "render",
    "speedup_grid",
    "speedups",
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
    keys: tuple[int, ...] = (0,)  # the columns that name a row, repeated when `fit` splits


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
        for lane in results.lanes():
            s = results.get(size, lane)
            if s is not None:
                out.append(s.summary())
    return out


def lane_label(s: SeriesSummary, *, aggregator: bool = False) -> str:
    """The lane's display name, with its aggregator when asked: "Go (scanner)", and inside a
    name's own parentheses, "Python (lean, msgspec)"."""
    name = lane_registry.display(s.lane)
    if not (aggregator and s.aggregator):
        return name
    if name.endswith(")"):
        return f"{name[:-1]}, {s.aggregator})"
    return f"{name} ({s.aggregator})"


def where(results: Results) -> str:
    """Where the run measured: the emulator here, AWS Lambda in a region, or the endpoints a
    remote run was pointed at (e.g. `telemetry-bench serve`)."""
    env = results.environment
    if results.source == "local":
        n = results.options.get("concurrency")
        at_once = f", {n} environment{'' if n == 1 else 's'} per lane at once" if n else ""
        return f"the local Runtime Interface Emulator on {env.cpu}, {env.cores} cores{at_once}"
    target = results.options.get("target")
    if target:
        return str(target)
    return f"AWS Lambda ({env.region})" if env.region else "AWS Lambda"


def latency_grid(results: Results) -> Grid:
    remote = results.source == "remote"
    summaries = _summaries(results)
    stored = any(not _bad(s.store_ms) for s in summaries)  # the stored workload's runs
    headers = ["Events", "Payload", "Lane", "Cold start", "Avg", "P50", "P95", "P99", "Max"]
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
            + f" Measured on {where(results)}."
            + (f" {results.environment.extra['python_lanes']}." if _python_lanes(results) else "")
        ),
        right={0, *range(3, len(headers))},
        keys=(0, 2),
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
                lane_label(s, aggregator=True),
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


def _python_lanes(results: Results) -> bool:
    return bool(results.environment.extra.get("python_lanes"))


def lane_pairs(lanes: list[str]) -> list[tuple[str, str]]:
    """(lane, baseline) for each lane against each baseline (Go, stock Python) it is not, each
    pair once: python against go, then every other lane against go and against python."""
    out: list[tuple[str, str]] = []
    for base in lane_registry.BASELINES:
        if base not in lanes:
            continue
        for lane in lanes:
            if lane != base and (base, lane) not in out:
                out.append((lane, base))
    return sorted(out, key=lambda p: (lanes.index(p[0]), lane_registry.BASELINES.index(p[1])))


def pairs(results: Results) -> list[Pair]:
    """Per size, every (lane, baseline) pair that both ran (`lane_pairs`)."""
    out = []
    for size in results.sizes():
        here = [lane for lane in results.lanes() if results.get(size, lane) is not None]
        for lane, base in lane_pairs(here):
            a, b = results.get(size, lane), results.get(size, base)
            if a is not None and b is not None:
                out.append((a.summary(), b.summary()))
    return out


SPEEDUP_KEYS = ("avg", "p95", "p99", "cold", "compute", "duration")
SPEEDUP_HEADERS = ("Avg", "P95", "P99", "Cold start", "Handler", "Duration")


def speedups(results: Results) -> list[dict[str, Any]]:
    """Per size and pair: lane / baseline for avg, p95, p99, cold start, handler compute and
    mean REPORT Duration (NaN: missing); above 1, the baseline is faster."""
    return [
        {
            "size": a.size,
            "lane": a.lane,
            "baseline": b.lane,
            "avg": ratio(a.warm.avg, b.warm.avg),
            "p95": ratio(a.warm.p95, b.warm.p95),
            "p99": ratio(a.warm.p99, b.warm.p99),
            "cold": ratio(a.cold_ms, b.cold_ms),
            "compute": ratio(a.compute_ms, b.compute_ms),
            "duration": ratio(a.duration_ms, b.duration_ms),
        }
        for a, b in pairs(results)
    ]


def speedup_grid(results: Results) -> Grid:
    grid = Grid(
        title="Speed-up of Go over Python, and of each lane's baselines (lane / baseline; "
        "above 1.00x: the baseline is faster)",
        headers=["Events", "Lane", "Versus", *SPEEDUP_HEADERS],
        caption="Ratios of the latency table's numbers, all measured in this run (Duration: "
        "the mean REPORT Duration, what Lambda bills).",
        right={0, *range(3, 9)},
        keys=(0, 1, 2),
    )
    for row in speedups(results):
        names = [lane_registry.display(row["lane"]), lane_registry.display(row["baseline"])]
        ratios = [fmt_ratio(row[k]) for k in SPEEDUP_KEYS]
        grid.rows.append([f"{int(row['size']):,}", *names, *ratios])
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
            "Lane",
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
        keys=(0, 1),
    )
    for size in results.sizes():
        go = results.get(size, lane_registry.GO.name)
        go_billed = _billed(go.summary()) if go is not None else NAN
        for lane in results.lanes():
            series = results.get(size, lane)
            if series is not None:
                grid.rows.append(_cost_row(series.summary(), go_billed, memory, p))
    return grid


def _cost_row(s: SeriesSummary, go_billed: float, memory: float, p: cost.Price) -> list[str]:
    billed = _billed(s)
    per_m = NAN if _bad(billed) else cost.cost_per_million(billed, memory, price=p)
    study = (
        NAN
        if _bad(s.warm.avg)
        else cost.monthly_cost(s.warm.avg, memory, 1_000_000, method="study", price=p)
    )
    saving = ""
    if s.lane != lane_registry.GO.name and not (_bad(billed) or _bad(go_billed)):
        saving = fmt_usd(cost.monthly_saving(billed, go_billed, memory, 1_000_000, price=p))
    return [f"{s.size:,}", lane_label(s), fmt_ms(billed), fmt_usd(per_m), fmt_usd(study), saving]


def grids(
    results: Results, memory_mb: float | None = None, price: float | None = None
) -> list[Grid]:
    """The latency table, and the speed-up and cost tables when two lanes ran a size."""
    out = [latency_grid(results)]
    if pairs(results):
        out += [speedup_grid(results), cost_grid(results, memory_mb, price)]
    return out


PIPED_WIDTH = 160  # the tables' width when the output is not a terminal


def table_console(*, stderr: bool = False) -> Console:
    """A console for the tables: the terminal's width, or 160 columns when not a terminal."""
    from rich.console import Console  # noqa: PLC0415

    console = Console(stderr=stderr)
    return console if console.is_terminal else Console(stderr=stderr, width=PIPED_WIDTH)


def _column_width(grid: Grid, col: int) -> int:
    """The narrowest a column can be with no cell cut: its longest value, its longest word."""
    cells = [row[col] for row in grid.rows if col < len(row)]
    longest_word = max((len(w) for w in grid.headers[col].split()), default=0)
    return max([longest_word, *(len(c) for c in cells)])


def _table_width(grid: Grid, cols: list[int]) -> int:
    return 1 + sum(_column_width(grid, c) + 3 for c in cols)  # padding 2 + a border each


def _sub_grid(grid: Grid, cols: list[int], part: str, *, last: bool) -> Grid:
    return Grid(
        title=grid.title + part,
        headers=[grid.headers[c] for c in cols],
        rows=[[row[c] for c in cols] for row in grid.rows],
        caption=grid.caption if last else "",
        right={i for i, c in enumerate(cols) if c in grid.right},
        keys=tuple(range(len([c for c in cols if c in grid.keys]))),
    )


def fit(grid: Grid, width: int) -> list[Grid]:
    """`grid`, or its columns split over stacked grids (each repeating the key columns) so that
    every one fits `width`: numbers are never cut, a narrow terminal gets fewer columns."""
    every = list(range(len(grid.headers)))
    if _table_width(grid, every) <= width:
        return [grid]
    keys = [c for c in every if c in grid.keys]
    chunks: list[list[int]] = []
    for col in (c for c in every if c not in grid.keys):
        if chunks and _table_width(grid, keys + chunks[-1] + [col]) <= width:
            chunks[-1].append(col)
        else:
            chunks.append([col])
    n = len(chunks)
    return [
        _sub_grid(grid, keys + chunk, f" ({i}/{n})", last=i == n)
        for i, chunk in enumerate(chunks, start=1)
    ]


def render(grid: Grid) -> Table:
    table = Table(title=grid.title, caption=grid.caption, caption_justify="left")
    for i, h in enumerate(grid.headers):
        cells = [row[i] for row in grid.rows if i < len(row)]
        if i in grid.right:  # a number: whole, on one line, never cut (its header may wrap)
            widest = max((len(c) for c in cells), default=0)
            table.add_column(h, justify="right", min_width=widest, overflow="fold")
        else:  # words wrap between them, never inside one
            widest = max((len(w) for c in cells for w in c.split()), default=0)
            table.add_column(h, justify="left", min_width=widest, overflow="fold")
    for row in grid.rows:
        table.add_row(*row)
    return table


def print_grid(console: Console, grid: Grid) -> None:
    """`grid` on `console`, split by `fit` to the console's width."""
    for part in fit(grid, console.width):
        console.print(render(part))
        console.print()


def print_report(
    console: Console,
    results: Results,
    memory_mb: float | None = None,
    price: float | None = None,
) -> None:
    for g in grids(results, memory_mb, price):
        print_grid(console, g)
    if not pairs(results):
        console.print("(no size ran in two lanes: no speed-up or cost table)")
