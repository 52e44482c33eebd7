"""SigV4 signing and the HTTP client, checked by an independent SigV4 verifier written here from
the AWS specification, on a small local HTTP server that plays a Function URL."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import socket
from typing import TYPE_CHECKING

import pytest
from botocore.credentials import Credentials

from telemetry_agg.bench.aws import sigv4

from .fake_lambda import FakeLambda

if TYPE_CHECKING:
    from collections.abc import Iterator

KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"  # the AWS documentation's example key
TOKEN = "session-token-example"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def verify_sigv4(
    method: str, path: str, headers: dict[str, str], body: bytes, secret: str
) -> dict[str, str]:
    """Recompute the signature from scratch (AWS SigV4 spec); return the parsed authorization."""
    lower = {k.lower(): v for k, v in headers.items()}
    algorithm, _, rest = lower["authorization"].partition(" ")
    assert algorithm == "AWS4-HMAC-SHA256"
    auth = dict(part.strip().split("=", 1) for part in rest.split(","))
    signed = auth["SignedHeaders"].split(";")
    canonical_headers = "".join(f"{h}:{' '.join(lower[h].split())}\n" for h in signed)
    payload_hash = hashlib.sha256(body).hexdigest()
    canonical = "\n".join(
        [method, path, "", canonical_headers, auth["SignedHeaders"], payload_hash]
    )
    amz_date = lower["x-amz-date"]
    scope = auth["Credential"].split("/", 1)[1]
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    date, region, service, terminal = scope.split("/")
    key = _hmac(f"AWS4{secret}".encode(), date)
    for part in (region, service, terminal):
        key = _hmac(key, part)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, auth["Signature"]), "signature does not verify"
    return auth


@pytest.fixture
def fake() -> Iterator[FakeLambda]:
    with FakeLambda("go") as running:
        yield running


@pytest.mark.parametrize("token", [None, TOKEN])
def test_signed_request_verifies_with_the_expected_scope(
    fake: FakeLambda, token: str | None
) -> None:
    signer = sigv4.Signer("eu-west-1", Credentials(KEY_ID, SECRET, token))
    client = sigv4.Client(fake.url, signer=signer, timeout_s=5)
    body = b'[{"endpoint": "/login", "status": 200}]'
    response = client.post(body)
    client.close()
    assert response.status == 200
    assert response.error is None
    assert response.request_id == fake.request_ids[0]
    got = fake.requests[0]
    assert got["body"] == body
    auth = verify_sigv4("POST", got["path"], got["headers"], body, SECRET)
    today = dt.datetime.now(dt.UTC)
    key_id, date, region, service, terminal = auth["Credential"].split("/")
    assert key_id == KEY_ID
    assert date in {today.strftime("%Y%m%d"), (today - dt.timedelta(days=1)).strftime("%Y%m%d")}
    assert (region, service, terminal) == ("eu-west-1", "lambda", "aws4_request")
    signed = auth["SignedHeaders"].split(";")
    assert {"host", "x-amz-date", "x-amz-content-sha256", "content-type"} <= set(signed)
    lower = {k.lower(): v for k, v in got["headers"].items()}
    assert lower["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest()
    assert lower["x-amz-date"].startswith(date)
    if token is None:
        assert "x-amz-security-token" not in lower
    else:
        assert lower["x-amz-security-token"] == TOKEN
        assert "x-amz-security-token" in signed
    # the secret itself never travels
    assert SECRET not in repr(got["headers"])


def test_a_tampered_body_fails_verification(fake: FakeLambda) -> None:
    signer = sigv4.Signer("us-east-1", Credentials(KEY_ID, SECRET))
    headers = signer.sign("POST", fake.url, b"[1]", {"content-type": "application/json"})
    verify_sigv4("POST", "/", {**headers, "host": fake.url[7:-1]}, b"[1]", SECRET)
    with pytest.raises(AssertionError, match="does not verify"):
        verify_sigv4("POST", "/", {**headers, "host": fake.url[7:-1]}, b"[2]", SECRET)


def test_auth_none_sends_no_signature(fake: FakeLambda) -> None:
    client = sigv4.Client(fake.url, timeout_s=5)
    for _ in range(3):
        assert client.post(b"[]").status == 200
    client.close()
    assert len(fake.requests) == 3
    assert all("authorization" not in {k.lower() for k in x["headers"]} for x in fake.requests)
    assert fake.requests[0]["headers"]["content-type"] == "application/json"


def test_http_errors_are_answers_not_exceptions(fake: FakeLambda) -> None:
    fake.status = 503
    with sigv4.Client(fake.url, timeout_s=5) as client:
        response = client.post(b"[]")
    assert response.status == 503
    assert response.error is None


def test_refused_connection_is_reported_as_not_sent() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    response = sigv4.Client(f"http://127.0.0.1:{port}/", timeout_s=2).post(b"[]")
    assert response.error == "connection"
    assert not response.sent
    assert "connection refused" in response.detail


def test_a_silent_server_is_a_timeout() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        response = sigv4.Client(f"http://127.0.0.1:{port}/", timeout_s=0.3).post(b"[]")
    assert response.error == "timeout"
    assert response.sent
    assert response.latency_ms >= 300


@pytest.mark.parametrize(
    "url", ["", "ftp://example.test/", "lambda-url-without-scheme", "https://", "http://h:99999/"]
)
def test_bad_urls_are_refused_with_a_reason(url: str) -> None:
    with pytest.raises(sigv4.UrlError, match="URL"):
        sigv4.Client(url)


def test_no_credentials_for_aws_iam_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(sigv4.CredentialsError, match="auth type NONE"):
        sigv4.Signer("us-east-1")


def test_the_connection_disables_nagle_like_hey(fake: FakeLambda) -> None:
    with sigv4.Client(fake.url, timeout_s=5) as client:
        assert client.post(b"[]").status == 200
        conn = client._conn
        assert conn is not None
        assert conn.sock is not None
        assert conn.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
