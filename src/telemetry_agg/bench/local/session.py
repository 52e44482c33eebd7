"""`telemetry-bench local` from a checked plan to its files, tables and exit code.

Before anything starts (exit 2 for a bad option, payload file or output folder; 3 for a missing
tool): the plan's checks, the payloads read and checked, the output folder created and tried,
every lane's runtime found. Then the run (`run.run_local`), written after every series (even a
SIGKILL keeps what was done), and at the end the files, the tables and one line saying how it
ended: 0 done, 1 a run failure, 130 Ctrl-C, 143 SIGTERM.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
from typing import TYPE_CHECKING

from telemetry_agg.bench import checks, errors
from telemetry_agg.bench.local import cpucap, run, runtimes, taskdir
from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.reporting import markdown, summary, tables

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from rich.console import Console

    from telemetry_agg.bench.local.emulator import Runtime

PACKAGES = ("telemetry-agg", "awslambdaric", "msgspec", "orjson")
TABLE_PACKAGES = ("boto3", "botocore", "moto")  # a workload with a table: its SDK and server


def prepare(
    plan: run.LocalPlan, output: Path | None
) -> tuple[dict[int, bytes], dict[str, Runtime]]:
    """Everything checked before the run: the payloads and the runtimes (or the exit)."""
    with errors.handled(usage=True, stopping=" before the run started"):
        plan.check()
        bodies = run.load_payloads(plan)
        plan.sizes = list(bodies)  # a payload file's size is the count it holds
        checks.output_dir(output)
    with errors.handled(stopping=" before the run started"):
        return bodies, run.lane_runtimes(plan)


def new_results(plan: run.LocalPlan, lane_rts: dict[str, Runtime] | None = None) -> res.Results:
    environment = res.Environment.detect(emulator=runtimes.emulator_version())
    for rt in (lane_rts or {}).values():
        if rt.task_zip is not None:
            environment.extra["python_lanes"] = taskdir.describe(rt.task_zip, rt.python)
            environment.extra["runtime_python"] = rt.python or ""
    for name in PACKAGES + (TABLE_PACKAGES if plan.workload.table else ()):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            environment.extra[name] = importlib.metadata.version(name)
    return res.Results(source="local", environment=environment, options=plan.options())


def _saver(output: Path | None) -> Callable[[res.Results], None] | None:
    if output is None:
        return None

    def save(results: res.Results) -> None:
        with contextlib.suppress(OSError):  # the final save reports write errors
            markdown.save(results, output)

    return save


def measure(
    plan: run.LocalPlan,
    lane_rts: dict[str, Runtime],
    bodies: dict[int, bytes],
    results: res.Results,
    output: Path | None,
) -> int:
    """Run; record how it ended in `results`; the exit code."""
    code = errors.EXIT_OK
    try:
        with errors.sigterm_as_interrupt():
            console = errors.stderr_console()
            run.run_local(plan, lane_rts, results, console, bodies=bodies, on_series=_saver(output))
        results.complete = True
    except KeyboardInterrupt as exc:
        results.failure = errors.stop_reason(exc)
        code = errors.exit_code(exc)
    except errors.BenchError as exc:
        results.failure = str(exc)
        code = exc.exit_code
    results.finished_at = res.now_iso()
    return code


def write(results: res.Results, output: Path | None, console: Console) -> list[Path]:
    """results.json/.csv/.md and latency.png in `output` (nothing without one, or no series)."""
    if output is None or not results.series:
        return []
    try:
        paths = markdown.save(results, output)
        from telemetry_agg.bench.reporting import chart  # noqa: PLC0415 - matplotlib is slow to import

        png = chart.latency_chart(results, output / "latency.png")
    except OSError as exc:
        errors.print_error(f"cannot write results to {output}: {exc}", console)
        return []
    return [*paths, *([png] if png else [])]


def tell(results: res.Results, code: int, output: Path | None, paths: list[Path]) -> None:
    """The last lines on stderr: how the run ended, and where the results are."""
    console = errors.stderr_console()
    if results.store_check is not None:
        checked = ", ".join(f"{k} {v}" for k, v in results.store_check.items())
        console.print(f"table check: {checked}", highlight=False)
    if results.failure:
        label = "stopped" if code in (errors.EXIT_INTERRUPTED, errors.EXIT_TERMINATED) else "error"
        errors.print_error(results.failure, console, label=label)
        if results.series and paths:
            console.print(f"partial results kept; written to {output}", highlight=False)
        elif results.series:
            console.print(
                "partial results shown above; rerun with --output DIR to keep them", highlight=False
            )
    elif paths:
        console.print(f"wrote {', '.join(str(p) for p in paths)}", highlight=False, soft_wrap=True)


def local_main(plan: run.LocalPlan, *, output: Path | None, as_json: bool) -> int:
    """The `local` command once its options are parsed: the exit code."""
    bodies, lane_rts = prepare(plan, output)
    if note := cpucap.shared_cpu_note(plan.concurrency):
        errors.stderr_console().print(note, style="yellow", highlight=False)
    results = new_results(plan, lane_rts)
    code = measure(plan, lane_rts, bodies, results, output)
    paths = write(results, output, errors.stderr_console())
    if output is not None and results.series and not paths:
        code = code or errors.EXIT_FAILURE
    if not results.series:
        checks.remove_if_empty(output)
    if results.series and code != errors.EXIT_MISSING_TOOL:
        tables.print_report(tables.table_console(stderr=as_json), results)
    tell(results, code, output, paths)
    if as_json:
        print(json.dumps(summary.run_summary(results, paths), indent=1))
    return code
