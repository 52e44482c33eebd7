"""latency.png: client latency by payload size for every lane (matplotlib, Agg backend).

API (stable; the remote bench and `telemetry-bench report` use it too):
`latency_chart(results, path) -> Path | None` draws, per lane, the warm p50 as a line with
a band from p50 to p95, p99 as a dotted line, and the cold start (median) as markers, on a log-log
scale of events vs milliseconds; returns None when there is nothing to draw (no good samples).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import matplotlib as mpl

mpl.use("Agg")  # no display: files only; must come before pyplot
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, NullFormatter

from telemetry_agg.bench.model import lanes

if TYPE_CHECKING:
    from pathlib import Path

    from telemetry_agg.bench.model.results import Results

__all__ = ["latency_chart"]

# Colour-blind safe (Okabe-Ito), one per lane in registry order (Python, Go, then the others).
PALETTE = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")


def colour(lane: str) -> str:
    order = lanes.names()
    return PALETTE[order.index(lane) % len(PALETTE)] if lane in order else "#888888"


def _ok(x: float) -> bool:
    return math.isfinite(x) and x > 0


def _minor_label(value: float, _pos: int | None) -> str:
    """Label the 2s and 5s between the powers of ten, leave the rest bare."""
    if value <= 0:
        return ""
    lead = round(value / 10 ** math.floor(math.log10(value)), 6)
    return f"{value:g}" if lead in (2, 5) else ""


def latency_chart(results: Results, path: Path) -> Path | None:
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    drawn = False
    try:
        for lane in results.lanes():
            rows = [s.summary() for s in sorted(results.series, key=lambda s: s.size)]
            rows = [r for r in rows if r.lane == lane]
            tint = colour(lane)
            name = lanes.display(lane)
            warm = [r for r in rows if _ok(r.warm.p50)]
            if warm:
                xs = [r.size for r in warm]
                ax.plot(xs, [r.warm.p50 for r in warm], "-o", color=tint, label=f"{name} p50")
                ax.fill_between(
                    xs,
                    [r.warm.p50 for r in warm],
                    [r.warm.p95 for r in warm],
                    color=tint,
                    alpha=0.2,
                    label=f"{name} p50 to p95",
                )
                ax.plot(xs, [r.warm.p99 for r in warm], ":", color=tint, label=f"{name} p99")
                drawn = True
            cold = [r for r in rows if _ok(r.cold_ms)]
            if cold:
                ax.plot(
                    [r.size for r in cold],
                    [r.cold_ms for r in cold],
                    "^",
                    color=tint,
                    markersize=8,
                    linestyle="none",
                    label=f"{name} cold start",
                )
                drawn = True
        if not drawn:
            return None
        ax.set_xscale("log")
        ax.set_yscale("log")
        sizes = results.sizes()
        ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.yaxis.set_minor_formatter(FuncFormatter(_minor_label))
        ax.set_xlabel("events per request")
        ax.set_ylabel("client latency (ms)")
        where = "AWS Lambda" if results.source == "remote" else "local Runtime Interface Emulator"
        ax.set_title(f"Latency by payload size ({where})")
        ax.grid(visible=True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
        env = results.environment
        fig.text(0.01, 0.01, f"{env.cpu}, {env.cores} cores", fontsize=7, color="#666666")
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, metadata={"Software": "telemetry-bench"})
        return path
    finally:
        plt.close(fig)
