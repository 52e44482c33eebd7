"""The cost model against hand-worked examples and the original study's published figures."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telemetry_agg.bench.model import cost

ARM = 0.0000133334
X86 = 0.0000166667


@pytest.mark.parametrize(
    ("duration", "billed"),
    [(12.34, 13), (13.0, 13), (1.0001, 2), (0.0, 1), (0.0001, 1), (999.9999, 1000)],
)
def test_billed_duration_rounds_up_to_whole_ms_at_least_one(duration: float, billed: int) -> None:
    assert cost.billed_duration_ms(duration) == billed


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_billed_duration_rejects_impossible_durations(bad: float) -> None:
    with pytest.raises(ValueError, match="finite number of ms"):
        cost.billed_duration_ms(bad)


def test_us_east_1_prices_are_the_published_ones() -> None:
    assert cost.price_for("us-east-1", "arm64").gb_second == ARM
    assert cost.price_for("us-east-1", "x86_64").gb_second == X86
    assert cost.price_for().request_per_million == 0.20
    assert cost.price_for().request == pytest.approx(0.20 / 1_000_000)
    assert {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1"} <= set(
        cost.known_regions()
    )


def test_one_invocation_hand_worked() -> None:
    # 13 ms billed at 512 MB on arm64: 0.013 s x 0.5 GB x price, plus $0.20 / 1M.
    duration_only = 0.013 * 0.5 * ARM
    assert cost.invocation_cost(13, 512, include_request_fee=False) == pytest.approx(duration_only)
    assert cost.invocation_cost(13, 512) == pytest.approx(duration_only + 0.2e-6)
    # per million: $0.0866671 duration + $0.20 requests
    assert cost.cost_per_million(13, 512) == pytest.approx(0.2866671)
    # x86_64, 1024 MB (1 GB), 100 ms: 0.1 GB-s x price = $1.66667 per 1M, plus $0.20
    assert cost.cost_per_million(100, 1024, arch="x86_64") == pytest.approx(1.86667)
    assert cost.cost_per_million(100, 1024, arch="x86_64", include_request_fee=False) == (
        pytest.approx(1.66667)
    )


@pytest.mark.parametrize(
    ("python_ms", "go_ms", "exact", "printed"),
    [
        # The study printed $0.20 for this row; its own formula gives $0.1933 (it rounded up).
        (70, 41, 0.19333430, 0.20),
        (72, 53, 0.12666730, 0.13),
        (473, 359, 0.76000380, 0.76),
    ],
)
def test_the_study_table_per_million(
    python_ms: float, go_ms: float, exact: float, printed: float
) -> None:
    saving = cost.monthly_saving(python_ms, go_ms, 512, 1_000_000, method="study")
    assert saving == pytest.approx(exact, rel=1e-6)
    assert abs(saving - printed) < 0.01


def test_the_study_monthly_figure_at_100_million() -> None:
    saving = cost.monthly_saving(473, 359, 512, 100_000_000, method="study")
    assert saving == pytest.approx(76.00038, rel=1e-6)
    assert round(saving) == 76


def test_ours_includes_the_request_fee_in_costs_but_it_cancels_in_savings() -> None:
    # 1M invocations billed 70 ms at 512 MB: $0.4666690 duration + $0.20 requests.
    assert cost.monthly_cost(70, 512, 1_000_000, method="billed") == pytest.approx(0.666669)
    assert cost.monthly_cost(70, 512, 1_000_000, method="study") == pytest.approx(0.466669)
    assert cost.monthly_saving(70, 41, 512, 1_000_000, method="billed") == pytest.approx(
        cost.monthly_saving(70, 41, 512, 1_000_000, method="study")
    )


def test_ours_differs_from_the_study_through_billed_rounding() -> None:
    # Averages of 40.2 and 40.9 ms: the study prices 0.7 ms apart, Lambda bills both 41 ms.
    study = cost.monthly_saving(40.9, 40.2, 512, 1_000_000, method="study")
    billed = cost.monthly_saving(
        cost.billed_duration_ms(40.9), cost.billed_duration_ms(40.2), 512, 1_000_000
    )
    assert study == pytest.approx(0.7 / 1000 * 0.5 * ARM * 1_000_000)
    assert billed == 0.0


def test_a_negative_saving_means_python_is_cheaper() -> None:
    assert cost.monthly_saving(100, 120, 512, 1_000_000) < 0


def test_an_explicit_price_serves_regions_without_a_built_in_one() -> None:
    custom = cost.Price("af-south-1", "arm64", gb_second=0.00002, request_per_million=0.28)
    assert cost.cost_per_million(1000, 1024, price=custom) == pytest.approx(20.28)


def test_unknown_region_and_architecture_say_what_to_do() -> None:
    with pytest.raises(cost.UnknownPriceError, match=r"known regions: .*us-east-1.*explicitly"):
        cost.price_for("xx-nowhere-1")
    with pytest.raises(cost.UnknownPriceError, match="arm64 or x86_64"):
        cost.price_for("us-east-1", "riscv")
    with pytest.raises(ValueError, match="positive number of MB"):
        cost.invocation_cost(10, 0)
    with pytest.raises(ValueError, match="invocations"):
        cost.monthly_cost(10, 512, -1)
    with pytest.raises(ValueError, match="cost method"):
        cost.monthly_cost(10, 512, 1, method="guess")  # type: ignore[arg-type]


@given(
    ms=st.floats(min_value=0, max_value=900_000),
    extra=st.floats(min_value=0.001, max_value=1000),
    memory=st.integers(min_value=128, max_value=10_240),
    arch=st.sampled_from(cost.ARCHITECTURES),
)
def test_cost_grows_with_duration_and_memory(
    ms: float, extra: float, memory: int, arch: str
) -> None:
    base = cost.invocation_cost(ms, memory, arch=arch)
    assert cost.invocation_cost(ms + extra, memory, arch=arch) > base
    assert cost.invocation_cost(ms + extra, memory + 1, arch=arch) > base
    assert cost.invocation_cost(ms, memory, arch=arch, include_request_fee=False) == (
        pytest.approx(base - 0.2e-6, abs=1e-15)
    )


# --- SnapStart and provisioned concurrency against on-demand (issue 12) -------------------------
#
# One hand-worked lane for the first four tests: arm64, us-east-1, 512 MB (0.5 GB), 13 ms billed
# per invocation, 1,000,000 invocations a month, 1% of them cold (10,000), an on-demand INIT of
# 300 ms, a SnapStart Billed Restore Duration of 50 ms. A month is 730 h = 2,628,000 s.
PC_ARM = 0.0000033334  # provisioned, per GB-second
PC_ARM_DURATION = 0.0000077778  # duration while provisioned, per GB-second
SNAP_CACHE = 0.0000015046  # per GB-second cached
SNAP_RESTORE = 0.0001397998  # per GB restored
LANE = cost.Usage(
    memory_mb=512,
    duration_ms=13,
    invocations=1_000_000,
    cold_share=0.01,
    init_ms=300,
    restore_ms=50,
)


def options_for(usage: cost.Usage, concurrency: int = 1) -> dict[str, cost.OptionCost]:
    found = cost.monthly_options(usage, runtime="python3.12", provisioned_concurrency=concurrency)
    return {c.option: c for c in found}


def test_option_prices_are_the_published_ones() -> None:
    arm = cost.option_prices_for("us-east-1", "arm64")
    assert (arm.provisioned_gb_second, arm.provisioned_duration_gb_second) == (
        PC_ARM,
        PC_ARM_DURATION,
    )
    x86 = cost.option_prices_for("eu-west-1", "x86_64")
    assert (x86.provisioned_gb_second, x86.provisioned_duration_gb_second) == (
        0.0000041667,
        0.0000097222,
    )
    assert (arm.snapstart_cache_gb_second, arm.snapstart_restore_gb) == (SNAP_CACHE, SNAP_RESTORE)
    with pytest.raises(cost.UnknownPriceError, match="explicitly"):
        cost.option_prices_for("xx-nowhere-1")


def test_on_demand_hand_worked() -> None:
    # requests: 1,000,000 x $0.20/1M                                  = $0.20
    # duration: 1,000,000 x 0.013 s x 0.5 GB = 6,500 GB-s x ARM        = $0.0866671
    # INIT:     10,000 x 0.3 s x 0.5 GB = 1,500 GB-s x ARM             = $0.0200001
    # total $0.3066672 for 1M invocations: $0.31 per million.
    on_demand = options_for(LANE)["on-demand"]
    assert on_demand.requests == pytest.approx(0.20)
    assert on_demand.duration == pytest.approx(0.0866671)
    assert on_demand.starts == pytest.approx(0.0200001)
    assert on_demand.standing == 0
    assert on_demand.per_million == pytest.approx(0.3066672)
    assert round(on_demand.per_million, 2) == 0.31


def test_snapstart_hand_worked() -> None:
    # requests and duration as on-demand                              = $0.2866671
    # restores: 10,000 x 0.5 GB x $0.0001397998                        = $0.698999
    # restore hooks: 10,000 x 0.05 s x 0.5 GB = 250 GB-s x ARM          = $0.00333335
    # cache: 0.5 GB x 2,628,000 s = 1,314,000 GB-s x $0.0000015046      = $1.9770444
    # total $2.96604385: $2.97 per million at this traffic.
    snapstart = options_for(LANE)["snapstart"]
    assert snapstart.starts == pytest.approx(0.698999 + 0.00333335)
    assert snapstart.standing == pytest.approx(1.9770444)
    assert snapstart.total == pytest.approx(2.96604385)
    assert round(snapstart.per_million, 2) == 2.97


def test_provisioned_hand_worked() -> None:
    # 1 environment x 0.5 GB x 2,628,000 s = 1,314,000 GB-s x PC_ARM   = $4.3800876
    # it can serve 2,628,000 s / 0.013 s = 202,153,846 invocations: all 1M are served, none cold
    # duration: 6,500 GB-s x PC_ARM_DURATION                          = $0.0505557
    # requests                                                        = $0.20
    # total $4.6306433: $4.63 per million.
    provisioned = options_for(LANE)["provisioned"]
    assert provisioned.standing == pytest.approx(4.3800876)
    assert provisioned.duration == pytest.approx(0.0505557)
    assert provisioned.starts == 0
    assert provisioned.total == pytest.approx(4.6306433)
    assert round(provisioned.per_million, 2) == 4.63
    assert cost.provisioned_capacity(LANE, 1) == pytest.approx(2_628_000 / 0.013)


def test_provisioned_break_even_hand_worked() -> None:
    # per invocation, on-demand: $0.2e-6 + 0.0065 GB-s x ARM + 0.01 x 0.15 GB-s x ARM
    #                          = 2e-7 + 8.66671e-8 + 2.00001e-8 = 3.066672e-7
    # provisioned:               2e-7 + 0.0065 GB-s x PC_ARM_DURATION = 2.505557e-7
    # saving 5.61115e-8 an invocation against $4.3800876 a month: it pays from
    # 4.3800876 / 5.61115e-8 = 78,060,426 invocations a month (about 30 a second), within the
    # 202 million one environment can serve.
    arm, options = cost.price_for(), cost.option_prices_for()
    at = cost.break_even_invocations(
        LANE, "provisioned", provisioned_concurrency=1, price=arm, options=options
    )
    assert at == pytest.approx(4.3800876 / 5.61115e-8)
    assert at is not None
    assert round(at) == 78_060_426
    there = cost.Usage(512, 13, at, 0.01, 300, 50)
    assert cost.on_demand_monthly(there, arm).total == pytest.approx(
        cost.provisioned_monthly(there, 1, arm, options).total
    )
    # Without cold starts the saving is only the lower duration price: 3.6e-8 an invocation,
    # 121.7 million a month, still within one environment's reach.
    warm = cost.Usage(512, 13, 1, 0.0)
    assert cost.break_even_invocations(
        warm, "provisioned", provisioned_concurrency=1, price=arm, options=options
    ) == pytest.approx(4.3800876 / (0.0065 * (0.0000133334 - PC_ARM_DURATION)))


def test_provisioned_pays_from_sixty_percent_busy_and_never_beyond_capacity() -> None:
    # Without cold starts, N environments of G GB at d s cost N x G x 2,628,000 x PC_ARM a month
    # and save G x d x (ARM - PC_ARM_DURATION) per invocation; they serve N x 2,628,000 / d.
    # Break-even / capacity = PC_ARM / (ARM - PC_ARM_DURATION) = 3.3334 / 5.5556 = 0.60001:
    # provisioned concurrency pays once its environments are 60% busy, whatever N, G and d.
    # 1 GB, 1,000 ms, N = 1: 2,628,000 x 0.60001 = 1,576,840 invocations a month.
    arm, options = cost.price_for(), cost.option_prices_for()
    for memory, ms, n in ((1024, 1000, 1), (128, 1, 100), (512, 13, 7)):
        usage = cost.Usage(memory, ms, 1, 0.0)
        at = cost.break_even_invocations(
            usage, "provisioned", provisioned_concurrency=n, price=arm, options=options
        )
        assert at is not None
        assert at / cost.provisioned_capacity(usage, n) == pytest.approx(
            PC_ARM / (ARM - PC_ARM_DURATION)
        )
    one_second = cost.Usage(1024, 1000, 1, 0.0)
    assert cost.break_even_invocations(
        one_second, "provisioned", provisioned_concurrency=1, price=arm, options=options
    ) == pytest.approx(2_628_000 * PC_ARM / (ARM - PC_ARM_DURATION))
    # At a provisioned price above the saving a busy environment makes, it never pays.
    dear = dataclasses.replace(options, provisioned_gb_second=ARM)
    assert (
        cost.break_even_invocations(
            one_second, "provisioned", provisioned_concurrency=1, price=arm, options=dear
        )
        is None
    )


def test_provisioned_spill_hand_worked() -> None:
    # x86_64, 1024 MB, 1,000 ms, 3,000,000 invocations, 5% cold, INIT 800 ms, N = 1.
    # One environment serves 2,628,000 s / 1 s = 2,628,000; 372,000 spill to on-demand.
    # standing:  2,628,000 GB-s x $0.0000041667                      = $10.9500876
    # served:    2,628,000 GB-s x $0.0000097222                      = $25.5499416
    # spilled:   372,000 GB-s x X86                                   = $6.2000124
    # spill INIT: 372,000 x 5% = 18,600 x 0.8 GB-s = 14,880 x X86     = $0.248000496
    # requests:  3,000,000 x $0.20/1M                                 = $0.60
    # total $43.548042096: $14.52 per million.
    usage = cost.Usage(1024, 1000, 3_000_000, 0.05, 800)
    x86, options = (
        cost.price_for("us-east-1", "x86_64"),
        cost.option_prices_for("us-east-1", "x86_64"),
    )
    month = cost.provisioned_monthly(usage, 1, x86, options)
    assert month.standing == pytest.approx(10.9500876)
    assert month.duration == pytest.approx(25.5499416 + 6.2000124)
    assert month.starts == pytest.approx(0.248000496)
    assert month.total == pytest.approx(43.548042096)
    assert round(month.per_million, 2) == 14.52


def test_snapstart_pays_only_for_inits_of_seconds() -> None:
    # A restore costs 0.5 GB x $0.0001397998 = $0.0000699 at 512 MB, an INIT of 300 ms
    # 0.15 GB-s x ARM = $0.000002: SnapStart never pays in money here, it buys latency.
    arm, options = cost.price_for(), cost.option_prices_for()
    assert cost.break_even_invocations(LANE, "snapstart", price=arm, options=options) is None
    # x86_64, 1 GB, every invocation cold with a 9 s INIT (restore hooks 0 ms):
    # INIT 9 GB-s x X86 = $0.0001500003 against a restore of $0.0001397998: $0.0000102005 saved
    # an invocation; the cache, 2,628,000 GB-s x $0.0000015046 = $3.9540888 a month, is paid
    # back from 3.9540888 / 0.0000102005 = 387,636.8 invocations a month.
    x86, x86_options = (
        cost.price_for("us-east-1", "x86_64"),
        cost.option_prices_for("us-east-1", "x86_64"),
    )
    heavy = cost.Usage(1024, 100, 1, 1.0, 9000)
    at = cost.break_even_invocations(heavy, "snapstart", price=x86, options=x86_options)
    assert at is not None
    assert at == pytest.approx(3.9540888 / 0.0000102005)
    assert round(at) == 387_637


def test_which_options_a_lane_gets() -> None:
    assert [c.option for c in cost.monthly_options(LANE, runtime="python3.12")] == [
        "on-demand",
        "snapstart",
    ]
    go = cost.monthly_options(LANE, runtime="provided.al2023", provisioned_concurrency=2)
    assert [c.option for c in go] == ["on-demand", "provisioned"]  # no SnapStart for Go
    assert [c.option for c in cost.monthly_options(LANE, runtime="python3.11")] == ["on-demand"]
    assert cost.snapstart_supported("python3.13")
    assert not cost.snapstart_supported("python3.9")


def test_option_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="fraction"):
        cost.Usage(512, 13, 1, cold_share=1.5)
    with pytest.raises(ValueError, match="invocations"):
        cost.Usage(512, 13, -1)
    with pytest.raises(ValueError, match="positive number of MB"):
        cost.Usage(0, 13, 1)
    with pytest.raises(ValueError, match="at least 1"):
        cost.provisioned_monthly(LANE, 0, cost.price_for(), cost.option_prices_for())
    with pytest.raises(ValueError, match="snapstart or provisioned"):
        cost.break_even_invocations(
            LANE, "on-demand", price=cost.price_for(), options=cost.option_prices_for()
        )
    assert math.isnan(cost.on_demand_monthly(cost.Usage(512, 13, 0), cost.price_for()).per_million)
