"""The machine-readable summaries (`--json`) of local, remote and report, from one series row.

Every number is finite or null (`results.clean`): JSON has no NaN.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.reporting.tables import speedups

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


def series_row(s: res.Series) -> dict[str, Any]:
    """One series: what the tables show, as numbers."""
    sm = s.summary()
    row: dict[str, Any] = res.clean(
        {
            "size": sm.size,
            "payload_bytes": sm.payload_bytes,
            "lane": sm.lane,
            "language": sm.language,
            "aggregator": sm.aggregator,
            "requests": len(s.samples),
            "errors": sm.errors,
            "timeouts": sm.timeouts,
            "throttles": sm.throttles,
            "cold_ms": sm.cold_ms,
            "init_ms": sm.init_ms,
            "warm": sm.warm.as_dict(),
            "parse_ms": sm.parse_ms,
            "compute_ms": sm.compute_ms,
            "store_ms": sm.store_ms,
            "duration_ms": sm.duration_ms,
            "billed_ms": sm.billed_ms,
            "peak_rss_mb": sm.peak_rss_mb,
            "max_memory_used_mb": sm.max_memory_used_mb,
        }
    )
    return row


def run_summary(results: res.Results, files: Iterable[Path] = ()) -> dict[str, Any]:
    """One run: where, when, with which options, every series and every speed-up."""
    out: dict[str, Any] = res.clean(
        {
            "source": results.source,
            "complete": results.complete,
            "failure": results.failure,
            "memory": results.options.get("memory"),
            "environment": asdict(results.environment),
            "options": results.options,
            **({"store_check": results.store_check} if results.store_check is not None else {}),
            "summary": [series_row(s) for s in results.series],
            "speedup": speedups(results),
            "files": [str(p) for p in files],
        }
    )
    return out
