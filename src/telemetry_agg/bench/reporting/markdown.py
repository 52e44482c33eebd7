"""Results as Markdown: one grid as a table, a run as results.md, and `save` (the run's files).

The data flows one way: `model.results` writes the data (results.json, results.csv); this module
adds the rendering of it (results.md); nothing in `model` imports `reporting`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.reporting.tables import DASH, grids

if TYPE_CHECKING:
    from pathlib import Path

    from telemetry_agg.bench.reporting.tables import Grid


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(grid: Grid) -> str:
    lines = [f"### {grid.title}", ""]
    lines.append("| " + " | ".join(_md_cell(h) for h in grid.headers) + " |")
    lines.append(
        "|" + "|".join("---:" if i in grid.right else "---" for i in range(len(grid.headers))) + "|"
    )
    lines.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in grid.rows)
    if grid.caption:
        lines += ["", grid.caption]
    return "\n".join(lines) + "\n"


def _options_text(options: dict[str, Any]) -> str:
    return ", ".join(f"`{k}={v}`" for k, v in options.items())


def markdown(results: res.Results, extra: list[Grid] | None = None) -> str:
    """The whole results.md: where and when, the options, every table (and `extra` ones)."""
    env = results.environment
    parts = [
        f"# telemetry-bench {results.source} results",
        "",
        f"- Run: {results.started_at} to {results.finished_at or DASH}"
        + ("" if results.complete else f" (**incomplete**: {results.failure or 'stopped early'})"),
        f"- Machine: {env.cpu}, {env.cores} cores, {env.machine}, {env.os}",
        f"- Python {env.python}; Go: {env.go or DASH}; emulator: {env.emulator or DASH}"
        + (f"; region: {env.region}" if env.region else ""),
        f"- Options: {_options_text(results.options) or DASH}",
        *(
            [f"- Table check: {_options_text(results.store_check)}"]
            if results.store_check is not None
            else []
        ),
        "",
    ]
    parts.extend(to_markdown(g) for g in [*grids(results), *(extra or [])])
    return "\n".join(parts)


def save(results: res.Results, directory: Path, extra: list[Grid] | None = None) -> list[Path]:
    """results.json, results.csv and results.md (with `extra` tables) in `directory`."""
    paths = res.write_data(results, directory)
    md_path = directory / "results.md"
    md_path.write_text(markdown(results, extra), encoding="utf-8")
    return [*paths, md_path]
