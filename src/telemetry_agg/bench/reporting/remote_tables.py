"""The tables only a remote run has, built on the shared `report.Grid`: every request by
outcome, the monthly saving of each lane's baselines over it (`report.pairs`: Go over Python, ...)
at a volume the user gives (billed and study methods), and the memory sweep with the fastest and
the cheapest size marked.

`remote` prints and saves them; `report DIR...` renders them again from saved results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telemetry_agg.bench.model import cost
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.reporting import tables as report
from telemetry_agg.bench.reporting.option_tables import Starts, options_grid, starts_grid

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from telemetry_agg.bench.model import results as res

__all__ = [
    "SweepPoint",
    "errors_grid",
    "price_of",
    "remote_grids",
    "saving_grid",
    "sweep_grid",
    "sweep_points",
]


def errors_grid(results: res.Results) -> report.Grid:
    """Every request, by outcome, per size and lane: nothing hidden in an average."""
    grid = report.Grid(
        title="Requests by outcome",
        headers=["Events", "Lane", "Requests", "OK", "Timeout", "429", "5xx", "4xx", "Other"],
        caption=(
            "Every request sent (cold and warm). 429 and connection failures before any byte "
            "was sent were retried with backoff; these are the final outcomes. Latency figures "
            "use the OK ones only."
        ),
        right={0, 2, 3, 4, 5, 6, 7, 8},
        keys=(0, 1),
    )
    for s in results.series:
        kinds = [x.error for x in s.samples]
        five = sum(1 for k in kinds if k and k.startswith("http_5"))
        four = sum(1 for k in kinds if k and k.startswith("http_4") and k != "http_429")
        timeouts = kinds.count("timeout")
        throttles = kinds.count("throttle")
        ok = kinds.count(None)
        other = len(kinds) - ok - timeouts - throttles - five - four
        grid.rows.append(
            [
                f"{s.size:,}",
                lane_registry.display(s.lane),
                *(str(n) for n in (len(kinds), ok, timeouts, throttles, five, four, other)),
            ]
        )
    return grid


def _billed(summary: res.SeriesSummary) -> float:
    return summary.billed_ms if math.isfinite(summary.billed_ms) else math.nan


def price_of(results: res.Results) -> cost.Price:
    options = results.options
    region = str(results.environment.region or options.get("region") or "us-east-1")
    arch = str(options.get("architecture") or "arm64")
    try:
        return cost.price_for(region, arch)
    except cost.UnknownPriceError:
        gb_second = options.get("price")
        if gb_second is None:
            raise
        return cost.Price(region, arch, float(gb_second))


def saving_grid(results: res.Results) -> report.Grid:
    """The monthly saving of each baseline over each lane (`report.pairs`) at the run's
    `invocations`, both pricing methods."""
    volume = int(results.options.get("invocations") or 1_000_000)
    known = results.options.get("memory")
    memory = float(known or report.DEFAULT_MEMORY_MB)
    assumed = "" if known else " (assumed: the functions' memory was not read)"
    price = price_of(results)
    grid = report.Grid(
        title=f"Monthly saving of Go over Python at {volume:,} invocations, {memory:g} MB{assumed}",
        headers=[
            "Events",
            "Lane",
            "Versus",
            "Lane billed ms",
            "Versus billed ms",
            "Saving (billed + fee)",
            "Saving (study)",
        ],
        caption=(
            f"{price.architecture} in {price.region}: ${price.gb_second:.10f} per GB-second, "
            f"${price.request_per_million:.2f} per 1M requests. Billed = mean REPORT Billed "
            "Duration (the request fee is paid by both and cancels); study = mean client "
            "latency, no rounding, no fee, as the original study priced it. Every lane against "
            "its baselines (Go, stock Python); saving = what running Versus instead of Lane "
            "saves; negative: Lane is cheaper."
        ),
        right={0, 3, 4, 5, 6},
        keys=(0, 1, 2),
    )
    for a, b in report.pairs(results):
        grid.rows.append(_saving_row(a, b, memory, volume, price))
    return grid


def _saving_row(
    a: res.SeriesSummary, b: res.SeriesSummary, memory: float, volume: int, price: cost.Price
) -> list[str]:
    billed = study = math.nan
    if math.isfinite(_billed(a)) and math.isfinite(_billed(b)):
        billed = cost.monthly_saving(_billed(a), _billed(b), memory, volume, price=price)
    if math.isfinite(a.warm.avg) and math.isfinite(b.warm.avg):
        study = cost.monthly_saving(
            a.warm.avg, b.warm.avg, memory, volume, method="study", price=price
        )
    return [
        f"{a.size:,}",
        lane_registry.display(a.lane),
        lane_registry.display(b.lane),
        report.fmt_ms(_billed(a)),
        report.fmt_ms(_billed(b)),
        report.fmt_usd(billed),
        report.fmt_usd(study),
    ]


def remote_grids(results: res.Results, starts: Starts | None = None) -> list[report.Grid]:
    """The remote-only tables; `starts` (`option_tables.measured_starts` over several runs)
    completes the options' prices from other runs."""
    return [
        errors_grid(results),
        starts_grid(results),
        saving_grid(results),
        options_grid(results, starts=starts),
    ]


@dataclass(frozen=True)
class SweepPoint:
    memory_mb: int
    size: int
    lane: str
    avg_ms: float
    p95_ms: float
    billed_ms: float
    per_million: float
    errors: int
    language: str = ""  # the lane's, for readers of sweep.json written before lanes


def sweep_points(runs: Sequence[res.Results]) -> list[SweepPoint]:
    points = []
    for run in runs:
        memory = int(run.options.get("memory") or 0)
        price = price_of(run)
        for s in run.series:
            sm = s.summary()
            billed = _billed(sm)
            per_million = (
                cost.cost_per_million(billed, memory, price=price)
                if math.isfinite(billed) and memory
                else math.nan
            )
            points.append(
                SweepPoint(
                    memory,
                    s.size,
                    s.lane,
                    sm.warm.avg,
                    sm.warm.p95,
                    billed,
                    per_million,
                    sm.errors,
                    sm.language,
                )
            )
    return points


def sweep_grid(runs: Sequence[res.Results]) -> report.Grid:
    """Speed and cost per memory size, with the cheapest and the fastest per size and lane."""
    grid = report.Grid(
        title="Memory sweep: speed and cost per memory size",
        headers=["Events", "Lane", "Memory", "Avg", "P95", "Billed ms", "Per 1M", "Errors", ""],
        caption=(
            "Fastest = lowest mean client latency; cheapest = lowest cost per 1M (mean Billed "
            "Duration x memory x price + request fee), per payload size and lane."
        ),
        right={0, 2, 3, 4, 5, 6, 7},
        keys=(0, 1, 2),
    )
    points = sweep_points(runs)
    groups: dict[tuple[int, str], list[SweepPoint]] = {}
    for p in points:
        groups.setdefault((p.size, p.lane), []).append(p)
    order = {lane: i for i, lane in enumerate(lane_registry.names())}
    for (size, lang), group in sorted(
        groups.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 9))
    ):
        fastest = _best(group, lambda p: p.avg_ms)
        cheapest = _best(group, lambda p: p.per_million)
        for p in sorted(group, key=lambda p: p.memory_mb):
            marks = [m for m, best in (("fastest", fastest), ("cheapest", cheapest)) if best is p]
            grid.rows.append(
                [
                    f"{size:,}",
                    lane_registry.display(lang),
                    f"{p.memory_mb:,} MB",
                    report.fmt_ms(p.avg_ms),
                    report.fmt_ms(p.p95_ms),
                    report.fmt_ms(p.billed_ms),
                    report.fmt_usd(p.per_million),
                    str(p.errors),
                    ", ".join(marks),
                ]
            )
    return grid


def _best(points: list[SweepPoint], key: Callable[[SweepPoint], float]) -> SweepPoint | None:
    finite = [p for p in points if math.isfinite(key(p))]
    return min(finite, key=lambda p: (key(p), p.memory_mb)) if finite else None
