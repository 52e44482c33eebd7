"""`local`'s plan: how many environments per lane run at once unless the user says."""

from __future__ import annotations

import os

import pytest

from telemetry_agg.bench.local import cpucap, run


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 1), (3, 1), (4, 2), (64, 2)])
def test_environments_at_once_leave_a_core_for_the_emulator_and_client(
    monkeypatch: pytest.MonkeyPatch, cores: int, expected: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)))
    assert run.default_concurrency() == expected
    assert run.LocalPlan(sizes=[100]).concurrency == expected


def test_without_affinity_the_cpu_count_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert run.default_concurrency() == 2
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert run.default_concurrency() == 1


def test_quick_takes_the_machines_default() -> None:
    assert "concurrency" not in run.QUICK


def test_more_environments_than_the_default_are_told_they_share_the_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    assert cpucap.shared_cpu_note(1) is None
    note = cpucap.shared_cpu_note(2)
    assert note is not None
    assert "2 environments per lane at once on 2 cores share the CPU" in note
    assert "`-c 1`" in note
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(8)))
    assert cpucap.shared_cpu_note(2) is None
