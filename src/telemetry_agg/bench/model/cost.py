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

The second half prices what a team can do about cold starts, per lane and size, for a month of
traffic (`Usage`: memory, Billed Duration, invocations, cold-start share, INIT and restore ms):
`on_demand_monthly` (every cold start bills its INIT), `snapstart_monthly` (a cached snapshot,
a charge per restore), `provisioned_monthly` (N environments 730 hours a month, a lower duration
price, the overflow on demand), `monthly_options` (those a lane's runtime can have) and
`break_even_invocations` (the traffic from which an option costs less than on-demand). The
source and date of each of those prices is written beside it below.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
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


# --- The three answers to a cold start: nothing, SnapStart, provisioned concurrency ----------
#
# Sources and dates of every price below (US dollars, US East (N. Virginia), first tier):
#
# - Provisioned concurrency, x86_64: $0.0000041667 per GB-second provisioned and
#   $0.0000097222 per GB-second of duration while it serves; arm64: $0.0000033334 and
#   $0.0000077778. Source: the AWS Lambda pricing page (aws.amazon.com/lambda/pricing/,
#   "Provisioned Concurrency Pricing"), the rates it has shown since per-ms billing (Dec 2020)
#   and the Graviton launch (Sep 2021). NOT confirmed on 2026-12-04: that page renders its rates
#   from a price API, and the copies our search could read showed the text without the figures.
# - SnapStart for Python and .NET (GA 2024-11-18): caching $0.0000015046 per GB-second for each
#   published version with SnapStart (memory size x time cached, at least 3 hours), restoring
#   $0.0001397998 per GB restored (memory size x restores), plus Billed Restore Duration (the
#   after-restore hooks) at the on-demand duration price. Source: the Lambda pricing page's
#   SnapStart section and the developer guide (docs.aws.amazon.com/lambda/latest/dg/
#   snapstart.html, "SnapStart pricing"); the two figures were confirmed only as quoted by a
#   third-party cost analysis (awsnegotiations.com, May 2026), not on AWS's page itself. We
#   apply them to both architectures: not confirmed per architecture.
# - The INIT phase of an on-demand cold start is billed at the duration price for ZIP functions
#   on managed runtimes since 2025-08-01 (AWS Compute Blog, "AWS Lambda standardizes billing for
#   INIT phase", 2025-04-29; confirmed). Custom runtimes (Go's provided.al2023) were billed for
#   it already.
# - Other regions: where the on-demand rate is the standard one (_STANDARD_REGIONS) we assume
#   the us-east-1 option rates too; not confirmed per region. Pass `options=` for anything else.

Option = Literal["on-demand", "snapstart", "provisioned"]
OPTIONS: tuple[Option, ...] = ("on-demand", "snapstart", "provisioned")

HOURS_PER_MONTH = 730  # AWS's own month in its pricing examples
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600

_PROVISIONED_GB_SECOND: dict[Architecture, float] = {"x86_64": 0.0000041667, "arm64": 0.0000033334}
_PROVISIONED_DURATION_GB_SECOND: dict[Architecture, float] = {
    "x86_64": 0.0000097222,
    "arm64": 0.0000077778,
}
_SNAPSTART_CACHE_GB_SECOND = 0.0000015046
_SNAPSTART_RESTORE_GB = 0.0001397998


@dataclass(frozen=True)
class OptionPrices:
    """What SnapStart and provisioned concurrency cost in one region for one architecture."""

    region: str
    architecture: str
    provisioned_gb_second: float  # per GB-second provisioned, used or not
    provisioned_duration_gb_second: float  # per GB-second of duration on a provisioned one
    snapstart_cache_gb_second: float  # per GB-second a version's snapshot stays cached
    snapstart_restore_gb: float  # per GB of memory restored, once per restore


OPTION_PRICES: dict[tuple[str, str], OptionPrices] = {
    (region, arch): OptionPrices(
        region,
        arch,
        _PROVISIONED_GB_SECOND[arch],
        _PROVISIONED_DURATION_GB_SECOND[arch],
        _SNAPSTART_CACHE_GB_SECOND,
        _SNAPSTART_RESTORE_GB,
    )
    for region in _STANDARD_REGIONS
    for arch in ARCHITECTURES
}


def option_prices_for(region: str = "us-east-1", arch: str = "arm64") -> OptionPrices:
    """The built-in option prices for `region` and `arch`, or `UnknownPriceError`."""
    price_for(region, arch)  # the same errors, with what to do
    return OPTION_PRICES[(region, arch)]


def snapstart_supported(runtime: str) -> bool:
    """SnapStart exists for python3.12 and later among our runtimes (never provided.al2023)."""
    match = re.fullmatch(r"python3\.(\d+)", runtime)
    return match is not None and int(match.group(1)) >= 12


@dataclass(frozen=True)
class Usage:
    """One lane at one size as measured, and the traffic to price it at (per month)."""

    memory_mb: float
    duration_ms: float  # Billed Duration of an invocation (warm, or provisioned)
    invocations: float  # per month
    cold_share: float = 0.0  # share of invocations that need a new execution environment
    init_ms: float = 0.0  # Init Duration of an on-demand cold start (billed since 2025-08-01)
    restore_ms: float = 0.0  # Billed Restore Duration of a SnapStart restore

    def __post_init__(self) -> None:
        if not 0.0 <= self.cold_share <= 1.0:
            raise ValueError(f"the cold-start share is a fraction 0..1, not {self.cold_share!r}")
        if self.invocations < 0 or not math.isfinite(self.invocations):
            raise ValueError(f"invocations must be a finite number >= 0, not {self.invocations!r}")
        gb_seconds(self.duration_ms + self.init_ms + self.restore_ms, self.memory_mb)

    @property
    def gb(self) -> float:
        return self.memory_mb / MB_PER_GB

    @property
    def cold_starts(self) -> float:
        return self.invocations * self.cold_share


@dataclass(frozen=True)
class OptionCost:
    """A month of one option, in US dollars, by what it is paid for."""

    option: Option
    invocations: float
    requests: float  # the request fee
    duration: float  # the invocations' own duration
    starts: float  # on-demand: billed INIT; SnapStart: restores and their Billed Restore Duration
    standing: float  # around the clock: the SnapStart cache, or the provisioned environments

    @property
    def usage_cost(self) -> float:
        """What the invocations cost, without the standing charge."""
        return self.requests + self.duration + self.starts

    @property
    def total(self) -> float:
        return self.usage_cost + self.standing

    @property
    def per_million(self) -> float:
        """The month's total per million invocations (NaN without invocations)."""
        return self.total / self.invocations * 1_000_000 if self.invocations else math.nan


def on_demand_monthly(usage: Usage, price: Price) -> OptionCost:
    """No option: every cold start pays its INIT at the duration price."""
    return OptionCost(
        "on-demand",
        usage.invocations,
        requests=usage.invocations * price.request,
        duration=usage.invocations
        * gb_seconds(usage.duration_ms, usage.memory_mb)
        * price.gb_second,
        starts=usage.cold_starts * gb_seconds(usage.init_ms, usage.memory_mb) * price.gb_second,
        standing=0.0,
    )


def snapstart_monthly(usage: Usage, price: Price, options: OptionPrices) -> OptionCost:
    """SnapStart: one published version cached all month; each cold start is a restore."""
    restore = usage.gb * options.snapstart_restore_gb
    restore += gb_seconds(usage.restore_ms, usage.memory_mb) * price.gb_second
    return OptionCost(
        "snapstart",
        usage.invocations,
        requests=usage.invocations * price.request,
        duration=usage.invocations
        * gb_seconds(usage.duration_ms, usage.memory_mb)
        * price.gb_second,
        starts=usage.cold_starts * restore,
        standing=usage.gb * SECONDS_PER_MONTH * options.snapstart_cache_gb_second,
    )


def provisioned_capacity(usage: Usage, concurrency: int) -> float:
    """Invocations a month that `concurrency` environments can serve, busy all the time."""
    return concurrency * SECONDS_PER_MONTH * MS_PER_SECOND / max(usage.duration_ms, 1.0)


def provisioned_monthly(
    usage: Usage, concurrency: int, price: Price, options: OptionPrices
) -> OptionCost:
    """`concurrency` environments provisioned 730 hours; traffic beyond them runs on demand.

    Steady traffic is assumed: the provisioned environments serve up to their capacity
    (`provisioned_capacity`), the rest spills over to on-demand environments with the usage's
    cold-start share. Bursty traffic spills more: this is the option's best case.
    """
    if concurrency < 1:
        raise ValueError(f"provisioned concurrency must be at least 1, not {concurrency!r}")
    served = min(usage.invocations, provisioned_capacity(usage, concurrency))
    spill = on_demand_monthly(replace(usage, invocations=usage.invocations - served), price)
    per_served = gb_seconds(usage.duration_ms, usage.memory_mb)
    return OptionCost(
        "provisioned",
        usage.invocations,
        requests=usage.invocations * price.request,
        duration=served * per_served * options.provisioned_duration_gb_second + spill.duration,
        starts=spill.starts,
        standing=concurrency * usage.gb * SECONDS_PER_MONTH * options.provisioned_gb_second,
    )


def monthly_options(
    usage: Usage,
    *,
    runtime: str,
    provisioned_concurrency: int = 0,
    region: str = "us-east-1",
    arch: str = "arm64",
    price: Price | None = None,
    options: OptionPrices | None = None,
) -> list[OptionCost]:
    """A lane's month under each option it can have, on-demand first.

    SnapStart only where the runtime supports it (`snapstart_supported`); provisioned
    concurrency only for a deployed N of at least 1 (priced for N around the clock).
    """
    p = price if price is not None else price_for(region, arch)
    o = options if options is not None else option_prices_for(region, arch)
    costs = [on_demand_monthly(usage, p)]
    if snapstart_supported(runtime):
        costs.append(snapstart_monthly(usage, p, o))
    if provisioned_concurrency >= 1:
        costs.append(provisioned_monthly(usage, provisioned_concurrency, p, o))
    return costs


def break_even_invocations(
    usage: Usage,
    option: Option,
    *,
    provisioned_concurrency: int = 0,
    price: Price,
    options: OptionPrices,
) -> float | None:
    """Invocations a month from which `option` costs less than on-demand, or None if never.

    Both options cost a fixed amount a month (the cache, the provisioned environments) and
    save, or lose, a fixed amount per invocation against on-demand at the usage's duration and
    cold-start share. SnapStart saves only when an INIT costs more than a restore, which at
    Lambda's prices takes an INIT of several seconds: its price buys latency, not savings.
    Provisioned concurrency must break even within what its environments can serve.
    """
    one = replace(usage, invocations=1.0)
    if option == "snapstart":
        month = snapstart_monthly(one, price, options)
        limit = math.inf
    elif option == "provisioned":
        month = provisioned_monthly(one, provisioned_concurrency, price, options)
        limit = provisioned_capacity(usage, provisioned_concurrency)
    else:
        raise ValueError(f"break-even against on-demand needs snapstart or provisioned: {option!r}")
    saving = on_demand_monthly(one, price).usage_cost - month.usage_cost
    if saving <= 0:
        return None
    invocations = month.standing / saving
    return invocations if invocations <= limit else None
