"""The cold-start options priced per lane and size: a month of on-demand, SnapStart and
provisioned concurrency, from what a remote run measured, by the cost model (`model/cost.py`:
`monthly_options`, `break_even_invocations`; no price is derived here).

The inputs per lane and size, all from REPORT lines: the mean warm Billed Duration, the median
Init Duration of the on-demand cold starts, the median Billed Restore Duration of the SnapStart
restores; the traffic from the run's options: `invocations` a month (`--invocations`) and the
share of them that need a new environment (`--cold-share`); N, the provisioned concurrency the
lane was deployed with (1 when it had none: the smallest there is, marked as not deployed).

An option whose input was not measured in the runs given (no on-demand cold start, no restore)
is shown as a dash rather than guessed: `report` fills it from another run of the same lane,
size and memory when several are given (`measured_starts`), e.g. one deployed without options
and one with `--snapstart`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.model import cost
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model.stats import median
from telemetry_agg.bench.reporting import tables as report

if TYPE_CHECKING:
    from collections.abc import Sequence

    from telemetry_agg.bench.model import results as res

DEFAULT_COLD_SHARE = 0.01
NEVER = "never"
DASH = report.DASH

__all__ = [
    "DEFAULT_COLD_SHARE",
    "LaneOptions",
    "StartTimes",
    "Starts",
    "measured_starts",
    "options_grid",
    "options_row",
]


@dataclass(frozen=True)
class StartTimes:
    """Median Init Duration (on-demand cold) and Billed Restore Duration (restored), in ms;
    NaN where the run had none."""

    init_ms: float = math.nan
    restore_ms: float = math.nan

    def merged(self, other: StartTimes) -> StartTimes:
        """This one's measurements, completed from `other` where this one has none."""
        return StartTimes(
            self.init_ms if math.isfinite(self.init_ms) else other.init_ms,
            self.restore_ms if math.isfinite(self.restore_ms) else other.restore_ms,
        )


@dataclass(frozen=True)
class LaneOptions:
    """How a lane was deployed: its runtime and its cold-start option."""

    runtime: str
    snapstart: bool = False
    provisioned_concurrency: int = 0

    @classmethod
    def of(cls, results: res.Results, lane: str) -> LaneOptions:
        deployed = (results.options.get("deployment") or {}).get(lane) or {}
        runtime = str(deployed.get("runtime") or lane_registry.get(lane).runtime)
        return cls(
            runtime,
            bool(deployed.get("snapstart")),
            int(deployed.get("provisioned_concurrency") or 0),
        )


def _starts(series: res.Series) -> StartTimes:
    good = [s for s in series.samples if s.ok]
    init = [s.init_ms for s in good if s.init_ms is not None and s.restore_ms is None]
    restore = [s.billed_restore_ms for s in good if s.billed_restore_ms is not None]
    return StartTimes(median(init), median(restore))


Starts = dict[tuple[str, int, Any], StartTimes]  # (lane, size, memory) -> its start times


def measured_starts(runs: Sequence[res.Results]) -> Starts:
    """Start times by (lane, size, memory) over every run given, the first measurement kept."""
    found: dict[tuple[str, int, Any], StartTimes] = {}
    for run in runs:
        memory = run.options.get("memory")
        for series in run.series:
            key = (series.lane, series.size, memory)
            found[key] = found.get(key, StartTimes()).merged(_starts(series))
    return found


def _break_even(
    usage: cost.Usage, option: cost.Option, n: int, price: cost.Price, prices: cost.OptionPrices
) -> str:
    volume = cost.break_even_invocations(
        usage, option, provisioned_concurrency=n, price=price, options=prices
    )
    return NEVER if volume is None else f"{volume / 1e6:,.1f}M"


def options_row(
    summary: res.SeriesSummary,
    starts: StartTimes,
    *,
    deployed: LaneOptions,
    usage: cost.Usage,
    price: cost.Price,
    prices: cost.OptionPrices,
) -> list[str]:
    """One lane and size: each option's month, and the traffic from which it pays.

    `usage` carries memory, duration, invocations and cold share; its INIT and restore times
    are set here from `starts` for the option that needs each (a dash when not measured).
    """
    n = max(deployed.provisioned_concurrency, 1)
    cold = usage.cold_share > 0
    has_init = math.isfinite(starts.init_ms) or not cold
    has_restore = math.isfinite(starts.restore_ms) or not cold
    timed = replace(
        usage,
        init_ms=starts.init_ms if cold and has_init else 0.0,
        restore_ms=starts.restore_ms if cold and has_restore else 0.0,
    )
    supported = cost.snapstart_supported(deployed.runtime)
    with_init = replace(timed, restore_ms=0.0)
    on_demand = cost.on_demand_monthly(with_init, price).total if has_init else math.nan
    provisioned = (
        cost.provisioned_monthly(with_init, n, price, prices).total if has_init else math.nan
    )
    pays_prov = _break_even(with_init, "provisioned", n, price, prices) if has_init else DASH
    snapstart, pays_snap = math.nan, "n/a"
    if supported:
        if has_restore:
            snapstart = cost.snapstart_monthly(replace(timed, init_ms=0.0), price, prices).total
        both = has_init and has_restore
        pays_snap = _break_even(timed, "snapstart", n, price, prices) if both else DASH
    return [
        f"{summary.size:,}",
        lane_registry.display(summary.lane),
        report.fmt_ms(usage.duration_ms),
        report.fmt_ms(starts.init_ms),
        report.fmt_ms(starts.restore_ms),
        report.fmt_usd(on_demand),
        report.fmt_usd(snapstart) if supported else "n/a",
        f"{report.fmt_usd(provisioned)} (N={n}{'' if deployed.provisioned_concurrency else '*'})",
        pays_snap,
        pays_prov,
    ]


def options_grid(
    results: res.Results,
    *,
    starts: Starts | None = None,
    invocations: int | None = None,
    cold_share: float | None = None,
) -> report.Grid:
    """The monthly cost of each cold-start option, per lane and size, for one run.

    `starts` (from `measured_starts` over several runs) fills what this run did not measure;
    `invocations` and `cold_share` override what the run recorded.
    """
    from telemetry_agg.bench.reporting.remote_tables import price_of  # noqa: PLC0415 - a cycle

    volume = int(invocations or results.options.get("invocations") or 1_000_000)
    recorded = results.options.get("cold_share", DEFAULT_COLD_SHARE)
    share = float(cold_share if cold_share is not None else recorded)
    memory = float(results.options.get("memory") or report.DEFAULT_MEMORY_MB)
    price = price_of(results)
    try:
        prices = cost.option_prices_for(price.region, price.architecture)
    except cost.UnknownPriceError:
        return report.Grid(
            title="Cold-start options: not priced",
            headers=["Events", "Lane"],
            caption=(
                f"The cost model has no SnapStart or provisioned concurrency prices for "
                f"{price.architecture} in {price.region} (only for the regions it prices "
                "on-demand at the standard rate); pass `options=` to model/cost.py in code."
            ),
        )
    own = measured_starts([results])
    grid = report.Grid(
        title=(
            f"Cold-start options: a month at {volume:,} invocations, {share:.2%} of them "
            f"needing a new environment, {memory:g} MB"
        ),
        headers=[
            "Events",
            "Lane",
            "Billed ms",
            "Init ms",
            "Restore ms",
            "On-demand",
            "SnapStart",
            "Provisioned",
            "SnapStart pays from",
            "Provisioned pays from",
        ],
        caption=(
            f"The cost model (model/cost.py) at {price.architecture} {price.region} prices; "
            f"{cost.HOURS_PER_MONTH} hours a month. Billed ms = mean warm REPORT Billed Duration; "
            "Init ms = median Init Duration of on-demand cold starts; Restore ms = median Billed "
            "Restore Duration of SnapStart restores (a dash: not measured, and the option that "
            "needs it is not priced). Provisioned = N environments around the clock at the "
            "provisioned price, the traffic beyond them on demand (steady traffic: its best "
            "case); N is the deployed one (* not deployed with it: N=1). Pays from = monthly "
            "invocations from which the option costs less than on-demand; never: not at any "
            "volume it can serve; n/a: the runtime has no SnapStart."
        ),
        right={0, 2, 3, 4, 5, 6, 7, 8, 9},
        keys=(0, 1),
    )
    for series in results.series:
        summary = series.summary()
        if not math.isfinite(summary.billed_ms):
            continue
        key = (series.lane, series.size, results.options.get("memory"))
        mine = own.get(key, StartTimes())
        if starts is not None:
            mine = mine.merged(starts.get(key, StartTimes()))
        usage = cost.Usage(memory, summary.billed_ms, volume, share)
        deployed = LaneOptions.of(results, series.lane)
        grid.rows.append(
            options_row(summary, mine, deployed=deployed, usage=usage, price=price, prices=prices)
        )
    return grid


def _option_name(deployed: LaneOptions) -> str:
    if deployed.snapstart:
        return "SnapStart"
    if deployed.provisioned_concurrency:
        return f"provisioned N={deployed.provisioned_concurrency}"
    return "on-demand"


def starts_grid(results: res.Results) -> report.Grid:
    """Every request with a REPORT line, per lane and size, by the kind of start it had."""
    grid = report.Grid(
        title="Starts by kind (REPORT lines)",
        headers=[
            "Events",
            "Lane",
            "Deployed",
            "On-demand cold",
            "Init ms",
            "Restored",
            "Restore ms",
            "Billed restore ms",
            "Warm or provisioned",
            "Failed",
            "No REPORT",
        ],
        caption=(
            "On-demand cold: REPORT with Init Duration; restored: with Restore Duration "
            "(SnapStart; its INIT ran when the version was published); warm or provisioned: "
            "neither. Medians of the good answers. Failed: REPORT with a Status other than "
            "success (the errors are listed under the tables)."
        ),
        right={0, 3, 4, 5, 6, 7, 8, 9, 10},
        keys=(0, 1),
    )
    for series in results.series:
        seen = [s for s in series.samples if s.duration_ms is not None]
        restored = [s for s in seen if s.restore_ms is not None]
        on_demand = [s for s in seen if s.init_ms is not None and s.restore_ms is None]
        good_restored = [s for s in restored if s.ok]
        grid.rows.append(
            [
                f"{series.size:,}",
                lane_registry.display(series.lane),
                _option_name(LaneOptions.of(results, series.lane)),
                str(len(on_demand)),
                report.fmt_ms(median([s.init_ms for s in on_demand if s.ok and s.init_ms])),
                str(len(restored)),
                report.fmt_ms(median([s.restore_ms for s in good_restored if s.restore_ms])),
                report.fmt_ms(
                    median([s.billed_restore_ms for s in good_restored if s.billed_restore_ms])
                ),
                str(len(seen) - len(restored) - len(on_demand)),
                str(sum(1 for s in seen if s.report_error)),
                str(len(series.samples) - len(seen)),
            ]
        )
    return grid
