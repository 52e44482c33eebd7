"""Every shared vector, through the real handler, under every built-in aggregator."""

from __future__ import annotations

import json

from support import Vector, check_response, load_vectors
from telemetry_agg.errors import STATUS_BY_CODE
from telemetry_agg.handler import handle


def test_vector(vector: Vector, use_aggregator: str) -> None:
    response, record = handle(vector.event())
    check_response(response, vector.expect)
    if response["statusCode"] == 200:
        assert json.loads(response["body"])["aggregator"] == use_aggregator
    assert record["status_code"] == response["statusCode"]


def test_vectors_cover_every_error_code() -> None:

    seen = {v.expect["body"].get("error") for v in load_vectors()}
    store_only = {"store_unavailable", "summary_too_large"}  # §5: tests/store covers them
    assert set(STATUS_BY_CODE) - store_only <= seen
