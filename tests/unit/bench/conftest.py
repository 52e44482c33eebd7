"""Fixtures for the bench's unit tests: a small, hand-made Results with known numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .support import make_results

if TYPE_CHECKING:
    from telemetry_agg.bench.model.results import Results


@pytest.fixture
def results() -> Results:
    return make_results()
