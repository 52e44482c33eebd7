"""The Lambda cost model: what one invocation, a million, and a month of them cost.

Lambda bills two things: a fee per request and duration x memory (GB-seconds), at a price that
depends on the region and the architecture. Duration is billed in 1 ms increments, rounded up
(`billed_duration_ms`); on AWS the REPORT line's `Billed Duration` is that number already.

Two ways to price a saving, both kept because the tables show both:

- ``"study"``: the original study's formula. Average milliseconds as measured, no rounding, no
  request fee: ``(python_ms - go_ms) / 1000 x GB x price x invocations``.
- ``"billed"`` (ours): Billed Duration (whole milliseconds as Lambda bills them, or the mean of
  them) x memory x price, plus the request fee. The fee is the same for both languages, so it
  cancels in a saving; it does not cancel in a cost per million, which is why ours shows it.

Prices are the first usage tier (the first 6 billion x86 / 7.5 billion arm64 GB-seconds a month
per region and account); the free tier is ignored. Pass ``price=`` for anything else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from telemetry_agg.bench.errors import BenchError

Architecture = Literal["arm64", "x86_64"]
Method = Literal["study", "billed"]

ARCHITECTURES: tuple[Architecture, ...] = ("arm64", "x86_64")
METHODS: tuple[Method, ...] = ("study", "billed")

# US dollars per GB-second, first tier. These regions all charge the standard rate.
_STANDARD_GB_SECOND: dict[Architecture, float] = {
    "x86_64": 0.0000166667,
    "arm64": 0.0000133334,
}
_STANDARD_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-south-1",
)
REQUEST_FEE_PER_MILLION = 0.20  # US dollars per 1M requests, in every region above

MB_PER_GB = 1024  # Lambda's GB-second: 512 MB is 0.5 GB
MS_PER_SECOND = 1000


class UnknownPriceError(BenchError, ValueError):
    """No built-in price for this region or architecture: pass one explicitly."""


@dataclass(frozen=True)
class Price:
    """What Lambda charges in one region for one architecture, in US dollars."""

    region: str
    architecture: str
    gb_second: float
    request_per_million: float = REQUEST_FEE_PER_MILLION

    @property
    def request(self) -> float:
        return self.request_per_million / 1_000_000


PRICES: dict[tuple[str, str], Price] = {
    (region, arch): Price(region, arch, gb_second)
    for region in _STANDARD_REGIONS
    for arch, gb_second in _STANDARD_GB_SECOND.items()
}


def known_regions() -> list[str]:
    return sorted({region for region, _ in PRICES})


def price_for(region: str = "us-east-1", arch: str = "arm64") -> Price:
    """The built-in price for `region` and `arch`; `UnknownPriceError` says what to do if none."""
    if arch not in ARCHITECTURES:
        raise UnknownPriceError(
            f"unknown architecture {arch!r}: Lambda runs {' or '.join(ARCHITECTURES)}"
        )
    price = PRICES.get((region, arch))
    if price is None:
        raise UnknownPriceError(
            f"no built-in Lambda price for region {region!r}; known regions: "
            f"{', '.join(known_regions())}. Pass the price per GB-second for {region} explicitly "
            "(see the Lambda pricing page for that region)."
        )
    return price


def billed_duration_ms(duration_ms: float) -> int:
    """Lambda's Billed Duration for a measured duration: rounded up to a whole ms, at least 1."""
    if not math.isfinite(duration_ms) or duration_ms < 0:
        raise ValueError(f"a duration must be a finite number of ms >= 0, not {duration_ms!r}")
    return max(1, math.ceil(duration_ms))


def gb_seconds(ms: float, memory_mb: float) -> float:
    if memory_mb <= 0 or not math.isfinite(memory_mb):
        raise ValueError(f"memory must be a positive number of MB, not {memory_mb!r}")
    if ms < 0 or not math.isfinite(ms):
        raise ValueError(f"a duration must be a finite number of ms >= 0, not {ms!r}")
    return (ms / MS_PER_SECOND) * (memory_mb / MB_PER_GB)


def invocation_cost(
    billed_ms: float,
    memory_mb: float,
    *,
    arch: str = "arm64",
    region: str = "us-east-1",
    include_request_fee: bool = True,
    price: Price | None = None,
) -> float:
    """US dollars for one invocation billed `billed_ms` at `memory_mb`.

    `billed_ms` is used as given (a REPORT line's Billed Duration, or a mean of them); round a
    raw duration with `billed_duration_ms` first.
    """
    p = price if price is not None else price_for(region, arch)
    cost = gb_seconds(billed_ms, memory_mb) * p.gb_second
    if include_request_fee:
        cost += p.request
    return cost


def cost_per_million(
    billed_ms: float,
    memory_mb: float,
    *,
    arch: str = "arm64",
    region: str = "us-east-1",
    include_request_fee: bool = True,
    price: Price | None = None,
) -> float:
    """US dollars for 1,000,000 invocations like this one."""
    return 1_000_000 * invocation_cost(
        billed_ms,
        memory_mb,
        arch=arch,
        region=region,
        include_request_fee=include_request_fee,
        price=price,
    )


def monthly_cost(
    ms: float,
    memory_mb: float,
    invocations: float,
    *,
    method: Method = "billed",
    arch: str = "arm64",
    region: str = "us-east-1",
    price: Price | None = None,
) -> float:
    """US dollars for `invocations` invocations of `ms` each, priced by `method`."""
    if invocations < 0 or not math.isfinite(invocations):
        raise ValueError(f"invocations must be a finite number >= 0, not {invocations!r}")
    if method not in METHODS:
        raise ValueError(f"unknown cost method {method!r}: use {' or '.join(METHODS)}")
    per = invocation_cost(
        ms,
        memory_mb,
        arch=arch,
        region=region,
        include_request_fee=method == "billed",
        price=price,
    )
    return per * invocations


def monthly_saving(
    python_ms: float,
    go_ms: float,
    memory_mb: float,
    invocations: float,
    *,
    method: Method = "billed",
    arch: str = "arm64",
    region: str = "us-east-1",
    price: Price | None = None,
) -> float:
    """US dollars saved by running Go instead of Python (negative: Python is cheaper).

    ``method="study"``: pass average durations; ``"billed"``: pass Billed Durations (or their
    means). See the module docstring for the difference.
    """
    p = price if price is not None else price_for(region, arch)
    python = monthly_cost(python_ms, memory_mb, invocations, method=method, price=p)
    go = monthly_cost(go_ms, memory_mb, invocations, method=method, price=p)
    return python - go
