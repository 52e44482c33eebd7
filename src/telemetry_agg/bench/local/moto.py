"""moto in server mode on 127.0.0.1: a real DynamoDB API over HTTP for the stored workload, the
one start and stop that the bench (`local`/`serve --workload store`) and the tests share.

`moto_server()` runs it in a process of its own (`python -m moto.server`), not in a thread of
the bench: the bench's timing threads and the server's request handling never share an
interpreter lock. It is stopped when the `with` block ends, whatever ends it (an error, Ctrl-C,
SIGTERM raised as `Terminated`); and if the bench is killed outright (SIGKILL), the reaper
(`reaper.py`) kills it, so nothing is left running.

`create_table`, `scan_items` and `dynamodb_client` are the §5 table on such an endpoint, with
dummy credentials (moto takes any).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
import tempfile
from typing import IO, TYPE_CHECKING, Any

from telemetry_agg.bench.errors import BenchError, ToolMissingError
from telemetry_agg.bench.local import reaper
from telemetry_agg.bench.local.emulator import listening, terminate
from telemetry_agg.bench.local.runtimes import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = [
    "CREDENTIALS",
    "REGION",
    "MotoError",
    "create_table",
    "dynamodb_client",
    "moto_server",
    "scan_items",
]

REGION = "us-east-1"
#: Dummy credentials: moto takes any, and the SDKs need some to sign with.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class MotoError(BenchError):
    """The moto server did not start, or its table could not be made or read."""


def _tail(log: IO[bytes], lines: int = 12) -> str:
    log.seek(0)
    return "\n".join(log.read().decode("utf-8", "replace").splitlines()[-lines:])


@contextlib.contextmanager
def moto_server(
    *, settings: Mapping[str, str] | None = None, ready_timeout_s: float = 60.0
) -> Iterator[str]:
    """moto in server mode on a free 127.0.0.1 port; yields its endpoint URL, always stopped.

    `settings`: moto's own settings, which it reads from its environment when it starts (e.g.
    ``{"INITIAL_NO_AUTH_ACTION_COUNT": "0"}``: check every request's signature)."""
    if importlib.util.find_spec("moto") is None:
        raise ToolMissingError(
            "moto is not installed, and the stored workload runs its DynamoDB table on it: "
            "pip install 'telemetry-agg[bench]' (or run `make setup`)"
        )
    with tempfile.TemporaryFile() as log:
        for attempt in range(3):
            port = free_port()
            argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(settings or {})},
                start_new_session=True,  # Ctrl-C reaches the bench, which stops it
            )
            reaper.watch(proc.pid)  # a bench killed outright cannot stop it: the reaper does
            try:
                if listening(proc, port, ready_timeout_s, poll_s=0.05):
                    yield f"http://127.0.0.1:{port}"
                    return
            finally:
                terminate(proc, [], timeout_s=5.0)
                reaper.forget(proc.pid)
            if "already in use" not in _tail(log) or attempt == 2:
                break
        raise MotoError(f"the moto server did not start on 127.0.0.1; its output:\n{_tail(log)}")


def dynamodb_client(endpoint: str) -> Any:
    """A plain boto3 DynamoDB client on an endpoint, with the dummy credentials."""
    import boto3  # noqa: PLC0415 - only the stored workload needs the SDK

    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def create_table(endpoint: str, name: str) -> None:
    """The §5 table: hash key request_id (S), on-demand."""
    dynamodb_client(endpoint).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "request_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "request_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def scan_items(endpoint: str, name: str) -> dict[str, dict[str, Any]]:
    """The table's whole content, by request_id, in DynamoDB's typed JSON."""
    client = dynamodb_client(endpoint)
    items: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("scan").paginate(TableName=name):
        for item in page["Items"]:
            items[item["request_id"]["S"]] = item
    return items
