"""The remote bench's HTTP path against `telemetry-bench serve`: the real handlers of both
languages behind two local endpoints that behave like Function URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from support import skip_without_lane_tools
from telemetry_agg.bench.aws import load, sigv4
from telemetry_agg.bench.cli import app
from telemetry_agg.bench.local import serve
from telemetry_agg.bench.model import results as res

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = [pytest.mark.emulator, pytest.mark.slow]


@pytest.fixture(scope="module")
def served() -> Iterator[serve.Served]:
    skip_without_lane_tools()
    with serve.serve_functions(concurrency=2) as running:
        yield running


def _run(served: serve.Served, tmp_path: Path, sizes: str) -> tuple[int, str, str]:
    args = ["remote", "--python-url", served.urls["python"], "--go-url", served.urls["go"]]
    args += ["--python-lean-url", served.urls["python-lean"]]
    args += ["--auth-type", "NONE", "--region", "us-east-1", "-k", "0", "--no-reports"]
    args += ["--sizes", sizes, "-n", "6", "-c", "2", "--timeout", "30", "-o", str(tmp_path)]
    result = CliRunner().invoke(app, args, env={"TERM": "dumb", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def test_both_real_handlers_answer_through_the_remote_client(
    served: serve.Served, tmp_path: Path
) -> None:
    code, stdout, stderr = _run(served, tmp_path, "100")
    assert code == 0, stderr
    saved = res.load(tmp_path)
    for lang, aggregator in (("python", None), ("python-lean", None), ("go", "scanner")):
        series = saved.get(100, lang)
        assert series is not None
        assert len(series.samples) == 6
        assert series.errors == 0, [s.error for s in series.samples]
        assert all(s.status_code == 200 for s in series.samples)
        assert all(s.compute_ms is not None and s.compute_ms > 0 for s in series.samples)
        if aggregator:
            assert series.aggregator == aggregator
        else:
            assert series.aggregator  # the Python default, whichever it is
    assert "Requests by outcome" in stdout


def test_a_body_over_the_function_url_limit_is_answered_413(served: serve.Served) -> None:
    # `remote` refuses such payloads up front; the client still reports what the server says.
    body = b"[" + b"1," * (3_200_000) + b"1]"  # 6.4 MB
    for url in (served.urls["python"], served.urls["go"]):

        def client(url: str = url) -> sigv4.Client:
            return sigv4.Client(url, timeout_s=30)

        outcomes = load.run_load(
            client,
            body,
            concurrency=1,
            requests=3,
        )
        errors = [o.error for o in outcomes]
        # serve answers 413 and hangs up without reading the rest of the body; the kernel may
        # then reset the connection before the client reads that answer: a connection error.
        assert set(errors) <= {"http_413", "connection"}, errors
        assert len(errors) == 3


def test_serve_answers_with_the_request_id_of_the_invocation(served: serve.Served) -> None:
    # A Function URL names its invocation in `x-amzn-requestid`; the REPORT join relies on it.
    ids = []
    for url in (served.urls["python"], served.urls["go"]):
        with sigv4.Client(url, timeout_s=30) as client:
            response = client.post(b"[]")
        assert response.status == 200, response
        assert response.request_id is not None
        assert len(response.request_id) == 36, response.request_id  # a UUID, as the emulator's
        ids.append(response.request_id)
    assert ids[0] != ids[1]
