"""`telemetry-bench report DIR...`: saved results (local or remote) as tables, Markdown and charts,
and several runs side by side.

Each DIR is a results folder (`results.json` inside), a `results.json` itself, or a folder of
them (a `--memory-sweep` run: one `memory-MB/` folder per size). The tables are the shared ones
(`report.py`, `chart.py`); a remote run adds its own (`remote_tables.remote_grids`), several
remote runs at different memory sizes add the memory sweep, and two runs or more add the
comparison.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path  # noqa: TC003 - Typer reads the annotations at run time
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from telemetry_agg.bench import errors
from telemetry_agg.bench.model import lanes
from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.model.stats import ratio
from telemetry_agg.bench.reporting import chart, option_tables, remote_tables
from telemetry_agg.bench.reporting import tables as report
from telemetry_agg.bench.reporting.markdown import to_markdown
from telemetry_agg.bench.reporting.summary import run_summary

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from telemetry_agg.bench.reporting.option_tables import Starts

_MEMORY_DIR = re.compile(r"^memory-(\d+)$")


@dataclass(frozen=True)
class Run:
    label: str
    path: Path
    results: res.Results


def find_runs(paths: Sequence[Path]) -> tuple[list[Run], list[str]]:
    """The runs under `paths`, and one message per path that held none (or a bad file)."""
    runs: list[Run] = []
    problems: list[str] = []
    for path in paths:
        files = _results_files(path)
        if not files:
            problems.append(
                f"{path}: no results.json there (nor in its memory-MB/ folders); give a folder "
                "that `telemetry-bench local` or `remote` wrote with --output"
            )
            continue
        for file in files:
            try:
                loaded = res.load(file)
            except res.ResultsFileError as exc:
                problems.append(str(exc))
                continue
            runs.append(Run(_label(path, file, loaded), file.parent, loaded))
    return runs, problems


def _results_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if (path / "results.json").is_file():
        return [path / "results.json"]
    if path.is_dir():
        subs = [p / "results.json" for p in path.iterdir() if (p / "results.json").is_file()]
        return sorted(subs, key=lambda f: _sort_key(f.parent.name))
    return []


def _sort_key(name: str) -> tuple[int, str]:
    found = _MEMORY_DIR.match(name)
    return (int(found.group(1)), name) if found else (0, name)


def _label(root: Path, file: Path, results: res.Results) -> str:
    name = root.name if root.is_dir() else root.parent.name
    memory = results.options.get("memory")
    if file.parent != root and memory:
        return f"{name}@{memory}MB"
    return name or str(root)


def _unique_labels(runs: list[Run]) -> list[Run]:
    seen: dict[str, int] = {}
    out = []
    for run in runs:
        n = seen.get(run.label, 0)
        seen[run.label] = n + 1
        out.append(run if n == 0 else Run(f"{run.label}#{n + 1}", run.path, run.results))
    return out


def comparison_grid(runs: Sequence[Run]) -> report.Grid:
    """Warm client latency of every run side by side, and each run's speed-up over the first."""
    first = runs[0]
    headers = ["Events", "Lane"]
    for run in runs:
        headers += [f"{run.label} avg", f"{run.label} p95"]
    headers += [f"{run.label} vs {first.label}" for run in runs[1:]]
    grid = report.Grid(
        title="Runs side by side (warm client latency, ms)",
        headers=headers,
        caption=(
            f"Ratios are {first.label}'s avg / the run's avg: above 1.00x the run is faster than "
            f"{first.label}. Runs on different machines or regions compare the whole path, "
            "network included."
        ),
        right=set(range(len(headers))) - {1},
        keys=(0, 1),
    )
    keys: list[tuple[int, str]] = []
    for run in runs:
        for s in run.results.series:
            if (s.size, s.lane) not in keys:
                keys.append((s.size, s.lane))
    order = {name: i for i, name in enumerate(lanes.names())}
    keys.sort(key=lambda k: (k[0], order.get(k[1], len(order)), k[1]))
    for size, lang in keys:
        avgs = []
        row = [f"{size:,}", lanes.display(lang)]
        for run in runs:
            series = run.results.get(size, lang)
            warm = series.summary().warm if series is not None else None
            avg = warm.avg if warm is not None else math.nan
            avgs.append(avg)
            row += [report.fmt_ms(avg), report.fmt_ms(warm.p95 if warm is not None else math.nan)]
        row += [report.fmt_ratio(ratio(avgs[0], a)) for a in avgs[1:]]
        grid.rows.append(row)
    return grid


def run_grids(run: Run, starts: Starts | None = None) -> list[report.Grid]:
    """A run's tables; `starts` (`option_tables.measured_starts` over every run shown) prices
    the cold-start options this run did not measure from the others."""
    grids = report.grids(run.results)
    if run.results.source == "remote":
        grids += remote_tables.remote_grids(run.results, starts)
    return grids


def all_starts(runs: Sequence[Run]) -> Starts:
    return option_tables.measured_starts([run.results for run in runs])


def apply_traffic(runs: Sequence[Run], invocations: int | None, cold_share: float | None) -> None:
    """`report --invocations/--cold-share`: the traffic the saving and options tables price,
    in place of what each run recorded."""
    for run in runs:
        if invocations is not None:
            run.results.options["invocations"] = invocations
        if cold_share is not None:
            run.results.options["cold_share"] = cold_share


def _sweep_runs(runs: Sequence[Run]) -> list[res.Results]:
    remote_runs = [r.results for r in runs if r.results.source == "remote"]
    memories = {r.options.get("memory") for r in remote_runs if r.options.get("memory")}
    return remote_runs if len(memories) > 1 else []


def summary_json(runs: Sequence[Run], problems: list[str]) -> dict[str, Any]:
    """Every run's summary (`reporting.summary`), labelled, and the problems."""
    return {
        "runs": [
            {"label": run.label, "path": str(run.path), **run_summary(run.results)} for run in runs
        ],
        "problems": problems,
    }


def write_outputs(runs: Sequence[Run], directory: Path) -> list[Path]:
    """report.md (every table of every run, then the sweep and the comparison) and the charts."""
    directory.mkdir(parents=True, exist_ok=True)
    parts = ["# telemetry-bench report", ""]
    written: list[Path] = []
    for run in runs:
        r = run.results
        state = "" if r.complete else f" (**incomplete**: {r.failure or 'stopped early'})"
        parts += [
            f"## {run.label}: {r.source}, {r.started_at}{state}",
            "",
            f"From `{run.path}`.",
            "",
        ]
        png = chart.latency_chart(r, directory / f"latency-{_slug(run.label)}.png")
        if png is not None:
            written.append(png)
            parts += [f"![latency of {run.label}]({png.name})", ""]
        parts += [to_markdown(g) for g in run_grids(run, all_starts(runs))]
    sweep = _sweep_runs(runs)
    if sweep:
        parts += ["## Memory sweep", "", to_markdown(remote_tables.sweep_grid(sweep))]
    if len(runs) > 1:
        parts += ["## Comparison", "", to_markdown(comparison_grid(runs))]
    md = directory / "report.md"
    md.write_text("\n".join(parts), encoding="utf-8")
    return [md, *written]


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", label).strip("_") or "run"


def show(runs: Sequence[Run], out: Console) -> None:
    """Every run's tables, then the sweep and the comparison, fitted to the terminal."""
    for run in runs:
        r = run.results
        state = (
            ""
            if r.complete
            else f" [yellow](incomplete: {escape(r.failure or 'stopped early')})[/]"
        )
        out.rule(f"{escape(run.label)}: {r.source}, {r.started_at}{state}")
        for grid in run_grids(run, all_starts(runs)):
            report.print_grid(out, grid)
    sweep = _sweep_runs(runs)
    if sweep:
        report.print_grid(out, remote_tables.sweep_grid(sweep))
    if len(runs) > 1:
        report.print_grid(out, comparison_grid(runs))


def report_main(
    dirs: list[Path],
    *,
    output: Path | None,
    as_json: bool,
    invocations: int | None = None,
    cold_share: float | None = None,
) -> int:
    """The `report` command once its options are parsed: the exit code (1 when a DIR held no
    readable results; the others are still shown)."""
    err = errors.stderr_console()
    runs, problems = find_runs(dirs)
    runs = _unique_labels(runs)
    apply_traffic(runs, invocations, cold_share)
    for problem in problems:
        errors.print_error(problem, err)
    written: list[Path] = []
    if runs and output is not None:
        try:
            written = write_outputs(runs, output)
        except OSError as exc:
            errors.print_error(f"cannot write to {output}: {exc.strerror}", err)
            return errors.EXIT_FAILURE
    if as_json:
        summary = summary_json(runs, problems)
        summary["files"] = [str(p) for p in written]
        report.table_console().print_json(json.dumps(summary))
    else:
        show(runs, report.table_console())
        for path in written:
            err.print(f"wrote {path}", highlight=False)
    return errors.EXIT_FAILURE if problems or not runs else errors.EXIT_OK
