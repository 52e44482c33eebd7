"""One Lambda execution environment on this machine: the Runtime Interface Emulator and a runtime.

`Emulator(runtime, ...)` starts ``aws-lambda-rie`` bound to 127.0.0.1 on two free ports (its
invoke API and the Runtime API its runtime talks to, so several environments run side by side),
with the environment Lambda sets (memory size, function name, region, timeout ...). The emulator
starts the runtime (a lane's `local_argv`, see `runtimes.py`) lazily, at the first invocation,
as Lambda does at a cold start.

What the emulator does and does not tell (checked against its source, pinned in bench/constants.py):

- It prints a ``REPORT RequestId: ... Duration ... Billed Duration ...`` line per invocation on
  its standard output; the first carries ``Init Duration``. Its Init Duration covers only its own
  bookkeeping (a fraction of a millisecond; aws-lambda-runtime-interface-emulator issue #106):
  the runtime's start-up shows in the first
  invocation's Duration and client latency, which is why the bench's cold start is the first
  invocation's client latency.
- Its ``Max Memory Used`` is the memory size, a placeholder: never read. Peak memory is the
  runtime process's VmHWM from /proc (the emulator's child; it starts it in a process group of
  its own, so `stop()` kills that group as well as the emulator's).
- A timeout (``AWS_LAMBDA_FUNCTION_TIMEOUT``) answers 200 with the text ``Task timed out after
  N.00 seconds``; a runtime that fails at init or exits answers 502.

API: `Emulator` (`start()`, `invoke(event_bytes) -> Invocation`, `peak_rss_mb()`, `stop()`,
context manager), `Invocation`, `RieReport`; the runtimes it starts: `runtimes.py`.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Self

from telemetry_agg.bench.errors import EmulatorError, ToolMissingError
from telemetry_agg.bench.local import reaper, taskdir
from telemetry_agg.bench.local.runtimes import Runtime, free_port, port_free, rie_path

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Emulator", "EmulatorError", "Invocation", "RieReport", "Runtime", "ToolMissingError"]

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
TIMED_OUT = b"Task timed out after"
_REPORT = re.compile(r"REPORT RequestId: (\S+)\s+(.*)")
_FIELD = re.compile(r"(Init Duration|Duration|Billed Duration): ([0-9.]+) ms")


@dataclass(frozen=True, slots=True)
class RieReport:
    """The numbers of one REPORT line (milliseconds)."""

    duration_ms: float
    billed_ms: float
    init_ms: float | None = None

    @classmethod
    def parse(cls, rest: str) -> RieReport:
        values = dict(_FIELD.findall(rest))
        return cls(
            duration_ms=float(values.get("Duration", "nan")),
            billed_ms=float(values.get("Billed Duration", "nan")),
            init_ms=float(values["Init Duration"]) if "Init Duration" in values else None,
        )


@dataclass(slots=True)
class Invocation:
    """One invocation as the client saw it."""

    client_ms: float
    http_status: int
    body: bytes
    report: RieReport | None
    request_id: str
    error: str | None = None  # None, "timeout", "runtime_error", "connection"


def _descendants(pid: int) -> list[int]:
    """Every live descendant of `pid`, by /proc's children lists."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = [t.name for t in Path(f"/proc/{p}/task").iterdir()]
        except OSError:
            continue
        for t in tasks:
            with contextlib.suppress(OSError):
                kids = Path(f"/proc/{p}/task/{t}/children").read_text().split()
                for k in map(int, kids):
                    if k not in out:
                        out.append(k)
                        todo.append(k)
    return out


def _start_time(pid: int) -> int | None:
    """The process's start time (clock ticks since boot): a pid plus this names one process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while a child process is created, so that a signal never
    lands between its fork and our record of it: every process we start is one `stop()` can
    find. A signal that arrives meanwhile is handled, as it would have been, right after.

    (Masking the signals would not do: the other threads would still take them, and Python
    would raise in the main thread in the middle of Popen.) Only the main thread can change
    signal handlers; elsewhere this is a no-op, and signals only ever raise in the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, _frame: object) -> None:
        pending.append(signum)

    old = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        for signum in pending[:1]:
            handler = old[signal.Signals(signum)]
            if callable(handler):
                handler(signum, None)
            else:
                signal.raise_signal(signum)


def listening(proc: subprocess.Popen[bytes], port: int, timeout_s: float, poll_s: float) -> bool:
    """Whether `proc` accepts connections on 127.0.0.1:`port` within `timeout_s` (False as soon
    as it exits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(poll_s)
    return False


def terminate(proc: subprocess.Popen[bytes], ours: list[int], timeout_s: float = 2.0) -> None:
    """SIGTERM, then SIGKILL, to `proc`'s process group (it was started in a session of its
    own), the groups of `ours` (an emulator's runtime starts a group of its own) and `ours`
    themselves; wait for `proc`."""
    groups = {proc.pid}
    for pid in ours:
        with contextlib.suppress(OSError):
            groups.add(os.getpgid(pid))
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for g in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(g, sig)
        for pid in ours:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            continue
        return


class Emulator:
    """One execution environment: aws-lambda-rie + its runtime, on 127.0.0.1."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        memory_mb: int = 512,
        timeout_s: int = 10,
        port: int | None = None,
        name: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.runtime = runtime  # with its task folder filled in while it runs
        self.template = runtime
        self.task: Path | None = None  # the task folder extracted for this start
        self.memory_mb = memory_mb
        self.timeout_s = timeout_s
        self.requested_port = port
        self.port = 0
        self.name = name or f"telemetry-agg-{runtime.lane}"
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.lines: deque[str] = deque(maxlen=300)
        self._reports: dict[str, RieReport] = {}
        self._cond = threading.Condition()
        self._reader: threading.Thread | None = None
        self._conn: http.client.HTTPConnection | None = None
        self._known_pids: dict[int, int | None] = {}
        self._watched: set[int] = set()  # process groups the reaper kills if we are killed
        self.runtime_pid: int | None = None
        self._peak_mb: float | None = None

    # -- life cycle ------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(self.timeout_s),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "local",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "LAMBDA_TASK_ROOT": str(self.runtime.cwd),
            "LOG_LEVEL": "error",
        }
        if "VIRTUAL_ENV" in os.environ:
            env["VIRTUAL_ENV"] = os.environ["VIRTUAL_ENV"]
        env.update(self.runtime.env)
        env.update(self.extra_env)
        return env

    def start(self, *, ready_timeout_s: float = 15.0) -> Self:
        rie = rie_path()
        port = self.requested_port
        if port is not None and not port_free(port):
            raise EmulatorError(
                f"port 127.0.0.1:{port} is in use: choose another port, or stop what listens "
                f"there (`ss -ltnp 'sport = :{port}'` shows it)"
            )
        for attempt in range(3):
            self._fresh_task()
            self.port = port or free_port()
            api_port = free_port()
            argv = [
                str(rie),
                "--runtime-interface-emulator-address",
                f"127.0.0.1:{self.port}",
                "--runtime-api-address",
                f"127.0.0.1:{api_port}",
                "--log-level",
                "error",
                *self.runtime.argv,
            ]
            self.lines.clear()
            with signals_held():
                self.proc = subprocess.Popen(
                    argv,
                    cwd=self.runtime.cwd,
                    env=self.env(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C goes to us; we stop it
                )
                self._watch(self.proc.pid)  # and if we are killed, the reaper does
            self._reader = threading.Thread(
                target=self._read, args=(self.proc.stdout,), daemon=True
            )
            self._reader.start()
            if self._wait_ready(ready_timeout_s):
                return self
            in_use = any("address already in use" in line for line in self.lines)
            self.stop()
            if not in_use or port is not None or attempt == 2:
                break
        tail = "\n".join(list(self.lines)[-15:])
        raise EmulatorError(
            f"the emulator for {self.runtime.lane} did not start on 127.0.0.1:{self.port}"
            + (f"; its output:\n{tail}" if tail else " (no output)")
        )

    def _fresh_task(self) -> None:
        """A Python lane's task folder: its zip extracted afresh for this start (as /var/task)."""
        if self.template.task_zip is not None:
            self.task = taskdir.extract(self.template.task_zip)
            self.runtime = taskdir.in_folder(self.template, self.task)

    def _wait_ready(self, timeout_s: float) -> bool:
        return self.proc is not None and listening(self.proc, self.port, timeout_s, poll_s=0.01)

    def _read(self, stream: IO[bytes] | None) -> None:
        if stream is None:
            return
        with contextlib.suppress(ValueError, OSError):  # `stop` closed it: the output is over
            for raw in stream:
                self._line(raw)

    def _line(self, raw: bytes) -> None:
        """One line of the emulator's output: a REPORT, or kept for `output_tail`."""
        line = raw.decode("utf-8", "replace").rstrip("\n")
        m = _REPORT.search(line)
        if m:
            with self._cond:
                self._reports[m.group(1)] = RieReport.parse(m.group(2))
                self._cond.notify_all()
        else:
            self.lines.append(line)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{INVOKE_PATH}"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _track(self) -> None:
        """Remember the runtime's pid(s) and their peak RSS while they live."""
        if self.proc is None:
            return
        kids = _descendants(self.proc.pid)
        for pid in kids:
            if pid not in self._known_pids:
                self._known_pids[pid] = _start_time(pid)
                with contextlib.suppress(OSError):
                    self._watch(os.getpgid(pid))  # the runtime's group of its own
        if kids:
            self.runtime_pid = kids[0]
        for pid in kids:
            hwm = _vm_hwm_mb(pid)
            if hwm is not None and (self._peak_mb is None or hwm > self._peak_mb):
                self._peak_mb = hwm

    def _watch(self, group: int) -> None:
        if group not in self._watched:
            self._watched.add(group)
            reaper.watch(group)

    def peak_rss_mb(self) -> float | None:
        """The runtime process's peak resident set (VmHWM), in MiB, so far."""
        self._track()
        return self._peak_mb

    def stop(self) -> None:
        """Stop the emulator and its runtime (its own process group too); idempotent."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        proc = self.proc
        if proc is None:
            self._drop_task()
            return
        for pid in _descendants(proc.pid):
            self._known_pids.setdefault(pid, _start_time(pid))
        # Only processes that are still the ones we saw (a pid may have been reused since).
        ours = [p for p, t in self._known_pids.items() if t is not None and _start_time(p) == t]
        terminate(proc, ours)
        for pid in ours:  # a runtime that ignored SIGTERM and outlived its emulator
            if _start_time(pid) == self._known_pids[pid]:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        for group in self._watched:
            reaper.forget(group)
        self._watched.clear()
        if self._reader is not None:  # the output ends with the processes: read it all
            self._reader.join(timeout=2.0)
        if proc.stdout is not None:
            proc.stdout.close()
        self.proc = None
        self._drop_task()

    def _drop_task(self) -> None:
        taskdir.remove(self.task)
        self.task, self.runtime = None, self.template

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- invoking ----------------------------------------------------------------------------
    def invoke(self, event: bytes, *, client_timeout_s: float | None = None) -> Invocation:
        """POST one event; wait for the answer and its REPORT line."""
        request_id = str(uuid.uuid4())
        timeout = client_timeout_s or self.timeout_s + 10
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"content-type": "application/json", "x-amzn-requestid": request_id}
        t0 = time.perf_counter()
        try:
            self._conn.request("POST", INVOKE_PATH, body=event, headers=headers)
            resp = self._conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            client_ms = (time.perf_counter() - t0) * 1000
            self._conn.close()
            self._conn = None
            reason = (
                "timed out" if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__
            )
            self.lines.append(f"[telemetry-bench] invoke failed: {reason}")
            return Invocation(client_ms, 0, b"", None, request_id, "connection")
        client_ms = (time.perf_counter() - t0) * 1000
        self._track()
        report = self._report(request_id, wait_s=2.0)
        error = None
        if resp.status == 200 and body.startswith(TIMED_OUT):
            error = "timeout"
        elif resp.status != 200:
            error = "runtime_error"
        return Invocation(client_ms, resp.status, body, report, request_id, error)

    def _report(self, request_id: str, *, wait_s: float) -> RieReport | None:
        deadline = time.monotonic() + wait_s
        with self._cond:
            while request_id not in self._reports:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return self._reports.pop(request_id)

    def output_tail(self, n: int = 15) -> str:
        return "\n".join(list(self.lines)[-n:])
