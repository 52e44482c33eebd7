"""The issue's fault bar: DynamoDB becomes unreachable in the middle of a run (a proxy in front
of moto starts refusing connections, so the table survives to be checked). Every answer is a
200 whose item exists or a 503 store_unavailable; never a 200 without its item, never a 500,
never an answer past the invocation's deadline."""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING

from aws_servers import create_table, scan_items
from support import LambdaContext
from telemetry_agg import store
from telemetry_agg.handler import handle

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_servers import TcpProxy

ONE = '[{"endpoint":"/a","status":200,"duration_ms":7,"user_id":"u1"}]'
DEADLINE_MS = 10_000


def test_the_endpoint_refusing_connections_mid_run(
    proxy: TcpProxy,
    moto_endpoint: str,
    table_name: str,
    use_endpoint: Callable[[str, str], None],
) -> None:
    create_table(moto_endpoint, table_name)
    use_endpoint(proxy.endpoint, table_name)
    cut = threading.Timer(0.5, proxy.refuse)
    answers: list[tuple[str, int, str | None]] = []  # request id, status, error detail
    cut.start()
    try:
        started = time.monotonic()
        while time.monotonic() - started < 1.5 or not cut.finished.is_set():
            request_id = f"fault-{len(answers)}"
            begun = time.monotonic()
            response, _ = handle({"body": ONE}, LambdaContext(request_id, DEADLINE_MS))
            assert (time.monotonic() - begun) * 1000 < DEADLINE_MS, request_id
            body = json.loads(response["body"])
            answers.append((request_id, response["statusCode"], body.get("detail")))
    finally:
        cut.cancel()
        cut.join()
    items = scan_items(moto_endpoint, table_name)
    statuses = [status for _, status, _ in answers]
    assert set(statuses) == {200, 503}, statuses  # some before the cut, some after; no other
    first_503 = statuses.index(503)
    assert 200 not in statuses[first_503:]  # the endpoint never comes back
    for request_id, status, detail in answers:
        if status == 200:
            assert request_id in items, f"{request_id}: a 200 without its item"
        else:
            assert detail == store.DETAILS["unreachable"], request_id
    assert set(items) <= {request_id for request_id, _, _ in answers}
