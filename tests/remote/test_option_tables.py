"""The cold-start options priced per lane and size (reporting/option_tables.py), against
figures worked by hand from the prices in model/cost.py, and the starts told apart by kind.

The hand-worked case: arm64 in us-east-1, 512 MB (0.5 GB), 13 ms billed per warm invocation,
1% of invocations cold, an Init Duration of 300 ms, a Billed Restore Duration of 50 ms.

Per invocation, in US dollars:
- request fee 0.20 / 1M = 0.0000002;
- duration 0.013 s x 0.5 GB x 0.0000133334 = 0.0000000866671;
- on-demand INIT, per cold start: 0.3 x 0.5 x 0.0000133334 = 0.00000200001;
- SnapStart restore, per cold start: 0.5 GB x 0.0001397998 + 0.05 x 0.5 x 0.0000133334
  = 0.0000698999 + 0.000000333335 = 0.000070233235;
- provisioned duration: 0.0065 GB-s x 0.0000077778 = 0.0000000505557.
A month (730 h = 2,628,000 s):
- SnapStart cache: 0.5 x 2,628,000 x 0.0000015046 = 1.9770444;
- one provisioned environment: 0.5 x 2,628,000 x 0.0000033334 = 4.3800876.

At 10M invocations (100,000 cold):
- on-demand: 2.00 + 0.866671 + 0.200001 = 3.066672 -> $3.07 ($0.3067 per 1M);
- SnapStart: 2.00 + 0.866671 + 7.0233235 + 1.9770444 = 11.8670389 -> $11.87;
- provisioned N=1 (capacity 2,628,000,000 / 13 = 202M, so no spill): 2.00 + 0.505557 +
  4.3800876 = 6.8856446 -> $6.89.
Break-even of provisioned: it saves 0.000000306667 - 0.000000250556 = 0.0000000561115 per
invocation, so 4.3800876 / 0.0000000561115 = 78.06M invocations. SnapStart saves nothing: a
restore (0.0000702) costs more than the INIT it replaces (0.0000020): never.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench.aws import functions as aws
from telemetry_agg.bench.cli import app
from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.reporting import markdown, option_tables, remote_tables
from telemetry_agg.bench.reporting import tables as report

if TYPE_CHECKING:
    from pathlib import Path

    from typer.testing import CliRunner

MEMORY = 512

# Real REPORT lines. The first is from AWS's own sample of a SnapStart function's logs
# (aws-samples, a SnapStart function's `sam logs` output in its README, 2023-07-05): Billed
# Duration includes the Billed Restore Duration (307 + 303 = 610). The second is the shape
# Lambda writes for a failed invocation, with `Status` and `Error Type` after the numbers.
RESTORED = (
    "REPORT RequestId: b771fecc-1b53-4faf-922d-1d74357b1676\tDuration: 306.34 ms\t"
    "Billed Duration: 610 ms\tMemory Size: 3009 MB\tMax Memory Used: 155 MB\t"
    "Restore Duration: 511.25 ms\tBilled Restore Duration: 303 ms\t"
)
FAILED = (
    "REPORT RequestId: 57325a9d-ff5f-42e4-83df-80f3dcaaef25\tDuration: 95.78 ms\t"
    "Billed Duration: 96 ms\tMemory Size: 512 MB\tMax Memory Used: 39 MB\t"
    "Status: error\tError Type: Runtime.ImportModuleError"
)
ON_DEMAND = (
    "REPORT RequestId: 2d1e6b1c-6a7e-4a0e-9d0f-0a1b2c3d4e5f\tDuration: 12.34 ms\t"
    "Billed Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 40 MB\t"
    "Init Duration: 120.5 ms\tXRAY TraceId: 1-66d978e5-56c7\tSegmentId: 29c3\tSampled: true"
)


def test_a_restored_report_is_read_with_its_restore_durations() -> None:
    report = aws.parse_report(RESTORED)
    assert report is not None
    assert (report.restore_ms, report.billed_restore_ms, report.init_ms) == (511.25, 303.0, None)
    assert report.billed_ms == 610
    assert report.start == "restored"
    assert report.cold
    assert not report.failed


def test_the_three_kinds_of_start_are_told_apart() -> None:
    on_demand = aws.parse_report(ON_DEMAND)
    warm = aws.parse_report(ON_DEMAND.replace("Init Duration: 120.5 ms\t", ""))
    assert on_demand is not None
    assert warm is not None
    assert (on_demand.start, warm.start) == ("on-demand", "warm")
    assert on_demand.cold
    assert not warm.cold


def test_a_failed_report_carries_its_status_and_error_type() -> None:
    report = aws.parse_report(FAILED)
    assert report is not None
    assert (report.status, report.error_type) == ("error", "Runtime.ImportModuleError")
    assert report.failed
    assert "Runtime.ImportModuleError" in report.failure()
    restore_failed = aws.parse_report(RESTORED + "Status: error\tError Type: Runtime.ExitError")
    assert restore_failed is not None
    assert "snapshot restore" in restore_failed.failure()
    assert "Runtime.ExitError" in restore_failed.failure()


def _run(
    invocations: int, *, deployment: dict[str, dict[str, object]] | None = None
) -> res.Results:
    run = res.Results(
        source="remote",
        options={
            "memory": MEMORY,
            "region": "us-east-1",
            "architecture": "arm64",
            "invocations": invocations,
            "cold_share": 0.01,
            "deployment": deployment or {},
        },
    )
    run.environment.region = "us-east-1"
    for lane in ("python", "go"):
        series = run.series_for(100, lane, payload_bytes=8200)
        series.samples.append(
            res.Sample(kind="cold", client_ms=400, status_code=200, duration_ms=20, init_ms=300.0)
        )
        if lane == "python":
            series.samples.append(
                res.Sample(
                    kind="cold",
                    client_ms=90,
                    status_code=200,
                    duration_ms=20,
                    restore_ms=80.0,
                    billed_restore_ms=50.0,
                )
            )
        for _ in range(5):
            series.samples.append(
                res.Sample(
                    kind="warm", client_ms=20, status_code=200, duration_ms=12.5, billed_ms=13
                )
            )
    return run


def _row(grid: report.Grid, lane: str) -> list[str]:
    rows = [r for r in grid.rows if r[1] == lane]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(
    ("invocations", "on_demand", "snapstart", "provisioned"),
    [
        (10_000_000, "$3.07", "$11.87", "$6.89"),
        (100_000_000, "$30.67", "$100.88", "$29.44"),
        (1_000_000, "$0.3067", "$2.97", "$4.63"),
    ],
)
def test_options_match_the_hand_worked_months(
    invocations: int, on_demand: str, snapstart: str, provisioned: str
) -> None:
    grid = option_tables.options_grid(_run(invocations))
    row = _row(grid, "Python")
    assert row[2:5] == ["13.0", "300.0", "50.0"]
    assert row[5:8] == [on_demand, snapstart, f"{provisioned} (N=1*)"]
    assert row[8:] == ["never", "78.1M"]


def test_go_has_no_snapstart_and_the_deployed_n_is_priced() -> None:
    deployment = {"go": {"runtime": "provided.al2023", "provisioned_concurrency": 2}}
    row = _row(option_tables.options_grid(_run(10_000_000, deployment=deployment)), "Go")
    # N = 2: the standing charge doubles (8.7601752); the usage is the same as N = 1.
    assert row[5] == "$3.07"
    assert (row[6], row[8]) == ("n/a", "n/a")
    assert row[7] == "$11.27 (N=2)"  # 2.00 + 0.505557 + 8.7601752 = 11.2657322
    assert row[9] == "156.1M"  # 8.7601752 / 0.0000000561115


def test_the_cold_share_and_volume_can_be_overridden() -> None:
    # No cold starts at all: the start times are not needed, on-demand is requests + duration.
    grid = option_tables.options_grid(_run(1), invocations=10_000_000, cold_share=0.0)
    row = _row(grid, "Go")
    assert row[5] == "$2.87"  # 2.00 + 0.866671
    assert "10,000,000 invocations, 0.00%" in grid.title


def test_an_unmeasured_start_is_a_dash_and_another_run_fills_it() -> None:
    ondemand_only = _run(10_000_000)
    snap_only = _run(10_000_000)
    for series in ondemand_only.series:
        series.samples = [s for s in series.samples if s.restore_ms is None]
    for series in snap_only.series:
        series.samples = [s for s in series.samples if s.init_ms is None]
    alone = _row(option_tables.options_grid(snap_only), "Python")
    assert alone[5] == option_tables.DASH
    assert alone[6] == "$11.87"
    assert alone[9] == option_tables.DASH
    starts = option_tables.measured_starts([snap_only, ondemand_only])
    filled = _row(option_tables.options_grid(snap_only, starts=starts), "Python")
    assert filled[5:8] == ["$3.07", "$11.87", "$6.89 (N=1*)"]


def test_starts_are_counted_by_kind_with_their_medians() -> None:
    run = _run(1_000_000, deployment={"python": {"runtime": "python3.12", "snapstart": True}})
    run.series[0].samples.append(
        res.Sample(
            kind="cold",
            client_ms=30,
            status_code=502,
            error="http_502",
            duration_ms=5,
            restore_ms=900.0,
            billed_restore_ms=10.0,
            report_error="error: Runtime.ExitError",
        )
    )
    run.series[0].samples.append(res.Sample(kind="warm", client_ms=20, status_code=200))
    row = _row(option_tables.starts_grid(run), "Python")
    assert row[2] == "SnapStart"
    # 1 on-demand (300 ms), 2 restored (the failed one's times left out of the medians),
    # 5 warm, 1 failed, 1 without a REPORT line.
    assert row[3:] == ["1", "300.0", "2", "80.0", "50.0", "5", "1", "1"]
    titles = [g.title for g in remote_tables.remote_grids(run)]
    assert "Starts by kind (REPORT lines)" in titles
    assert any(t.startswith("Cold-start options") for t in titles)


def test_report_prices_two_runs_together_at_the_traffic_given(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`report A B --invocations --cold-share`: the on-demand run's INIT and the SnapStart
    run's restore complete each other; the traffic is the one given, not the recorded one."""
    ondemand, snap = _run(1), _run(1, deployment={"python": {"snapstart": True}})
    for series in ondemand.series:
        series.samples = [s for s in series.samples if s.restore_ms is None]
    for series in snap.series:
        series.samples = [s for s in series.samples if s.init_ms is None]
    markdown.save(ondemand, tmp_path / "on-demand")
    markdown.save(snap, tmp_path / "snapstart")
    args = ["report", str(tmp_path / "on-demand"), str(tmp_path / "snapstart")]
    args += ["--invocations", "10000000", "--cold-share", "0.01", "-o", str(tmp_path / "out")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "a month at 10,000,000 invocations, 1.00% of them" in text
    # Both runs' Python rows, each priced with the other's missing start time:
    assert text.count("| $3.07 | $11.87 | $6.89 (N=1*) | never | 78.1M |") == 2
