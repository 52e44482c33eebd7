"""The report's tables: numbers from the hand-made results, ratios and cost by the cost model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from rich.console import Console

from telemetry_agg.bench.model import cost
from telemetry_agg.bench.reporting import markdown
from telemetry_agg.bench.reporting import tables as report

from .support import make_results

if TYPE_CHECKING:
    from telemetry_agg.bench.model.results import Results


def test_latency_table(results: Results) -> None:
    grid = report.latency_grid(results)
    assert grid.headers[:8] == [
        "Events", "Payload", "Lane", "Cold start", "Avg", "P50", "P95", "P99",
    ]  # fmt: skip
    py, go = grid.rows
    assert py[:8] == ["100", "8 KB", "Python (agg)", "200.0", "11.0", "10.0", "18.0", "18.0"]
    assert go[:8] == ["100", "8 KB", "Go (agg)", "100.0", "5.50", "5.00", "9.00", "9.00"]
    assert py[11] == "40.0 MB"


@pytest.mark.parametrize(
    ("concurrency", "said"),
    [(1, ", 1 environment per lane at once"), (2, ", 2 environments per lane at once"), (None, "")],
)
def test_the_caption_says_how_many_environments_ran_at_once(
    concurrency: int | None, said: str
) -> None:
    results = make_results()
    if concurrency is not None:
        results.options["concurrency"] = concurrency
    where = report.where(results)
    assert where == f"the local Runtime Interface Emulator on Test CPU, 2 cores{said}"


def test_a_lane_with_parentheses_takes_the_aggregator_inside_them() -> None:
    (row,) = report.latency_grid(make_results(languages=("python-lean",))).rows
    assert row[2] == "Python (lean, agg)"


def test_speedup_table(results: Results) -> None:
    (row,) = report.speedup_grid(results).rows
    assert row[:8] == ["100", "Python", "Go", "2.00x", "2.00x", "2.00x", "2.00x", "2.00x"]
    assert row[8] == "2.10x"  # mean REPORT Duration: 10.5 ms (2i - 0.5) / 5.0 ms (i - 0.5)


def test_cost_table_uses_the_cost_model(results: Results) -> None:
    grid = report.cost_grid(results)
    py, go = grid.rows
    price = cost.price_for("us-east-1", "arm64")
    assert py[2] == "11.0"
    assert py[3] == report.fmt_usd(cost.cost_per_million(11.0, 512, price=price))
    assert go[3] == report.fmt_usd(cost.cost_per_million(5.5, 512, price=price))
    assert py[5] == report.fmt_usd(cost.monthly_saving(11.0, 5.5, 512, 1_000_000, price=price))
    assert "ESTIMATE" in grid.caption
    custom = report.cost_grid(results, memory_mb=1024, price=0.00002)
    assert "1024 MB" in custom.title
    assert custom.rows[0][3] == report.fmt_usd(
        cost.cost_per_million(11.0, 1024, price=cost.Price("custom", "arm64", 0.00002))
    )


def test_one_language_gives_only_the_latency_table() -> None:
    only_go = make_results(languages=("go",))
    assert [g.title for g in report.grids(only_go)] == ["Latency (ms)"]
    console = Console(record=True, width=200)
    report.print_report(console, only_go)
    assert "no speed-up or cost table" in console.export_text()


def test_markdown(results: Results) -> None:
    text = markdown.markdown(results)
    assert "| Events | Payload | Lane | Cold start | Avg |" in text
    assert "|---:|---|---|---:|" in text
    assert "Test CPU, 2 cores" in text
    assert "**incomplete**" in text  # complete is False until a run finishes


@pytest.mark.parametrize("width", [80, 100, 160])
def test_tables_fit_a_narrow_terminal_without_cutting_a_number(width: int) -> None:
    """Numbers are never cut to fit: a narrow terminal gets fewer columns per table."""
    results = make_results(languages=("python", "go"))
    console = Console(record=True, width=width)
    report.print_report(console, results)
    text = console.export_text()
    assert "\u2026" not in text  # Rich's ellipsis: nothing was truncated
    assert max(len(line) for line in text.splitlines()) <= width
    for grid in report.grids(results):
        for row in grid.rows:
            for cell in row:
                if cell and cell[0].isdigit():
                    assert cell in text, (width, grid.title, cell)


def test_fit_repeats_the_key_columns() -> None:
    grid = report.latency_grid(make_results(languages=("python", "go")))
    parts = report.fit(grid, 80)
    assert len(parts) > 1
    for part in parts:
        assert part.headers[:2] == ["Events", "Lane"]
    assert parts[-1].caption == grid.caption
    assert sum(len(p.headers) - 2 for p in parts) == len(grid.headers) - 2
