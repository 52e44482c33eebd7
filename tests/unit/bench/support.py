"""Helpers shared by the tests of this folder (the fixtures are in conftest.py)."""

from __future__ import annotations

from telemetry_agg.bench.model.results import Environment, Results, Sample


def make_results(*, languages: tuple[str, ...] = ("python", "go")) -> Results:
    """Warm client latencies 1..10 ms (Python x2), one cold sample each, REPORT numbers."""
    results = Results(
        source="local",
        environment=Environment(cpu="Test CPU", cores=2, machine="x86_64", python="3.11"),
        options={"memory": 512},
    )
    for lang in languages:
        factor = 2.0 if lang == "python" else 1.0
        series = results.series_for(100, lang, payload_bytes=8_200, aggregator="agg")
        series.samples.append(
            Sample("cold", 100.0 * factor, 200, init_ms=0.5, duration_ms=90.0, billed_ms=90.0)
        )
        for i in range(1, 11):
            series.samples.append(
                Sample(
                    "warm",
                    i * factor,
                    200,
                    parse_ms=0.1,
                    compute_ms=0.5 * factor,
                    duration_ms=i * factor - 0.5,
                    billed_ms=float(i * factor),
                    peak_rss_mb=20.0 * factor,
                    environment=i % 2,
                )
            )
    return results
