"""The report's tables: numbers from the hand-made results, ratios and cost by the cost model."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def test_speedup_table(results: Results) -> None:
    (row,) = report.speedup_grid(results).rows
    assert row == ["100", "Python", "Go", "2.00x", "2.00x", "2.00x", "2.00x", "2.00x"]


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
