"""Fixtures for §5, the stored workload: the handler's environment pointed at a DynamoDB
endpoint (moto, a stub, a proxy, a closed port), a Lambda context, a fresh table."""

from __future__ import annotations

import contextlib
import itertools
from typing import TYPE_CHECKING, Any

import pytest

from aws_servers import DUMMY_CREDENTIALS, TcpProxy, create_table
from support import LambdaContext
from telemetry_agg import store
from telemetry_agg.handler import handle

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_tables = itertools.count()


@pytest.fixture
def use_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], None]]:
    """Point the store at ``endpoint`` with table ``table`` (dummy credentials, us-east-1), as
    the function's environment would; the client is made anew for it."""
    for name, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    def use(endpoint: str, table: str) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        monkeypatch.setenv(store.TABLE_ENV, table)
        store.reset()
        with contextlib.suppress(store.StoreError):  # made now, as at init (or each request)
            store.current()

    yield use
    store.reset()


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The standard retry mode without its sleeps (the attempts stay as they are)."""
    from botocore.retries.standard import ExponentialBackoff  # noqa: PLC0415

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


@pytest.fixture
def table_name() -> str:
    """A table name no other test uses (the moto server lives for the whole session)."""
    return f"summaries-{next(_tables)}"


@pytest.fixture
def table(moto_endpoint: str, table_name: str, use_endpoint: Callable[[str, str], None]) -> str:
    """A fresh §5 table on the session's moto server, the store pointed at it."""
    create_table(moto_endpoint, table_name)
    use_endpoint(moto_endpoint, table_name)
    return table_name


@pytest.fixture
def proxy(moto_endpoint: str) -> Iterator[TcpProxy]:
    """A TCP proxy in front of the session's moto server, refusing connections on demand."""
    host, port = moto_endpoint.removeprefix("http://").rsplit(":", 1)
    with TcpProxy((host, int(port))) as running:
        yield running


@pytest.fixture
def invoke() -> Callable[..., tuple[dict[str, Any], dict[str, Any]]]:
    """Invoke the handler with a body (or an event) under a request id and a time left."""

    def run(
        request_id: str, body: str | None = None, *, event: Any = None, remaining_ms: float = 10_000
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        return handle(
            event if event is not None else {"body": body}, LambdaContext(request_id, remaining_ms)
        )

    return run
