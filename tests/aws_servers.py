"""Local stand-ins for AWS endpoints, each started and always stopped by a context manager.

- :func:`moto_server`: moto in server mode, a real AWS API over HTTP on 127.0.0.1: the bench's
  own (``telemetry_agg.bench.local.moto``, which ``local --workload store`` runs too), the one
  start/stop of the project; tests/conftest.py's session fixture uses it.
- :class:`TcpProxy`: a TCP proxy on 127.0.0.1 in front of a server that can start refusing
  connections (and drop the open ones) mid-run, so the server and its table survive a fault.
- :class:`StubDynamoDB`: an HTTP server that answers each request with the next of a list of
  DynamoDB answers (throttling, access denied: what moto cannot do).
- :func:`create_table`, :func:`scan_items` (the bench's too), :func:`closed_port`: the §5 table
  and its content.
- :func:`create_function`, :func:`publish_versions`: a Lambda function (its role and a tiny
  zip) and published versions of it, on a moto server.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from telemetry_agg.bench.local.moto import (
    CREDENTIALS,
    REGION,
    create_table,
    dynamodb_client,
    moto_server,
    scan_items,
)
from telemetry_agg.bench.local.runtimes import free_port

__all__ = [
    "DUMMY_CREDENTIALS",
    "REGION",
    "StubDynamoDB",
    "TcpProxy",
    "closed_port",
    "create_function",
    "create_table",
    "dynamodb_client",
    "moto_server",
    "publish_versions",
    "scan_items",
]

#: Dummy credentials: moto takes any; a stub never checks.
DUMMY_CREDENTIALS = {**CREDENTIALS, "AWS_DEFAULT_REGION": REGION}


def create_function(
    lambda_client: Any,
    iam_client: Any,
    name: str,
    *,
    memory_mb: int = 512,
    env: dict[str, str] | None = None,
) -> None:
    """A python3.12 function `name` (an echo handler, arm64) with a role of its own."""
    role = iam_client.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()},
        MemorySize=memory_mb,
        Architectures=["arm64"],
        Environment={"Variables": env or {}},
    )


def publish_versions(lambda_client: Any, name: str, count: int) -> None:
    """Publish versions 1 to `count` of `name`, each after a configuration change."""
    for n in range(count):
        variables = {"Variables": {"N": str(n)}}
        lambda_client.update_function_configuration(FunctionName=name, Environment=variables)
        lambda_client.publish_version(FunctionName=name)


def closed_port() -> int:
    """A 127.0.0.1 port where nothing listens (bound, then released)."""
    return free_port()


class TcpProxy:
    """A TCP proxy on 127.0.0.1 to ``target`` (host, port). :meth:`refuse` closes the listening
    socket and every open connection: from then on the endpoint refuses connections."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._refusing = False
        self._threads: list[threading.Thread] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._spawn(self._accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self.refuse()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # the listener is closed: refusing
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._refusing:
                    client.close()
                    upstream.close()
                    return
                self._open.update((client, upstream))
            self._spawn(self._pipe, client, upstream)
            self._spawn(self._pipe, upstream, client)

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def refuse(self) -> None:
        """Stop accepting (new connections are refused) and cut every open connection."""
        with self._lock:
            self._refusing = True
            self._listener.close()
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()


class StubDynamoDB:
    """An HTTP server on 127.0.0.1 answering each request with the next of ``responses``
    ((status, JSON body) pairs; the last one repeated), after ``delay_s``. ``requests`` counts
    what it received."""

    def __init__(self, responses: list[tuple[int, Any]], delay_s: float = 0.0) -> None:
        if not responses:
            raise ValueError("a stub needs at least one response")
        self.responses = responses
        self.delay_s = delay_s
        self.requests = 0
        self._lock = threading.Lock()
        self._done = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                with stub._lock:
                    index = min(stub.requests, len(stub.responses) - 1)
                    stub.requests += 1
                status, body = stub.responses[index]
                if stub.delay_s and stub._done.wait(stub.delay_s):
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/x-amz-json-1.0")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
