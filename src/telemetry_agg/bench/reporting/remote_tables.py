"""The tables only a remote run has, built on the shared `report.Grid`: every request by
outcome, the monthly saving of Go over Python at a volume the user gives (billed and study
methods), and the memory sweep with the fastest and the cheapest size marked.

`remote` prints and saves them; `report DIR...` renders them again from saved results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telemetry_agg.bench.model import cost
from telemetry_agg.bench.reporting import tables as report

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from telemetry_agg.bench.model import results as res

__all__ = [
    "LANGUAGES",
    "SweepPoint",
    "errors_grid",
    "lang_name",
    "price_of",
    "remote_grids",
    "saving_grid",
    "sweep_grid",
    "sweep_points",
]

LANGUAGES = ("python", "go")


def lang_name(name: str) -> str:
    return {"python": "Python", "go": "Go"}.get(name, name)


def errors_grid(results: res.Results) -> report.Grid:
    """Every request, by outcome, per size and language: nothing hidden in an average."""
    grid = report.Grid(
        title="Requests by outcome",
        headers=["Events", "Language", "Requests", "OK", "Timeout", "429", "5xx", "4xx", "Other"],
        caption=(
            "Every request sent (cold and warm). 429 and connection failures before any byte "
            "was sent were retried with backoff; these are the final outcomes. Latency figures "
            "use the OK ones only."
        ),
        right={0, 2, 3, 4, 5, 6, 7, 8},
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
                lang_name(s.language),
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
    """The monthly saving of Go over Python at the run's `invocations`, both pricing methods."""
    volume = int(results.options.get("invocations") or 1_000_000)
    known = results.options.get("memory")
    memory = float(known or report.DEFAULT_MEMORY_MB)
    assumed = "" if known else " (assumed: the functions' memory was not read)"
    price = price_of(results)
    grid = report.Grid(
        title=f"Monthly saving of Go over Python at {volume:,} invocations, {memory:g} MB{assumed}",
        headers=[
            "Events",
            "Python billed ms",
            "Go billed ms",
            "Saving (billed + fee)",
            "Saving (study)",
        ],
        caption=(
            f"{price.architecture} in {price.region}: ${price.gb_second:.10f} per GB-second, "
            f"${price.request_per_million:.2f} per 1M requests. Billed = mean REPORT Billed "
            "Duration (the request fee is paid by both and cancels); study = mean client "
            "latency, no rounding, no fee, as the original study priced it. Negative: Python "
            "is cheaper."
        ),
        right={0, 1, 2, 3, 4},
    )
    for size in results.sizes():
        py, go = results.get(size, "python"), results.get(size, "go")
        if py is None or go is None:
            continue
        p, g = py.summary(), go.summary()
        billed = math.nan
        if math.isfinite(_billed(p)) and math.isfinite(_billed(g)):
            billed = cost.monthly_saving(_billed(p), _billed(g), memory, volume, price=price)
        study = math.nan
        if math.isfinite(p.warm.avg) and math.isfinite(g.warm.avg):
            study = cost.monthly_saving(
                p.warm.avg, g.warm.avg, memory, volume, method="study", price=price
            )
        grid.rows.append(
            [
                f"{size:,}",
                report.fmt_ms(_billed(p)),
                report.fmt_ms(_billed(g)),
                report.fmt_usd(billed),
                report.fmt_usd(study),
            ]
        )
    return grid


def remote_grids(results: res.Results) -> list[report.Grid]:
    return [errors_grid(results), saving_grid(results)]


@dataclass(frozen=True)
class SweepPoint:
    memory_mb: int
    size: int
    language: str
    avg_ms: float
    p95_ms: float
    billed_ms: float
    per_million: float
    errors: int


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
                    s.language,
                    sm.warm.avg,
                    sm.warm.p95,
                    billed,
                    per_million,
                    sm.errors,
                )
            )
    return points


def sweep_grid(runs: Sequence[res.Results]) -> report.Grid:
    """Speed and cost per memory size, with the cheapest and the fastest per size and language."""
    grid = report.Grid(
        title="Memory sweep: speed and cost per memory size",
        headers=["Events", "Language", "Memory", "Avg", "P95", "Billed ms", "Per 1M", "Errors", ""],
        caption=(
            "Fastest = lowest mean client latency; cheapest = lowest cost per 1M (mean Billed "
            "Duration x memory x price + request fee), per payload size and language."
        ),
        right={0, 2, 3, 4, 5, 6, 7},
    )
    points = sweep_points(runs)
    groups: dict[tuple[int, str], list[SweepPoint]] = {}
    for p in points:
        groups.setdefault((p.size, p.language), []).append(p)
    order = {lang: i for i, lang in enumerate(LANGUAGES)}
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
                    lang_name(lang),
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
