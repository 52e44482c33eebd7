"""The results model: summaries by hand, files written and read back, bad files explained."""

from __future__ import annotations

import csv
import json
import math
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench.model import results as res
from telemetry_agg.bench.model.results import Results, ResultsFileError, Sample
from telemetry_agg.bench.reporting import markdown

if TYPE_CHECKING:
    from pathlib import Path


def test_summary_by_hand(results: Results) -> None:
    py = results.get(100, "python")
    assert py is not None
    s = py.summary()
    assert s.cold_ms == 200.0
    assert s.cold_count == 1
    assert s.init_ms == 0.5
    assert s.warm.count == 10
    assert s.warm.avg == 11.0  # (2 + 4 + ... + 20) / 10
    assert s.warm.p50 == 10.0  # sorted[4]
    assert s.warm.p95 == 18.0  # sorted[8]
    assert s.compute_ms == 1.0
    assert s.duration_ms == 10.5
    assert s.billed_ms == 11.0
    assert s.peak_rss_mb == 40.0
    assert math.isnan(s.max_memory_used_mb)  # never filled locally
    assert s.errors == 0


def test_errors_are_counted_and_left_out_of_latency() -> None:
    series = res.Series(size=10, language="go")
    series.samples += [
        Sample("warm", 1.0, 200),
        Sample("warm", 1000.0, None, error="timeout"),
        Sample("warm", 5.0, 429, error="throttle"),
        Sample("warm", 2.0, 502, error="runtime_error"),
    ]
    s = series.summary()
    assert (s.errors, s.timeouts, s.throttles) == (3, 1, 1)
    assert s.warm.count == 1
    assert s.warm.max == 1.0


def test_save_and_load_round_trip(results: Results, tmp_path: Path) -> None:
    results.series[0].samples.append(Sample("warm", math.nan, None, error="connection"))
    paths = markdown.save(results, tmp_path / "out")
    assert [p.name for p in paths] == ["results.json", "results.csv", "results.md"]
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["schema"] == res.SCHEMA
    assert data["series"][0]["samples"][-1]["client_ms"] is None  # NaN is written as null
    back = res.load(tmp_path / "out")
    assert back.to_dict() == results.to_dict()
    with (tmp_path / "out" / "results.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(len(s.samples) for s in results.series)
    assert rows[0]["language"] == "python"
    assert rows[0]["kind"] == "cold"
    assert "Latency (ms)" in (tmp_path / "out" / "results.md").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a readable results.json"),
        ("[]", "a JSON object"),
        ('{"schema": 99}', "unknown results schema"),
        ('{"schema": 1, "source": "mars"}', "source must be"),
        ('{"schema": 1, "source": "local", "series": [{"language": "go"}]}', "bad field"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(content)
    with pytest.raises(ResultsFileError, match=message):
        res.load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match="telemetry-bench local"):
        res.load(tmp_path / "nothing.json")


def test_environment_detect_reads_this_machine() -> None:
    env = res.Environment.detect(emulator="v1")
    assert env.cores >= 1
    assert env.python.count(".") == 2
    assert env.emulator == "v1"
    assert env.cpu


def test_a_file_from_before_lanes_reads_with_lane_from_language(
    results: Results, tmp_path: Path
) -> None:
    data = results.to_dict()
    for series in data["series"]:
        del series["lane"]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data))
    back = res.load(path)
    assert [s.lane for s in back.series] == [s.language for s in results.series]
    assert back.lanes() == ["python", "go"]
    assert back.get(100, "go") is not None
