"""The cost model against hand-worked examples and the original study's published figures."""

from __future__ import annotations

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
