"""The runtime client's share of an invocation: awslambdaric's decode (simplejson) + handler +
encode, against the lean runtime's handler on the raw bytes + encode, on the 20,000-event
Function URL event. Ratios and the emulator's REPORT Duration: ``benchmarks/lean_runtime.py``."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from lean_runtime import answer, lean_path, stock_path
from telemetry_agg.bench.model.payloads import function_url_event, payload

marshaller = pytest.importorskip(
    "awslambdaric.lambda_runtime_marshaller",
    reason="awslambdaric (the bench extra) is the stock runtime client",
)
EVENT = json.dumps(function_url_event(payload(20_000))).encode()


@pytest.mark.parametrize("lane", ["stock", "lean"])
def test_runtime_decode_handler_encode(benchmark: Any, lane: str) -> None:
    benchmark.group = "20,000 events: runtime decode + handler + encode"
    run = stock_path(marshaller.LambdaMarshaller()) if lane == "stock" else lean_path
    with contextlib.redirect_stdout(io.StringIO()):  # the handler's log line
        result = benchmark(run, EVENT)
        expected = answer(
            lean_path(EVENT)
            if lane == "stock"
            else stock_path(marshaller.LambdaMarshaller())(EVENT)
        )
    assert answer(result) == expected
    assert expected[1]["total_events"] == 20_000
