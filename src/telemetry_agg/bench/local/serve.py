"""`telemetry-bench serve`: local HTTP endpoints that behave like the lanes' Function URLs.

HTTP request -> Function URL event (payload format 2.0: method, lower-cased headers, raw path
and query, the body as text or base64 when it is not UTF-8, `isBase64Encoded`) -> an emulator
running the function -> HTTP response from the function's `statusCode`, `headers` and `body`.
Each endpoint keeps a pool of `concurrency` environments (one request at a time each, as on
Lambda); a request waits for a free one. As Function URLs do: a request body over 6 MB is 413, a
function error or crash is 502 `{"message": "Internal Server Error"}`, a timeout is 502 too.

Every method reaches the function (which answers 405 `method_not_allowed` for all but POST, as
the contract says), a client that hangs up mid-answer is not an error, and nothing outlives the
command: Ctrl-C and SIGTERM stop every server and every environment, including one that was
starting at that moment.

From code (tests, or anything that wants local Function URLs)::

    with serve_functions() as served:       # free ports on 127.0.0.1, every lane
        served.urls["python"], served.urls["go"]

`Served.stop()` stops the servers and every environment; `start_servers(...)` returns a started
`Served` for callers that manage the lifetime themselves. `workload=workloads.STORE` serves the
stored workload: a moto server and its table (`Served.table`), every function pointed at it, all
stopped by `stop()` too.
"""

from __future__ import annotations

import base64
import contextlib
import json
import queue
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from telemetry_agg.bench import checks, errors
from telemetry_agg.bench.constants import LAMBDA_REQUEST_LIMIT
from telemetry_agg.bench.errors import BenchError, EmulatorError
from telemetry_agg.bench.local import runtimes, stored
from telemetry_agg.bench.local.emulator import Emulator
from telemetry_agg.bench.local.runtimes import Runtime, port_free
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model import payloads, workloads

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "MAX_REQUEST_BYTES",
    "ServePlan",
    "Served",
    "serve_functions",
    "serve_main",
    "start_servers",
]

MAX_REQUEST_BYTES = LAMBDA_REQUEST_LIMIT  # a Function URL's request payload limit
DEFAULT_PORT = 9000
INTERNAL = b'{"message":"Internal Server Error"}'


class _Pool:
    """`size` environments of one function; `invoke()` waits for a free one."""

    def __init__(self, runtime: Runtime, memory_mb: int, timeout_s: int) -> None:
        self.runtime = runtime
        self.memory_mb = memory_mb
        self.timeout_s = timeout_s
        self.idle: queue.Queue[Emulator] = queue.Queue()
        self.all: list[Emulator] = []
        self.lock = threading.Lock()  # starting and stopping never overlap
        self.closed = False

    def start(self, size: int) -> None:
        """Start `size` environments; each is known to `stop()` before it starts."""
        for _ in range(size):
            emu = Emulator(self.runtime, memory_mb=self.memory_mb, timeout_s=self.timeout_s)
            with self.lock:
                if self.closed:
                    return
                self.all.append(emu)
            emu.start()
            self.idle.put(emu)

    def _revive(self, emu: Emulator) -> None:
        """Restart an environment whose runtime crashed, as Lambda would (not once stopping)."""
        with self.lock:
            if self.closed:
                raise EmulatorError("the server is stopping")
            if not emu.alive():
                emu.stop()
                emu.start()

    def invoke(self, event: bytes) -> tuple[int, dict[str, str], bytes]:
        emu = self.idle.get(timeout=self.timeout_s + 30)
        try:
            self._revive(emu)
            inv = emu.invoke(event)
        finally:
            self.idle.put(emu)
        if inv.error is not None:
            status, headers, body = 502, {"content-type": "application/json"}, INTERNAL
        else:
            status, headers, body = _http_response(inv.body)
        # As a Function URL does: the id that the function's REPORT line carries.
        headers["x-amzn-requestid"] = inv.request_id
        return status, headers, body

    def stop(self) -> None:
        with self.lock:
            self.closed = True
            emus = list(self.all)
        for emu in emus:
            emu.stop()


def _http_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """A function's answer as a Function URL turns it into HTTP."""
    try:
        resp = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return 502, {"content-type": "application/json"}, INTERNAL
    if not (isinstance(resp, dict) and "statusCode" in resp):
        # Function URLs send any other JSON value as a 200 application/json body.
        return 200, {"content-type": "application/json"}, raw
    if "errorType" in resp:
        return 502, {"content-type": "application/json"}, INTERNAL
    status = resp.get("statusCode")
    if not isinstance(status, int) or not 100 <= status <= 599:
        return 502, {"content-type": "application/json"}, INTERNAL
    headers = resp.get("headers") or {}
    hdrs = {str(k).lower(): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}
    body = resp.get("body")
    data = b""
    if isinstance(body, str):
        if resp.get("isBase64Encoded") is True:
            try:
                data = base64.b64decode(body, validate=True)
            except ValueError:
                return 502, {"content-type": "application/json"}, INTERNAL
        else:
            data = body.encode()
    elif body is not None:
        data = json.dumps(body).encode()
    return status, hdrs, data


def _read_chunked(rfile: Any, limit: int) -> bytes | None:
    """A chunked request body; None when it is over `limit` or malformed."""
    out = bytearray()
    while True:
        line = rfile.readline(1024)
        try:
            size = int(line.split(b";", 1)[0].strip() or b"x", 16)
        except ValueError:
            return None
        if size == 0:
            while rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                pass
            return bytes(out)
        if len(out) + size > limit:
            return None
        out += rfile.read(size)
        rfile.readline(1024)


class FunctionUrlHandler(BaseHTTPRequestHandler):
    """One HTTP request -> one Function URL event -> `pool` -> the HTTP answer."""

    pool: _Pool

    protocol_version = "HTTP/1.1"
    server_version = "telemetry-bench-serve"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
    # the client's delayed ACK hold every answer back by about 40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: one line per request would drown a load test

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            if k not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        body = json.dumps({"message": message}).encode()
        self.close_connection = True
        self._send(status, {"content-type": "application/json"}, body)

    def _body(self) -> bytes | None:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            data = _read_chunked(self.rfile, MAX_REQUEST_BYTES)
            if data is None:
                self._error(413, "Request body too large or malformed chunked encoding")
            return data
        raw = self.headers.get("content-length", "0") or "0"
        try:
            length = int(raw)
        except ValueError:
            self._error(400, "Content-Length is not a number")
            return None
        if length < 0:
            self._error(400, "Content-Length is negative")
            return None
        if length > MAX_REQUEST_BYTES:
            self._error(
                413, f"Request must be smaller than {MAX_REQUEST_BYTES} bytes for the payload"
            )
            return None
        return self.rfile.read(length)

    def _handle(self) -> None:
        body = self._body()
        if body is None:
            return
        split = urlsplit(self.path)
        headers: dict[str, str] = {}
        for k, v in self.headers.items():
            key = k.lower()
            headers[key] = f"{headers[key]},{v}" if key in headers else v
        event = payloads.function_url_event(
            body,
            method=self.command,
            path=split.path or "/",
            headers=headers,
            query=split.query,
            source_ip=self.client_address[0],
        )
        if split.query:
            event["queryStringParameters"] = dict(parse_qsl(split.query))
        if not body:
            event.pop("body")
        try:
            status, hdrs, data = self.pool.invoke(json.dumps(event).encode())
        except queue.Empty:
            self._error(429, "Rate Exceeded.")  # every environment stayed busy
            return
        except EmulatorError:
            status, hdrs, data = 502, {"content-type": "application/json"}, INTERNAL
        self._send(status, hdrs, data)

    def __getattr__(self, name: str) -> Any:
        # http.server answers 501 for a method without a do_<METHOD>; a Function URL passes
        # every method to the function (which answers 405 for all but POST): so do we.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def handle(self) -> None:
        # A client that hangs up mid-request or mid-answer is not a server error: no traceback.
        with contextlib.suppress(ConnectionError):
            super().handle()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a hang-up: not worth a word
            super().handle_error(request, client_address)


def _handler_class(pool: _Pool) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (FunctionUrlHandler,), {"pool": pool})


@dataclass
class Served:
    """Running endpoints: `urls[lane]` and `stop()`."""

    urls: dict[str, str] = field(default_factory=dict)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)
    pools: list[_Pool] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    table: stored.LocalTable | None = None  # the stored workload's, on moto
    resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def stop(self) -> None:
        """Stop the servers and every environment (also when interrupted while doing so), then
        the workload's moto server, if any."""
        try:
            for server in self.servers:
                server.shutdown()
                server.server_close()
        finally:
            try:
                for pool in self.pools:
                    pool.stop()
                for t in self.threads:
                    t.join(timeout=5)
                self.servers.clear()
                self.pools.clear()
            finally:
                self.resources.close()


def default_port(lane: str) -> int:
    """9000 for the first lane, 9001 for the second ...: stable ports for curl and scripts."""
    return DEFAULT_PORT + lane_registry.names().index(lane)


@dataclass
class ServePlan:
    """What `serve` starts; `check()` refuses what `local` refuses, and bad or shared ports."""

    lanes: tuple[str, ...] = field(default_factory=lane_registry.names)
    ports: dict[str, int] = field(default_factory=dict)  # lane -> port (0 or absent: free)
    concurrency: int = 1
    memory_mb: int = 512
    timeout_s: int = 10
    aggregator: str | None = None
    host: str = "127.0.0.1"
    workload: workloads.Workload = workloads.CPU

    def check(self) -> None:
        checks.concurrency(self.concurrency)
        checks.memory(self.memory_mb)
        checks.timeout(self.timeout_s)
        if any(lane_registry.get(name).takes_aggregator for name in self.lanes):
            checks.aggregator(self.aggregator)
        checks.ports({f"--port-{lane}": self.ports.get(lane, 0) for lane in self.lanes})

    def check_ports_free(self) -> None:
        """Every chosen port free now (an environment matter, not a usage one: exit 1)."""
        for lane in self.lanes:
            port = self.ports.get(lane, 0)
            if port and not port_free(port):
                raise BenchError(
                    f"port {self.host}:{port} is in use: choose another with --port-{lane} "
                    f"(0: a free one), or stop what listens there (`ss -ltnp 'sport = :{port}'`)"
                )


def _serve_lane(served: Served, plan: ServePlan, lane: str) -> None:
    go_build = plan.workload.go_build
    runtime = runtimes.lane_runtime(lane_registry.get(lane), plan.aggregator, go_build=go_build)
    if served.table is not None:
        runtime = replace(runtime, env={**runtime.env, **served.table.environment})
    pool = _Pool(runtime, plan.memory_mb, plan.timeout_s)
    served.pools.append(pool)  # known to stop() before any environment starts
    port = plan.ports.get(lane, 0)
    try:
        server = _Server((plan.host, port), _handler_class(pool))
    except OSError as exc:
        raise BenchError(f"--port-{lane} {port}: cannot listen there ({exc.strerror})") from None
    try:
        pool.start(plan.concurrency)
    except BaseException:
        server.server_close()  # never served: nothing to shut down (shutdown() would wait)
        raise
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.servers.append(server)  # serving: `stop()` shuts it down
    served.threads.append(thread)
    served.urls[lane] = f"http://{plan.host}:{server.server_address[1]}/"


def start_servers(plan: ServePlan | None = None, **kwargs: Any) -> Served:
    """Start one endpoint per lane of `plan` (or of `ServePlan(**kwargs)`); port 0 or absent: a
    free port. Checks the plan first; stops whatever it started if anything fails."""
    plan = plan or ServePlan(**kwargs)
    plan.check()
    plan.check_ports_free()
    runtimes.rie_path()
    served = Served()
    try:
        served.table = served.resources.enter_context(stored.local_table(plan.workload))
        for lane in plan.lanes:
            _serve_lane(served, plan, lane)
    except BaseException:
        served.stop()
        raise
    return served


@contextlib.contextmanager
def serve_functions(**kwargs: Any) -> Iterator[Served]:
    """`start_servers(**kwargs)` as a context manager that always stops them."""
    served = start_servers(**kwargs)
    try:
        yield served
    finally:
        served.stop()


def serve_main(plan: ServePlan, *, as_json: bool) -> None:
    """The `serve` command once its options are parsed: serve until Ctrl-C or SIGTERM (exit 130
    or 143), every environment stopped on the way out."""
    console = errors.stderr_console()
    with errors.handled(usage=True, stopping=" while starting"):
        plan.check()
    with errors.sigterm_as_interrupt(), errors.handled(stopping="; every server stopped"):
        served = start_servers(plan)
        try:
            if as_json:
                print(json.dumps(served.urls), flush=True)
            for lane, url in served.urls.items():
                console.print(f"{lane:<6} {url}", highlight=False)
            if served.table is not None:
                table = served.table
                console.print(f"table  {table.name} at {table.endpoint} (moto)", highlight=False)
            console.print("Ctrl-C to stop")
            while True:
                time.sleep(3600)
        finally:
            served.stop()
