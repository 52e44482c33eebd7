"""The emulator wrapper against the real aws-lambda-rie: REPORT lines, peak RSS, timeouts, crashes,
a port in use, and no process left behind."""

from __future__ import annotations

import json
import socket
from typing import TYPE_CHECKING

import pytest

from support import wait_gone
from telemetry_agg.bench.local.emulator import Emulator, EmulatorError
from telemetry_agg.bench.local.runtimes import go_runtime, python_runtime
from telemetry_agg.bench.model import payloads

from .support import descendants, fake_runtime

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [pytest.mark.emulator, pytest.mark.usefixtures("tools")]

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"len": len(event.get("body") or ""),
                                "memory": context.memory_limit_in_mb})}
"""


def test_invocations_reports_and_cleanup(tmp_path: Path) -> None:
    emu = Emulator(fake_runtime(tmp_path, ECHO), memory_mb=256, timeout_s=5)
    with emu:
        first = emu.invoke(json.dumps({"body": "abc"}).encode())
        second = emu.invoke(json.dumps({"body": "abcdef"}).encode())
        kids = descendants(emu.proc.pid) if emu.proc else []
        rie_pid = emu.proc.pid if emu.proc else 0
        assert kids, "the runtime runs as the emulator's child"
        peak = emu.peak_rss_mb()
    assert first.error is None
    assert json.loads(json.loads(first.body)["body"]) == {"len": 3, "memory": "256"}
    assert json.loads(json.loads(second.body)["body"])["len"] == 6
    assert first.report is not None
    assert second.report is not None
    assert first.report.init_ms is not None  # only the first REPORT has Init Duration
    assert second.report.init_ms is None
    assert second.report.billed_ms >= second.report.duration_ms > 0
    assert peak is not None
    assert 5 < peak < 500  # MiB: a real VmHWM, not the emulator's placeholder (256)
    assert wait_gone([rie_pid, *kids]) == []


def test_timeout_is_reported_as_such(tmp_path: Path) -> None:
    slow = "import time\ndef handler(event, context):\n    time.sleep(3)\n    return {}\n"
    with Emulator(fake_runtime(tmp_path, slow), timeout_s=1) as emu:
        inv = emu.invoke(b"{}")
    assert inv.error == "timeout"
    assert inv.report is not None
    assert inv.report.duration_ms == pytest.approx(1000, abs=50)


def test_crash_at_init_is_a_runtime_error(tmp_path: Path) -> None:
    crash = "raise RuntimeError('broken at import')\n"
    with Emulator(fake_runtime(tmp_path, crash)) as emu:
        inv = emu.invoke(b"{}")
    assert inv.error == "runtime_error"
    assert inv.http_status == 502
    assert b"broken at import" in inv.body


def test_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(EmulatorError, match=f"port 127.0.0.1:{port} is in use"):
            Emulator(fake_runtime(tmp_path, ECHO), port=port).start()


def test_two_environments_side_by_side_and_both_real_runtimes() -> None:
    body = payloads.payload(50)
    event = json.dumps(payloads.function_url_event(body)).encode()
    answers = {}
    with Emulator(python_runtime()) as py, Emulator(go_runtime()) as go:
        assert py.port != go.port
        for emu in (py, go):
            inv = emu.invoke(event)
            assert inv.error is None, emu.output_tail()
            response = json.loads(inv.body)
            assert response["statusCode"] == 200
            answers[emu.runtime.lane] = json.loads(response["body"])
    assert answers["python"]["language"] == "python"
    assert answers["go"]["language"] == "go"
    assert answers["python"]["total_events"] == answers["go"]["total_events"] == 50
