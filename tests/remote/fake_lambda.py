"""A stand-in for one deployed function behind its Function URL, for the remote bench's tests.

It answers like a Function URL (status, JSON body with parse_ms/compute_ms, `x-amzn-requestid`)
and, like Lambda, writes a REPORT line per request into CloudWatch Logs (moto's): the first
request on each new connection carries an Init Duration (a fresh environment), as concurrency
does on AWS. Knobs: a status to answer, 429s for the first N requests, a delay, request numbers
whose REPORT never arrives (CloudWatch lag), and keys to change in the answer.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is part of the tests, not news.
        return


class FakeLambda:
    def __init__(
        self,
        language: str,
        *,
        logs_client: Any = None,
        log_group: str | None = None,
        status: int = 200,
        throttle_first: int = 0,
        delay_s: float = 0.0,
        withhold_reports: set[int] | None = None,
        answer_override: dict[str, Any] | None = None,
        never_cold: bool = False,
        start: str = "on-demand",
        provisioned: int = 0,
        restore_error: str | None = None,
    ) -> None:
        self.language = language
        self.logs_client = logs_client
        self.log_group = log_group
        self.status = status
        self.throttle_first = throttle_first
        self.delay_s = delay_s
        self.withhold_reports = withhold_reports or set()
        self.answer_override = answer_override or {}
        self.never_cold = never_cold  # no Init Duration ever: every environment reused
        # How a fresh environment starts: "on-demand" (Init Duration) or "restored" (SnapStart:
        # Restore Duration); the first `provisioned` connections are provisioned environments
        # (neither); `restore_error` makes every restore fail with that Error Type.
        self.start = start
        self.provisioned = provisioned
        self.restore_error = restore_error
        self.connections = 0
        self.count = 0
        self.request_ids: list[str] = []
        self.withheld: list[str] = []  # request ids whose REPORT was never written
        self.requests: list[dict[str, Any]] = []  # path, headers and body of each request
        self._lock = threading.Lock()
        if logs_client is not None and log_group is not None:
            logs_client.create_log_group(logGroupName=log_group)
            logs_client.create_log_stream(logGroupName=log_group, logStreamName="s")
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Function URLs
            # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm
            # and the client's delayed ACK add ~40 ms to every answer.
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake.connections += 1
                    self.fresh = fake.connections > fake.provisioned

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                fake.answer(self, self.path, body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def answer(self, handler: Any, path: str, body: bytes) -> None:
        with self._lock:
            index = self.count
            self.count += 1
            self.requests.append(
                {"path": path, "headers": dict(handler.headers.items()), "body": body}
            )
        if self.delay_s:
            time.sleep(self.delay_s)
        rid = str(uuid.uuid4())
        status = 429 if index < self.throttle_first else self.status
        if status != 429:  # Lambda ran it (a 429 never reaches the function)
            with self._lock:
                self.request_ids.append(rid)
        events = json.loads(body) if status == 200 else []
        if status == 200:
            answer = {
                "total_events": len(events),
                "parse_ms": 1.25,
                "compute_ms": 2.5,
                "language": self.language,
                "aggregator": "msgspec" if self.language == "python" else "scanner",
                **self.answer_override,
            }
        else:
            answer = {"error": "boom", "detail": "a test failure", "language": self.language}
        data = json.dumps(answer).encode()
        if status != 429:  # a 429 never ran the function: no REPORT
            # Written before answering, so a test never races its own REPORT lines; lag is
            # what `withhold_reports` is for.
            cold = handler.fresh and not self.never_cold
            handler.fresh = False
            if index in self.withhold_reports:
                with self._lock:
                    self.withheld.append(rid)
            else:
                self._report(rid, cold)
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("x-amzn-requestid", rid)
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _report(self, rid: str, cold: bool) -> None:
        if self.logs_client is None:
            return
        line = (
            f"REPORT RequestId: {rid}\tDuration: 12.34 ms\tBilled Duration: 13 ms\t"
            "Memory Size: 512 MB\tMax Memory Used: 40 MB\t"
        )
        if cold and self.start == "restored":
            line += "Restore Duration: 80.25 ms\tBilled Restore Duration: 50 ms\t"
            if self.restore_error:
                line += f"Status: error\tError Type: {self.restore_error}"
        elif cold:
            line += "Init Duration: 120.5 ms\t"
        with self._lock:
            self.logs_client.put_log_events(
                logGroupName=self.log_group,
                logStreamName="s",
                logEvents=[{"timestamp": int(time.time() * 1000), "message": line}],
            )
