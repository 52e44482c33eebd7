"""The SnapStart hooks (telemetry_agg.snapstart): registered only where the managed runtime's
`snapshot_restore_py` exists, priming the aggregator before the snapshot and reseeding the
random state after a restore. A stand-in `snapshot_restore_py` (the real one ships only inside
Lambda's python3.12+ runtimes) records what the handler registers, in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

from telemetry_agg import snapstart

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

STAND_IN = """
before, after = [], []
def register_before_snapshot(func, *args, **kwargs):
    before.append(func)
def register_after_restore(func, *args, **kwargs):
    after.append(func)
"""

PROBE = textwrap.dedent(
    """
    import json, random, sys
    import snapshot_restore_py as hooks
    import telemetry_agg.handler as handler
    from telemetry_agg import store
    state = {"before": len(hooks.before), "after": len(hooks.after)}
    hooks.before[0]()  # Lambda runs it just before taking the snapshot
    random.seed(7)
    frozen = random.random()
    random.seed(7)
    hooks.after[0]()  # ... and this one in each environment restored from it
    state["reseeded"] = random.random() != frozen
    state["boto3"] = "boto3" in sys.modules
    state["stores"] = len(store._stores)
    print(json.dumps(state))
    """
)


def _probe(tmp_path: Path, *, stand_in: bool) -> dict[str, object]:
    if stand_in:
        (tmp_path / "snapshot_restore_py.py").write_text(STAND_IN, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "TELEMETRY_AGG_TABLE"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), *sys.path])
    code = PROBE if stand_in else "import telemetry_agg.handler; print('{}')"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_the_handler_registers_both_hooks_in_the_managed_runtime(tmp_path: Path) -> None:
    state = _probe(tmp_path, stand_in=True)
    assert state == {"before": 1, "after": 1, "reseeded": True, "boto3": False, "stores": 0}


def test_without_the_module_nothing_is_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails, as on 3.11
    assert snapstart.register(lambda: None) is False
    assert _probe(tmp_path, stand_in=False) == {}  # the handler imports either way


def test_the_prime_document_is_one_valid_and_one_invalid_event() -> None:
    from telemetry_agg import aggregate  # noqa: PLC0415

    summary = aggregate(snapstart.PRIME_DOCUMENT)
    assert (summary.total_events, summary.invalid_events) == (2, 1)
