"""Helpers of the lean runtime tests (the fixtures are in conftest.py): a fake Runtime API
in-process and a way to write a handler module."""

from __future__ import annotations

import http.server
import json
import textwrap
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# The emulator helper, imported here only (it may move: change this one line).

if TYPE_CHECKING:
    from pathlib import Path

API = "/2018-06-01/runtime"
NEXT = f"{API}/invocation/next"
HANDLER = "telemetry_agg.handler.handler"


@dataclass
class Event:
    """One queued invocation: the event's bytes and the Lambda-Runtime-* headers to send."""

    body: bytes
    request_id: str
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False
    close: bool = False  # answer with Connection: close


@dataclass
class Post:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class FakeRuntimeAPI:
    def __init__(self) -> None:
        self.events: deque[Event] = deque()
        self.posts: list[Post] = []
        self.peers: set[tuple[str, int]] = set()
        self.refusals: deque[int] = deque()  # statuses for the next POSTs instead of 202
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                api.peers.add(self.client_address)
                if self.path != NEXT or not api.events:
                    self.close_connection = True  # no answer: the Runtime API went away
                    return
                event = api.events.popleft()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Lambda-Runtime-Aws-Request-Id", event.request_id)
                for name, value in event.headers.items():
                    self.send_header(name, value)
                if event.close:
                    self.send_header("Connection", "close")
                if event.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(event.body), 1000):
                        chunk = event.body[start : start + 1000]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.send_header("Content-Length", str(len(event.body)))
                    self.end_headers()
                    self.wfile.write(event.body)

            def do_POST(self) -> None:
                api.peers.add(self.client_address)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                api.posts.append(Post(self.path, headers, body))
                answer = b'{"status":"OK"}'
                self.send_response(api.refusals.popleft() if api.refusals else 202)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def add(self, body: bytes, request_id: str | None = None, **kwargs: Any) -> str:
        request_id = request_id or f"req-{len(self.events) + len(self.posts) + 1}"
        self.events.append(Event(body, request_id, **kwargs))
        return request_id

    def start(self) -> FakeRuntimeAPI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def write_module(folder: Path, name: str, source: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path
