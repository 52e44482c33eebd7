"""The Lambda Runtime API over one keep-alive HTTP/1.1 connection, on a bare socket.

Only what the Runtime API needs: a request with a Content-Length body, an answer with a
Content-Length or chunked body (or one that ends with the connection). No http.client: that
module imports email and ssl, milliseconds of every cold start (README, "The lean runtime"),
and even the ``socket`` module (selectors, array, enum wrappers) is left out: the C ``_socket``
does all this needs. A connection the server closed while idle is reopened once, before
anything was read back.
"""

from __future__ import annotations

import _socket
import sys

API = "/2018-06-01/runtime"
ERROR_TYPE = "Lambda-Runtime-Function-Error-Type"
XRAY_CAUSE = "Lambda-Runtime-Function-XRay-Error-Cause"
USER_AGENT = "telemetry-agg-lean/{}.{}.{}".format(*sys.version_info[:3])
_MAX_LINE = 65536
_READ_SIZE = 256 * 1024


class RuntimeAPIError(RuntimeError):
    """The Runtime API answered with an unexpected ``status``, or (None) the connection broke."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Answer:
    """One HTTP answer: status, headers (names in lower case), body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


class RuntimeClient:
    """GET next, POST response / error / init error, on one connection to ``address``."""

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise RuntimeAPIError(f"AWS_LAMBDA_RUNTIME_API must be host:port, not {address!r}")
        self.address = (host.strip("[]"), int(port))
        self._host = address
        self._sock: _socket.socket | None = None
        self._buf = bytearray()
        self._pos = 0
        self.connections = 0  # how many connections were opened (tests check keep-alive)

    # -- the Runtime API -------------------------------------------------------------------
    def next(self) -> Answer:
        """The next invocation: its event's raw bytes and the Lambda-Runtime-* headers."""
        return self._call("GET", f"{API}/invocation/next", 200)

    def respond(self, request_id: str, payload: bytes, content_type: str) -> None:
        path = f"{API}/invocation/{request_id}/response"
        self._call("POST", path, 202, payload, {"Content-Type": content_type})

    def fail(self, request_id: str, error: bytes, error_type: str, xray: str = "") -> None:
        headers = {"Content-Type": "application/json", ERROR_TYPE: error_type}
        if xray:
            headers[XRAY_CAUSE] = xray
        self._call("POST", f"{API}/invocation/{request_id}/error", 202, error, headers)

    def init_error(self, error: bytes, error_type: str) -> None:
        headers = {"Content-Type": "application/json", ERROR_TYPE: error_type}
        self._call("POST", f"{API}/init/error", 202, error, headers)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = None
        self._buf = bytearray()
        self._pos = 0

    # -- HTTP/1.1 ----------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        expect: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Answer:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}", f"User-Agent: {USER_AGENT}"]
        if method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
        for attempt in (1, 2):
            reused = self._sock is not None
            try:
                answer = self._exchange(head, body)
                break
            except (ConnectionError, _ClosedError) as exc:
                self.close()
                if not reused or attempt == 2:  # else: it closed an idle connection, once more
                    raise RuntimeAPIError(f"{method} {path}: connection lost ({exc!r})") from exc
            except OSError as exc:
                self.close()
                raise RuntimeAPIError(f"{method} {path}: {exc}") from exc
        if answer.status != expect:
            raise RuntimeAPIError(
                f"{method} {path}: the Runtime API answered {answer.status} "
                f"({answer.body[:200].decode('utf-8', 'replace')})",
                answer.status,
            )
        return answer

    def _exchange(self, head: bytes, body: bytes) -> Answer:
        if self._sock is None:
            self._connect()
        sock = self._sock
        assert sock is not None
        if len(body) <= 65536:
            sock.sendall(head + body)
        else:
            sock.sendall(head)
            sock.sendall(body)
        return self._read_answer()

    def _connect(self) -> None:
        error: OSError | None = None
        try:
            found = _socket.getaddrinfo(*self.address, 0, _socket.SOCK_STREAM)
        except OSError as exc:
            found, error = [], exc
        for family, kind, proto, _, address in found:
            sock = _socket.socket(family, kind, proto)
            try:
                sock.connect(address)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            self._sock = sock
            self._buf = bytearray()
            self._pos = 0
            self.connections += 1
            return
        msg = f"cannot connect to the Runtime API at {self._host}: {error}"
        raise RuntimeAPIError(msg) from error

    def _read_answer(self) -> Answer:
        status_line = self._line()
        if not status_line:
            raise _ClosedError
        try:
            status = int(status_line.split(b" ", 2)[1])
        except (IndexError, ValueError):
            raise RuntimeAPIError(f"not an HTTP answer: {status_line[:80]!r}") from None
        headers: dict[str, str] = {}
        while line := self._line().rstrip(b"\r\n"):
            name, _, value = line.partition(b":")
            headers[name.strip().lower().decode("latin-1")] = value.strip().decode(
                "utf-8", "replace"
            )
        if "content-length" in headers:
            body = self._exactly(int(headers["content-length"]))
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._chunked()
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:  # the body ends with the connection
            body = self._until_closed()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, headers, body)

    # -- reading -------------------------------------------------------------------------------
    # What was received and not yet consumed is self._buf[self._pos:]; a body goes from there,
    # then straight from the socket, into one bytearray (chunked bodies too), then bytes.
    def _fill(self) -> bool:
        assert self._sock is not None
        if self._pos and self._pos * 2 >= len(self._buf):  # drop what was consumed
            del self._buf[: self._pos]
            self._pos = 0
        chunk = self._sock.recv(_READ_SIZE)
        if not chunk:
            return False
        self._buf += chunk
        return True

    def _line(self) -> bytes:
        while (end := self._buf.find(b"\n", self._pos)) < 0:
            if len(self._buf) - self._pos > _MAX_LINE:
                raise RuntimeAPIError("an HTTP header line is too long")
            if not self._fill():
                end = len(self._buf) - 1
                break
        line = bytes(self._buf[self._pos : end + 1])
        self._pos = end + 1
        return line

    def _take(self, size: int, out: bytearray) -> None:
        """Append the answer's next ``size`` bytes to ``out``."""
        have = min(size, len(self._buf) - self._pos)
        with memoryview(self._buf) as buffered:
            out += buffered[self._pos : self._pos + have]
        self._pos += have
        if have == size:
            return
        filled = len(out)
        out += bytes(size - have)
        assert self._sock is not None
        with memoryview(out) as view:
            while filled < len(out):
                n = self._sock.recv_into(view[filled:])
                if not n:
                    raise RuntimeAPIError("the Runtime API closed the connection mid-answer")
                filled += n

    def _exactly(self, size: int) -> bytes:
        out = bytearray()
        self._take(size, out)
        return bytes(out)

    def _chunked(self) -> bytes:
        out = bytearray()
        while size := self._chunk_size():
            self._take(size, out)
            self._line()  # the CRLF after the chunk
        while self._line().rstrip(b"\r\n"):  # trailers
            pass
        return bytes(out)

    def _chunk_size(self) -> int:
        line = self._line()
        try:
            return int(line.split(b";", 1)[0], 16)
        except ValueError:
            raise RuntimeAPIError(f"a bad chunk size line: {line[:40]!r}") from None

    def _until_closed(self) -> bytes:
        while self._fill():
            pass
        body = bytes(self._buf[self._pos :])
        self.close()
        return body


class _ClosedError(Exception):
    """The server closed the connection before answering."""
