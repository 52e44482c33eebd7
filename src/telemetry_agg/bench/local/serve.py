"""`telemetry-bench serve`: two local HTTP endpoints that behave like the two Function URLs.

HTTP request -> Function URL event (payload format 2.0: method, lower-cased headers, raw path
and query, the body as text or base64 when it is not UTF-8, `isBase64Encoded`) -> an emulator
running the function -> HTTP response from the function's `statusCode`, `headers` and `body`.
Each endpoint keeps a pool of `concurrency` environments (one request at a time each, as on
Lambda); a request waits for a free one. As Function URLs do: a request body over 6 MB is 413, a
function error or crash is 502 `{"message": "Internal Server Error"}`, a timeout is 502 too.

From code (engineer E's tests, or anything that wants two local Function URLs)::

    with serve_functions() as served:       # free ports on 127.0.0.1
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
import signal
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import typer
from rich.console import Console

from telemetry_agg.bench.errors import BenchError
from telemetry_agg.bench.local import stored
from telemetry_agg.bench.local.emulator import (
    Emulator,
    EmulatorError,
    Runtime,
    ToolMissingError,
    go_runtime,
    port_free,
    python_runtime,
    rie_path,
)
from telemetry_agg.bench.model import payloads, workloads

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["MAX_REQUEST_BYTES", "Served", "serve_functions", "start_servers"]

MAX_REQUEST_BYTES = 6 * 1024 * 1024  # a Function URL's request payload limit
INTERNAL = b'{"message":"Internal Server Error"}'


class _Pool:
    """`size` environments of one function; `take()` waits for a free one."""

    def __init__(self, runtime: Runtime, size: int, memory_mb: int, timeout_s: int) -> None:
        self.runtime = runtime
        self.timeout_s = timeout_s
        self.idle: queue.Queue[Emulator] = queue.Queue()
        self.all: list[Emulator] = []
        self.closed = False
        for _ in range(size):
            emu = Emulator(runtime, memory_mb=memory_mb, timeout_s=timeout_s)
            self.all.append(emu)
            emu.start()
            self.idle.put(emu)

    def invoke(self, event: bytes) -> tuple[int, dict[str, str], bytes]:
        emu = self.idle.get(timeout=self.timeout_s + 30)
        try:
            if not emu.alive() and not self.closed:  # restarted after a crash, as Lambda would
                emu.stop()
                emu.start()
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
        self.closed = True
        for emu in self.all:
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


def _handler_class(pool: _Pool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
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
                self._error(413, "Request must be smaller than 6291456 bytes for the payload")
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
                status, hdrs, data = pool.invoke(json.dumps(event).encode())
            except queue.Empty:
                self._error(429, "Rate Exceeded.")  # every environment stayed busy
                return
            except EmulatorError:
                status, hdrs, data = 502, {"content-type": "application/json"}, INTERNAL
            self._send(status, hdrs, data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle  # noqa: N815

    return Handler


@dataclass
class Served:
    """Running endpoints: `urls[language]` and `stop()`."""

    urls: dict[str, str] = field(default_factory=dict)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)
    pools: list[_Pool] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    table: stored.LocalTable | None = None  # the stored workload's, on moto
    resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for pool in self.pools:
            pool.stop()
        for t in self.threads:
            t.join(timeout=5)
        self.servers.clear()
        self.pools.clear()
        self.resources.close()  # the moto server, last: no function writes any more


def start_servers(
    *,
    languages: tuple[str, ...] = ("python", "go"),
    ports: dict[str, int] | None = None,
    concurrency: int = 1,
    memory_mb: int = 512,
    timeout_s: int = 10,
    aggregator: str | None = None,
    host: str = "127.0.0.1",
    workload: workloads.Workload = workloads.CPU,
) -> Served:
    """Start one endpoint per language (port 0 or absent: a free port) running `workload`;
    return their URLs."""
    rie_path()
    ports = ports or {}
    for lang in languages:
        port = ports.get(lang, 0)
        if port and not port_free(port):
            raise EmulatorError(
                f"port {host}:{port} is in use: choose another with --port-{lang}, or stop what "
                "listens there"
            )
    served = Served()
    try:
        served.table = served.resources.enter_context(stored.local_table(workload))
        env = served.table.environment if served.table else {}
        for lang in languages:
            rt = (
                python_runtime(aggregator)
                if lang == "python"
                else go_runtime(go_build=workload.go_build)
            )
            rt = replace(rt, env={**rt.env, **env})
            pool = _Pool(rt, concurrency, memory_mb, timeout_s)
            served.pools.append(pool)
            server = ThreadingHTTPServer((host, ports.get(lang, 0)), _handler_class(pool))
            server.daemon_threads = True
            served.servers.append(server)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            served.threads.append(thread)
            served.urls[lang] = f"http://{host}:{server.server_address[1]}/"
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


def serve_main(
    *,
    port_python: int,
    port_go: int,
    concurrency: int,
    memory: int,
    timeout: int,
    aggregator: str | None,
    as_json: bool,
    workload: str = workloads.DEFAULT,
) -> None:
    """The `serve` command's work, once its options are parsed."""
    console = Console(stderr=True)
    if not 1 <= concurrency <= 64:
        console.print(f"[bold red]error:[/] --concurrency must be 1 to 64, not {concurrency}")
        raise typer.Exit(2)
    try:
        served = start_servers(
            ports={"python": port_python, "go": port_go},
            concurrency=concurrency,
            memory_mb=memory,
            timeout_s=timeout,
            aggregator=aggregator,
            workload=workloads.get(workload),
        )
    except KeyboardInterrupt:
        console.print("stopped while starting")
        raise typer.Exit(130) from None
    except ToolMissingError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(3) from None
    except (BenchError, OSError) as exc:  # the emulator, moto, a port
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(exc.exit_code if isinstance(exc, BenchError) else 1) from None
    stopping = threading.Event()

    def on_term(_signum: int, _frame: object) -> None:
        stopping.set()

    old = signal.signal(signal.SIGTERM, on_term)
    try:
        if as_json:
            print(json.dumps(served.urls), flush=True)
        for lang, url in served.urls.items():
            console.print(f"{lang:<6} {url}")
        if served.table is not None:
            console.print(f"table  {served.table.name} at {served.table.endpoint} (moto)")
        console.print("Ctrl-C to stop")
        while not stopping.is_set():
            time.sleep(0.2)
    except KeyboardInterrupt:
        console.print("stopping")
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, old)
        served.stop()
