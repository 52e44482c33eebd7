"""The HTTP client of `telemetry-bench remote`: one POST to a Function URL, SigV4-signed when the
URL's auth type is AWS_IAM (botocore's `SigV4Auth`, service `lambda`), plain when NONE.

- `Signer(region, credentials)`: signs a request's headers (`authorization`, `x-amz-date`,
  `x-amz-security-token` with temporary credentials, `x-amz-content-sha256`); fresh frozen
  credentials per request, so refreshable ones (SSO, assumed roles) keep working.
- `Client(url, signer=None, timeout_s=...)`: one keep-alive connection (like `hey`), one
  `post(body)` at a time -> `Response` with the status, the request id (`x-amzn-requestid`),
  the body and the client latency; failures become a `Response` with `error` set
  (``"timeout"``, ``"connection"``), never an exception. Use one `Client` per worker thread.

Retries are the caller's business, and `Response.sent` says whether any byte of the request went
out, which is what makes a retry safe or not.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from telemetry_agg.bench.constants import LAMBDA_REQUEST_LIMIT
from telemetry_agg.bench.errors import BenchError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

SERVICE = "lambda"
AUTH_TYPES = ("AWS_IAM", "NONE")
MAX_BODY_BYTES = LAMBDA_REQUEST_LIMIT  # a Function URL answer is at most 6 MB; read no more


class UrlError(BenchError):
    """A Function URL that cannot be used; the message says what is wrong with it."""


def check_url(url: str, *, what: str = "URL") -> urllib.parse.SplitResult:
    """An http(s) URL with a host, or UrlError naming what is wrong."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlError(
            f"{what} {url!r} is not an http(s) URL with a host; pass the Function URL, "
            "e.g. https://abc123.lambda-url.us-east-1.on.aws/"
        )
    try:
        _ = parts.port
    except ValueError:
        raise UrlError(f"{what} {url!r} has a bad port number") from None
    return parts


_URL_REGION = re.compile(r"\.lambda-url\.([a-z0-9-]+)\.on\.aws$")


def function_url_region(url: str) -> str | None:
    """`https://abc.lambda-url.eu-west-1.on.aws/` -> `eu-west-1`; None: not a Function URL."""
    found = _URL_REGION.search(check_url(url).hostname or "")
    return found.group(1) if found else None


class CredentialsError(BenchError):
    """No AWS credentials to sign with."""


class Signer:
    """SigV4 for Function URLs: service `lambda`, scope `<date>/<region>/lambda/aws4_request`."""

    def __init__(self, region: str, credentials: Any = None) -> None:
        if credentials is None:
            credentials = boto3.session.Session(region_name=region).get_credentials()
        if credentials is None:
            raise CredentialsError(
                "the Function URLs use AWS_IAM auth, which needs AWS credentials to sign requests, "
                "and none were found. Set AWS_PROFILE (or AWS_ACCESS_KEY_ID / "
                "AWS_SECRET_ACCESS_KEY), run `aws sso login`, or deploy with auth type NONE."
            )
        self.region = region
        self._credentials = credentials

    def sign(
        self, method: str, url: str, body: bytes, headers: Mapping[str, str]
    ) -> dict[str, str]:
        """The headers to send: `headers` plus the SigV4 ones."""
        frozen = self._credentials.get_frozen_credentials()
        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
        # Function URLs check the payload hash when it is sent; send it, as the AWS CLI does.
        request.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
        SigV4Auth(frozen, SERVICE, self.region).add_auth(request)
        return {k: str(v) for k, v in request.headers.items()}


@dataclass(frozen=True)
class Response:
    status: int | None
    request_id: str | None
    body: bytes
    latency_ms: float
    error: str | None = (
        None  # "timeout" | "connection" | None (an HTTP status is not an error here)
    )
    detail: str = ""
    sent: bool = True  # False: nothing reached the server, so a retry cannot repeat work


class Client:
    """One keep-alive HTTP(S) connection to one Function URL; not thread-safe (one per worker)."""

    def __init__(
        self,
        url: str,
        *,
        signer: Signer | None = None,
        timeout_s: float = 30.0,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        parts = check_url(url)
        self.url = url.strip()
        self._parts = parts
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._signer = signer
        self.timeout_s = timeout_s
        self._headers = {"content-type": "application/json", **(headers or {})}
        self._clock = clock
        self._conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._conn is None:
            host, port = self._parts.hostname or "", self._parts.port
            if self._parts.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    host, port, timeout=self.timeout_s, context=ssl.create_default_context()
                )
            else:
                self._conn = http.client.HTTPConnection(host, port, timeout=self.timeout_s)
            self._conn.connect()
            # Headers and body may leave in two writes: without this, Nagle's algorithm and the
            # server's delayed ACK can add tens of milliseconds to a request (hey sets it too).
            if self._conn.sock is not None:
                self._conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self._conn

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def post(self, body: bytes) -> Response:
        headers = dict(self._headers)
        if self._signer is not None:
            headers = self._signer.sign("POST", self.url, body, headers)
        start = self._clock()
        sent = False
        try:
            conn = self._connect()
            sent = True
            try:
                conn.request("POST", self._path, body=body, headers=headers)
            except (BrokenPipeError, ConnectionResetError) as exc:
                # The server may answer before reading the whole body (a 413 for a body over
                # its limit) and hang up; that answer is the one to report, if it came.
                answer = _early_answer(conn, exc)
            else:
                answer = conn.getresponse()
            data = answer.read(MAX_BODY_BYTES + 1)
            if len(data) > MAX_BODY_BYTES or answer.will_close:
                self.close()
            elapsed = (self._clock() - start) * 1000
            return Response(
                status=answer.status,
                request_id=answer.getheader("x-amzn-requestid"),
                body=data,
                latency_ms=elapsed,
            )
        except TimeoutError:
            self.close()
            what = "answer" if sent else "connection"
            return self._failure("timeout", f"no {what} within {self.timeout_s:g} s", start, sent)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            return self._failure("connection", _describe(exc), start, sent)

    def _failure(self, error: str, detail: str, start: float, sent: bool) -> Response:
        # `sent` is False when the connection could not even be set up: nothing reached AWS.
        return Response(
            status=None,
            request_id=None,
            body=b"",
            latency_ms=(self._clock() - start) * 1000,
            error=error,
            detail=detail,
            sent=sent,
        )


def _early_answer(conn: http.client.HTTPConnection, exc: OSError) -> http.client.HTTPResponse:
    try:
        return conn.getresponse()
    except (OSError, http.client.HTTPException):
        raise exc from None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return f"the host name does not resolve ({exc.strerror}); check the URL"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused; check the URL and that the endpoint is up"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
