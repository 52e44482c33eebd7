"""The three lanes under the real Lambda Runtime Interface Emulator, as `local` starts them.

Every shared vector whose event fits Lambda's 6 MB request limit goes through every lane, each
run from the packaged zip (extracted as its task folder) on the runtime's Python: `python-lean`
(``python -m telemetry_agg.runtime``) must give the vector's answer, and stock `python`
(``python -m awslambdaric``) and `go` the same (status, error code, agreement, contract §4).

The one exception, a finding about the stock runtime, not ours (docs/contract.md §1, README
"The lean runtime"): awslambdaric decodes each event with simplejson, whose versions 3.19 and
later refuse NaN and the infinities; the managed python3.12 runtime's client does the same. So
for the events in `STOCK_UNMARSHAL_ERRORS` the stock lane fails before its handler
(`Runtime.UnmarshalError`, an invocation error) while the lean and Go lanes answer the vector's
contract answer. The list is exact: a vector that starts or stops failing so fails the test.

Then the Runtime API's error paths for the lean loop: an init failure, an exception escaping a
handler, a deadline; and the lean-wrapper script from the zip as Lambda's
AWS_LAMBDA_EXEC_WRAPPER runs it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from support import Vector, check_response, load_event, load_vectors
from telemetry_agg.bench.local import runtimes, taskdir
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model import payloads
from telemetry_agg.limits import NOT_COMPARED

from .support import HANDLER, write_module

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.emulator

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = "telemetry_agg/runtime/lean-wrapper"
LAMBDA_REQUEST_LIMIT = 6 * 1024 * 1024  # bytes of an invocation's event (synchronous invoke)
LEAN_ARGV = [sys.executable, "-m", "telemetry_agg.runtime"]
# Events the stock client cannot decode (NaN in the event's own JSON: a direct array), so it
# fails before the handler; the lean and Go lanes answer them by the contract. (A NaN inside a
# Function URL event's body string reaches every handler: the document/ NaN vectors agree.)
STOCK_UNMARSHAL_ERRORS = frozenset(
    {
        "event/direct_array_nan",
        "event/direct_array_replaced_duplicates",
        "event/direct_array_survivor_nan",
    }
)


def event_bytes(vector: Vector) -> bytes:
    """The event's JSON text, as a caller sends it (lone surrogates stay \\u escapes)."""
    if vector.event_file is not None:
        return vector.event_file.read_bytes()
    return json.dumps(vector.inline_event).encode()


FITTING = [v for v in load_vectors() if len(event_bytes(v)) <= LAMBDA_REQUEST_LIMIT]


def lean_runtime(cwd: Path = ROOT, handler: str = HANDLER, **env: str) -> runtimes.Runtime:
    """The lean loop on this checkout's sources and Python, serving a test's handler."""
    base = {"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "PYTHONDONTWRITEBYTECODE": "1"}
    return runtimes.Runtime(
        lane="python-lean", argv=LEAN_ARGV, cwd=cwd, env={**base, "_HANDLER": handler, **env}
    )


@pytest.fixture(scope="module")
def lanes(rie: Any, python_runtime_folder: None) -> Iterator[dict[str, Any]]:
    """One emulator per lane for the whole module, as `local` starts them; always stopped."""
    started: dict[str, Any] = {}
    try:
        for lane in lane_registry.all_lanes():
            runtime = runtimes.lane_runtime(lane, build=False)
            started[lane.name] = rie.Emulator(runtime, name=lane.name).start()
        yield started
    finally:
        for emu in started.values():
            emu.stop()


def response_of(invocation: Any) -> dict[str, Any]:
    assert invocation.http_status == 200, invocation.body[:300]
    assert invocation.error is None, invocation.body[:300]
    response: dict[str, Any] = json.loads(invocation.body)
    return response


def meaning(response: dict[str, Any]) -> tuple[int, Any]:
    """What two lanes must agree on: the status, and the error code or the answer (§4)."""
    body = json.loads(response["body"])
    if response["statusCode"] != 200:
        return response["statusCode"], body["error"]
    return 200, {k: v for k, v in body.items() if k not in NOT_COMPARED}


def test_every_vector_is_run_but_the_too_large() -> None:
    too_large = {v.name for v in load_vectors()} - {v.name for v in FITTING}
    assert len(FITTING) > 150
    assert all(
        len(event_bytes(v)) > LAMBDA_REQUEST_LIMIT for v in load_vectors() if v.name in too_large
    )


def test_the_stock_exceptions_are_vectors_that_run() -> None:
    assert {v.name for v in FITTING} >= STOCK_UNMARSHAL_ERRORS


@pytest.mark.parametrize("fitting", FITTING, ids=[v.name for v in FITTING])
def test_vector_every_lane_answers_alike(lanes: dict[str, Any], fitting: Vector) -> None:
    vector = fitting
    event = event_bytes(vector)
    lean = response_of(lanes["python-lean"].invoke(event))
    check_response(lean, vector.expect)
    go = response_of(lanes["go"].invoke(event))
    assert go["statusCode"] == vector.expect["statusCode"]
    assert meaning(lean) == meaning(go)  # check_response holds the Python lanes' language
    stock = json.loads(lanes["python"].invoke(event).body)
    if vector.name in STOCK_UNMARSHAL_ERRORS:  # the stock client fails before its handler
        assert stock.get("errorType") == "Runtime.UnmarshalError", stock
        return
    assert "errorType" not in stock, stock
    check_response(stock, vector.expect)
    assert meaning(lean) == meaning(stock)
    assert lean["headers"] == stock["headers"]


def test_init_failure_is_an_init_error(rie: Any, tmp_path: Path) -> None:
    write_module(tmp_path, "broken", "raise RuntimeError('broken at import')\n")
    runtime = lean_runtime(tmp_path, "broken.handler", PYTHONPATH=str(tmp_path))
    with rie.Emulator(runtime) as emu:
        inv = emu.invoke(b"{}")
        output = emu.output_tail(40)
    assert inv.error == "runtime_error"
    assert inv.http_status == 502
    error = json.loads(inv.body)  # the body the loop posted to /runtime/init/error
    assert (error["errorType"], error["errorMessage"]) == ("RuntimeError", "broken at import")
    assert error["requestId"] == ""
    assert any("broken.py" in line for line in error["stackTrace"])
    assert "Init failed" in output


def test_an_escaping_exception_is_an_invocation_error(rie: Any, tmp_path: Path) -> None:
    write_module(
        tmp_path,
        "flaky",
        """
        def handler(event, context):
            if event.get("fail"):
                raise KeyError("no such thing")
            return {"ok": True, "request_id": context.aws_request_id}
        """,
    )
    runtime = lean_runtime(tmp_path, "flaky.handler", PYTHONPATH=str(tmp_path))
    with rie.Emulator(runtime) as emu:
        failed = emu.invoke(b'{"fail": true}')
        pid = emu.runtime_pid
        ok = emu.invoke(b'{"fail": false}')
        assert emu.runtime_pid == pid  # the same process went on to the next event
    error = response_of(failed)
    assert error["errorType"] == "KeyError"
    assert error["errorMessage"] == "'no such thing'"
    assert error["requestId"] == failed.request_id
    assert any("flaky.py" in line for line in error["stackTrace"])
    assert response_of(ok) == {"ok": True, "request_id": ok.request_id}


def test_deadline(rie: Any, tmp_path: Path) -> None:
    write_module(
        tmp_path,
        "sleepy",
        """
        import time
        def handler(event, context):
            remaining = context.get_remaining_time_in_millis()
            time.sleep(event["sleep"])
            return {"remaining": remaining}
        """,
    )
    runtime = lean_runtime(tmp_path, "sleepy.handler", PYTHONPATH=str(tmp_path))
    with rie.Emulator(runtime, timeout_s=1) as emu:
        quick = emu.invoke(b'{"sleep": 0}')
        slow = emu.invoke(b'{"sleep": 3}')
        after = emu.invoke(b'{"sleep": 0}')  # a fresh runtime, started again
    assert 0 < response_of(quick)["remaining"] <= 1000
    assert slow.error == "timeout"
    assert slow.report is not None
    assert slow.report.duration_ms == pytest.approx(1000, abs=150)
    assert 0 < response_of(after)["remaining"] <= 1000


def test_the_wrapper_from_the_zip_runs_the_lean_loop(rie: Any, lanes: dict[str, Any]) -> None:
    """As AWS_LAMBDA_EXEC_WRAPPER: the wrapper, executable in the zip, gets the interpreter and
    the stock start command, with PYTHONPATH the runtime folder only (Lambda's /var/runtime),
    and execs the lean loop with that interpreter from the task folder; the 20,000-event
    Function URL event and the sample events get the stock lane's answers."""
    stock = runtimes.lane_runtime(lane_registry.PYTHON, build=False)
    python = stock.argv[0]
    runtime_dir = stock.env["PYTHONPATH"].split(":", 1)[1]
    wrapped = runtimes.Runtime(
        lane="python-lean",
        argv=[f"{taskdir.TASK}/{WRAPPER}", python, "/var/runtime/bootstrap.py"],
        cwd=ROOT,
        env={**stock.env, "_HANDLER": HANDLER, "PYTHONPATH": runtime_dir},
        task_zip=stock.task_zip,
    )
    big = json.dumps(payloads.function_url_event(payloads.payload(20_000))).encode()
    events = [
        big,
        *(json.dumps(load_event(n)).encode() for n in ("function_url_post", "function_url_get")),
    ]
    answers = []
    with rie.Emulator(wrapped) as lean_emu:
        for event in events:
            lean = response_of(lean_emu.invoke(event))
            assert meaning(lean) == meaning(response_of(lanes["python"].invoke(event)))
            answers.append(meaning(lean))
        pid = lean_emu.runtime_pid
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if pid else []
        cwd = Path(f"/proc/{pid}/cwd").resolve() if pid else None
        task = lean_emu.task
    assert answers[0][1]["total_events"] == 20_000
    assert [status for status, _ in answers] == [200, 200, 405]
    assert cmdline[:3] == [python.encode(), b"-m", b"telemetry_agg.runtime"]
    assert task is not None
    assert cwd == task.resolve()
