"""LatencySummary statistics for latency samples, by one documented method.

API (stable; engineer E's remote bench and `telemetry-bench report` use it too):

- `percentile(values, q) -> float`: the q-th percentile (0 <= q <= 100) by the **lower
  nearest-rank** method, the one the original study used for its p95 and the contract uses for
  `p95_duration_ms`: sort ascending, take the element at index ``floor(q / 100 x (n - 1))``
  computed in IEEE-754 double. It is always one of the samples (never interpolated), so a p99 of
  ten samples is the 9th-smallest one (index floor(0.99 x 9) = 8). An empty list raises
  `ValueError`.
- `summarize(values) -> LatencySummary`: count, min, avg (arithmetic mean), p50, p95, p99 and
  max, all by the method above; `LatencySummary.empty()` for no samples (count 0, every value NaN).
- `ratio(slow, fast) -> float`: ``slow / fast``, the speed-up of `fast` over `slow`
  (2.0 = twice as fast); NaN when either side is missing, zero or not finite.
- `median(values) -> float`: `percentile(values, 50)`, or NaN for no samples.

NaN means "not measured": `report.py` prints it as a dash and `results.py` writes it as JSON null.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["LatencySummary", "median", "percentile", "ratio", "summarize"]

NAN = float("nan")


def _finite(values: Iterable[float]) -> list[float]:
    return sorted(float(v) for v in values if v is not None and math.isfinite(v))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile, lower nearest rank: sorted[floor(q / 100 * (n - 1))].

    Non-finite values (NaN, "not measured") are left out first.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"a percentile is between 0 and 100, not {q!r}")
    ordered = _finite(values)
    if not ordered:
        raise ValueError("no samples: a percentile needs at least one finite value")
    index = math.floor(q / 100 * (len(ordered) - 1))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    ordered = _finite(values)
    return percentile(ordered, 50) if ordered else NAN


def ratio(slow: float | None, fast: float | None) -> float:
    """`slow / fast`: how many times faster `fast` is; NaN when it cannot be computed."""
    if slow is None or fast is None:
        return NAN
    if not (math.isfinite(slow) and math.isfinite(fast)) or fast <= 0 or slow < 0:
        return NAN
    return slow / fast


@dataclass(frozen=True, slots=True)
class LatencySummary:
    """LatencySummary of one set of samples (milliseconds, or whatever unit the samples carry)."""

    count: int
    min: float
    avg: float
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def empty(cls) -> LatencySummary:
        return cls(0, NAN, NAN, NAN, NAN, NAN, NAN)

    def as_dict(self) -> dict[str, float | int | None]:
        """JSON-ready: NaN becomes None."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


def summarize(values: Iterable[float]) -> LatencySummary:
    ordered = _finite(values)
    if not ordered:
        return LatencySummary.empty()
    return LatencySummary(
        count=len(ordered),
        min=ordered[0],
        avg=math.fsum(ordered) / len(ordered),
        p50=percentile(ordered, 50),
        p95=percentile(ordered, 95),
        p99=percentile(ordered, 99),
        max=ordered[-1],
    )
