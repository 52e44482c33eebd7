"""The results model of a bench run, and its files: results.json, results.csv, results.md.

API (stable; the local bench, engineer E's remote bench and `telemetry-bench report` share it):

- `Sample`: one invocation as the client saw it. `kind` is ``"cold"`` (the first invocation of a
  fresh environment) or ``"warm"``; `client_ms` the client's wall-clock latency; `status_code`
  the Function URL answer's status; `parse_ms`/`compute_ms` the handler's own timings from the
  answer body; `duration_ms`/`billed_ms`/`init_ms` (a SnapStart restore: `restore_ms`,
  `billed_restore_ms`) from the REPORT line (None when there was none); `peak_rss_mb` the
  runtime process's VmHWM (local only); `max_memory_used_mb` REPORT's Max Memory Used,
  **only ever filled from real AWS** (the emulator's is a placeholder); `error` None for a
  good answer, else a short code: ``"timeout"``, ``"throttle"``, ``"http_<status>"``,
  ``"runtime_error"``, ``"connection"``, ``"mismatch"``.
- `Series`: every sample of one (payload size, lane): `size` (events), `payload_bytes`,
  `lane` (a name of `lanes.REGISTRY`: ``"python"``, ``"go"`` ...), `language` (the lane's:
  ``"python"`` | ``"go"``), `aggregator`, `samples`, and the computed views
  `cold()`, `warm()`, `errors`, `timeouts`, `throttles`, `summary()`.
- `SeriesSummary`: what the tables print for one series: cold-start client latency (median of
  the cold samples) and Init Duration, warm client latency `LatencySummary` (avg/p50/p95/p99/max),
  handler parse/compute medians, REPORT Duration and Billed Duration means, peak RSS (max),
  error counts.
- `Environment`: where it ran (CPU model, cores, OS, architecture, Python, Go and emulator
  versions, and for remote runs the region); `Environment.detect(...)` fills it for this machine.
- `Results`: `source` (``"local"`` | ``"remote"``), `environment`, `options` (the command's
  options as given), `series`, `started_at`/`finished_at` (ISO 8601 UTC), `complete` (False when
  the run stopped early: Ctrl-C, a failure) and `failure` (why). `Results.series_for(size,
  lane)` finds or adds a series; `sizes()` and `lanes()` list what is there.
- `clean(value)`: a JSON-ready copy of dicts/lists/floats with NaN and infinities as None.
- `write_data(results, directory)` writes results.json (everything: every sample) and
  results.csv (one row per sample); `reporting.markdown.save` adds results.md. `load(path)`
  reads a results.json (or the directory holding one) back into `Results`; `ResultsFileError`
  says what is wrong with a bad file.

JSON: `Results.to_dict()` / `Results.from_dict()`; NaN never appears (None instead), and the file
carries `"schema": 1`. A series written before lanes existed has no `lane`: its language is its
lane.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from telemetry_agg.bench.errors import ResultsFileError
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model.stats import LatencySummary, median, summarize

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "SCHEMA",
    "Environment",
    "Results",
    "ResultsFileError",
    "Sample",
    "Series",
    "SeriesSummary",
    "load",
    "write_data",
]

SCHEMA = 1
Source = Literal["local", "remote"]
Kind = Literal["cold", "warm"]
NAN = float("nan")


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(slots=True)
class Sample:
    kind: Kind
    client_ms: float
    status_code: int | None = None
    parse_ms: float | None = None
    compute_ms: float | None = None
    duration_ms: float | None = None
    billed_ms: float | None = None
    init_ms: float | None = None
    peak_rss_mb: float | None = None
    max_memory_used_mb: float | None = None
    error: str | None = None
    environment: int = 0
    restore_ms: float | None = None  # REPORT Restore Duration (SnapStart, remote only)
    billed_restore_ms: float | None = None  # REPORT Billed Restore Duration
    report_error: str | None = None  # REPORT Status and Error Type, when not a success
    store_ms: float | None = None  # the stored workload's PutItem time, from the answer body

    @property
    def ok(self) -> bool:
        return self.error is None


def _opt(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values) if values else NAN


@dataclass(frozen=True, slots=True)
class SeriesSummary:
    size: int
    payload_bytes: int
    lane: str
    language: str
    aggregator: str | None
    cold_ms: float  # median client latency of the cold (first) invocations
    cold_count: int
    init_ms: float  # median REPORT Init Duration of the cold invocations
    warm: LatencySummary  # client latency of the good warm invocations
    parse_ms: float  # median handler parse time (warm)
    compute_ms: float  # median handler compute time, parse included (warm)
    duration_ms: float  # mean REPORT Duration (warm)
    billed_ms: float  # mean REPORT Billed Duration (warm)
    peak_rss_mb: float  # max VmHWM of the runtime process over the series
    max_memory_used_mb: float  # max REPORT Max Memory Used (remote only)
    errors: int
    timeouts: int
    throttles: int
    store_ms: float = NAN  # median store_ms (warm): the stored workload's PutItem time


@dataclass(slots=True)
class Series:
    size: int
    language: str = ""
    payload_bytes: int = 0
    aggregator: str | None = None
    samples: list[Sample] = field(default_factory=list)
    lane: str = ""

    def __post_init__(self) -> None:
        # Either names the other: a lane's language, or (old files) the language's lane.
        self.lane = self.lane or self.language
        self.language = self.language or lane_registry.get(self.lane).language

    def cold(self) -> list[Sample]:
        return [s for s in self.samples if s.kind == "cold"]

    def warm(self) -> list[Sample]:
        return [s for s in self.samples if s.kind == "warm"]

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.error is not None)

    @property
    def timeouts(self) -> int:
        return sum(1 for s in self.samples if s.error == "timeout")

    @property
    def throttles(self) -> int:
        return sum(1 for s in self.samples if s.error == "throttle")

    def summary(self) -> SeriesSummary:
        cold = [s for s in self.cold() if s.ok]
        warm = [s for s in self.warm() if s.ok]
        return SeriesSummary(
            size=self.size,
            payload_bytes=self.payload_bytes,
            lane=self.lane,
            language=self.language,
            aggregator=self.aggregator,
            cold_ms=median([s.client_ms for s in cold]),
            cold_count=len(cold),
            init_ms=median(_opt(s.init_ms for s in cold)),
            warm=summarize(s.client_ms for s in warm),
            parse_ms=median(_opt(s.parse_ms for s in warm)),
            compute_ms=median(_opt(s.compute_ms for s in warm)),
            duration_ms=_mean(_opt(s.duration_ms for s in warm)),
            billed_ms=_mean(_opt(s.billed_ms for s in warm)),
            peak_rss_mb=max(_opt(s.peak_rss_mb for s in self.samples), default=NAN),
            max_memory_used_mb=max(_opt(s.max_memory_used_mb for s in self.samples), default=NAN),
            errors=self.errors,
            timeouts=self.timeouts,
            throttles=self.throttles,
            store_ms=median(_opt(s.store_ms for s in warm)),
        )


def _version(argv: list[str]) -> str | None:
    exe = argv[0] if Path(argv[0]).is_absolute() else shutil.which(argv[0])
    if exe is None or not Path(exe).exists():
        return None
    try:
        out = subprocess.run(
            [exe, *argv[1:]], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith(("model name", "cpu model", "hardware")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


@dataclass(slots=True)
class Environment:
    cpu: str = "unknown"
    cores: int = 0
    machine: str = ""
    os: str = ""
    python: str = ""
    go: str | None = None
    emulator: str | None = None
    region: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def detect(cls, *, emulator: str | None = None, region: str | None = None) -> Environment:
        """This machine. `emulator`: the emulator's version string, when one was used."""
        return cls(
            cpu=cpu_model(),
            cores=os.cpu_count() or 0,
            machine=platform.machine(),
            os=f"{platform.system()} {platform.release()}",
            python=platform.python_version(),
            go=_version(["go", "version"]),
            emulator=emulator,
            region=region,
        )


def clean(value: Any) -> Any:
    """NaN and infinities become None, recursively: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


@dataclass(slots=True)
class Results:
    source: Source
    environment: Environment = field(default_factory=Environment)
    options: dict[str, Any] = field(default_factory=dict)
    series: list[Series] = field(default_factory=list)
    started_at: str = field(default_factory=now_iso)
    finished_at: str | None = None
    complete: bool = False
    failure: str | None = None
    #: The stored workload's check of its table: {"answers", "items", "mismatches"}.
    store_check: dict[str, int] | None = None

    def series_for(
        self, size: int, lane: str, *, payload_bytes: int = 0, aggregator: str | None = None
    ) -> Series:
        """The series of (size, lane), added (empty) if there is none yet."""
        found = self.get(size, lane)
        if found is not None:
            return found
        s = Series(size=size, lane=lane, payload_bytes=payload_bytes, aggregator=aggregator)
        self.series.append(s)
        return s

    def sizes(self) -> list[int]:
        return sorted({s.size for s in self.series})

    def lanes(self) -> list[str]:
        """The lanes of this run: registered ones in registry order, then any others."""
        order = {name: i for i, name in enumerate(lane_registry.names())}
        return sorted({s.lane for s in self.series}, key=lambda x: (order.get(x, len(order)), x))

    def get(self, size: int, lane: str) -> Series | None:
        return next((s for s in self.series if s.size == size and s.lane == lane), None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema": SCHEMA}
        out.update(clean(asdict(self)))
        if out["store_check"] is None:  # the CPU workload's files stay as they were
            del out["store_check"]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Results:
        if not isinstance(data, dict):
            raise ResultsFileError("a results file holds a JSON object")
        if data.get("schema") != SCHEMA:
            raise ResultsFileError(
                f"unknown results schema {data.get('schema')!r}; this version reads schema {SCHEMA}"
            )
        try:
            env = Environment(**data.get("environment") or {})
            sample_fields = {f.name for f in fields(Sample)}
            series = [
                Series(
                    size=int(s["size"]),
                    language=str(s["language"]),
                    lane=str(s.get("lane") or s["language"]),
                    payload_bytes=int(s.get("payload_bytes") or 0),
                    aggregator=s.get("aggregator"),
                    samples=[
                        Sample(**{k: v for k, v in x.items() if k in sample_fields})
                        for x in s.get("samples") or []
                    ],
                )
                for s in data.get("series") or []
            ]
            source = data.get("source")
            if source not in ("local", "remote"):
                raise ResultsFileError(f"source must be 'local' or 'remote', not {source!r}")
            return cls(
                source=source,
                environment=env,
                options=dict(data.get("options") or {}),
                series=series,
                started_at=str(data.get("started_at") or ""),
                finished_at=data.get("finished_at"),
                complete=bool(data.get("complete")),
                failure=data.get("failure"),
                store_check=data.get("store_check"),
            )
        except (TypeError, KeyError, ValueError) as exc:
            if isinstance(exc, ResultsFileError):
                raise
            raise ResultsFileError(f"a results file with a bad field: {exc}") from exc


CSV_COLUMNS = (
    "source",
    "size",
    "payload_bytes",
    "lane",
    "language",
    "aggregator",
    *(f.name for f in fields(Sample)),
)


def write_data(results: Results, directory: Path) -> list[Path]:
    """Write results.json and results.csv into `directory` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / "results.json"
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results.to_dict(), indent=1, allow_nan=False) + "\n", "utf-8")
    tmp.replace(json_path)

    csv_path = directory / "results.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for s in results.series:
            head = [results.source, s.size, s.payload_bytes, s.lane, s.language, s.aggregator or ""]
            for x in s.samples:
                row = clean(asdict(x))
                values = ["" if row[f.name] is None else row[f.name] for f in fields(Sample)]
                writer.writerow(head + values)
    return [json_path, csv_path]


def load(path: Path) -> Results:
    """Read a results.json, or the results.json inside a directory."""
    file = path / "results.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResultsFileError(
            f"{file}: no such file; run `telemetry-bench local --output DIR` first"
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsFileError(f"{file}: not a readable results.json ({exc})") from exc
    try:
        return Results.from_dict(data)
    except ResultsFileError as exc:
        raise ResultsFileError(f"{file}: {exc}") from exc
