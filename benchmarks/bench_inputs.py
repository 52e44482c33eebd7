"""Shared inputs for the benchmarks: the study's payloads at each size, built once a process."""

from __future__ import annotations

from typing import Any

from telemetry_agg.bench.model.payloads import payload

SIZES = (100, 1_000, 5_000, 20_000, 100_000)
_CACHE: dict[int, bytes] = {}


def document(size: int) -> bytes:
    """The STUDY.md generator's batch of ``size`` events (about 82 bytes an event)."""
    if size not in _CACHE:
        _CACHE[size] = payload(size)
    return _CACHE[size]


def function_url_event(body: bytes) -> dict[str, Any]:
    """A Function URL POST carrying ``body`` as text, as the handler receives it."""
    return {
        "version": "2.0",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": "POST", "path": "/"}},
        "isBase64Encoded": False,
        "body": body.decode(),
    }
