"""The lean runtime loop against a fake Runtime API in this process: next / response, invocation
and init errors, the trace id, the context and its deadline, one keep-alive connection, and bad
events that still get the contract's answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from support import load_event
from telemetry_agg.handler import handle
from telemetry_agg.limits import NOT_COMPARED
from telemetry_agg.runtime import accepts_raw_event, raw_event
from telemetry_agg.runtime.client import RuntimeAPIError, RuntimeClient
from telemetry_agg.runtime.loop import (
    DEFAULT_HANDLER,
    FaultError,
    encode,
    handler_name,
    main,
    serve_one,
)

from .support import API, HANDLER, write_module

if TYPE_CHECKING:
    from .support import FakeRuntimeAPI, Post

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "src" / "telemetry_agg" / "runtime" / "lean-wrapper"


def run_main(api: FakeRuntimeAPI, monkeypatch: pytest.MonkeyPatch, handler: str = HANDLER) -> None:
    """The loop as `python -m telemetry_agg.runtime` runs it, until the fake API has no event."""
    monkeypatch.setenv("_HANDLER", handler)
    with pytest.raises(RuntimeAPIError, match="connection"):
        main(["telemetry_agg/runtime/__main__.py"])


def answer(post: Post) -> tuple[int, dict[str, Any]]:
    """A response post's status code and answer (the Function URL shape, decoded)."""
    response = post.json()
    assert set(response) == {"statusCode", "headers", "body"}
    assert response["headers"]["content-type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in {*NOT_COMPARED, "detail"}}


def test_the_project_handler_takes_raw_events() -> None:
    from telemetry_agg.handler import handler  # noqa: PLC0415

    assert accepts_raw_event(handler)
    assert not accepts_raw_event(handle)


def test_next_response_keep_alive(
    fake_api: FakeRuntimeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["function_url_post", "function_url_gzip", "direct_invoke_batch", "function_url_get"]
    ids = [fake_api.add(json.dumps(load_event(name)).encode()) for name in names]
    run_main(fake_api, monkeypatch)
    assert [p.path for p in fake_api.posts] == [f"{API}/invocation/{i}/response" for i in ids]
    for name, post in zip(names, fake_api.posts, strict=True):
        assert post.headers["content-type"] == "application/json"
        status, body = answer(post)
        expected, _ = handle(load_event(name))
        assert status == expected["statusCode"]
        assert comparable(body) == comparable(json.loads(expected["body"]))
    # one connection for every call (the last GET found no event and was closed; the retry
    # that follows is the only second one)
    assert len(fake_api.peers) == 2


def test_raising_handler_is_an_invocation_error_and_the_loop_goes_on(
    fake_api: FakeRuntimeAPI, monkeypatch: pytest.MonkeyPatch, handler_dir: Path
) -> None:
    write_module(
        handler_dir,
        "flaky",
        """
        calls = []
        def handler(event, context):
            calls.append(event)
            if len(calls) == 1:
                raise ValueError("boom: " + event["say"])
            return {"ok": event["say"]}
        """,
    )
    first = fake_api.add(b'{"say": "first"}')
    second = fake_api.add(b'{"say": "second"}')
    run_main(fake_api, monkeypatch, "flaky.handler")
    error, ok = fake_api.posts
    assert error.path == f"{API}/invocation/{first}/error"
    assert error.headers["lambda-runtime-function-error-type"] == "ValueError"
    body = error.json()
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "boom: first"
    assert body["requestId"] == first
    assert body["stackTrace"]
    assert "flaky.py" in body["stackTrace"][0]  # the user's frame first, not the loop's
    assert not any("runtime/loop.py" in line for line in body["stackTrace"])
    cause = json.loads(error.headers["lambda-runtime-function-xray-error-cause"])
    assert cause["exceptions"][0]["type"] == "ValueError"
    assert ok.path == f"{API}/invocation/{second}/response"
    assert ok.json() == {"ok": "second"}


@pytest.mark.parametrize(
    ("handler", "source", "error_type", "message"),
    [
        ("nodot", None, "Runtime.MalformedHandlerName", "Bad handler 'nodot'"),
        ("no_such_module_here.handler", None, "Runtime.ImportModuleError", "Unable to import"),
        ("telemetry_agg.handler.missing", None, "Runtime.HandlerNotFound", "missing on module"),
        ("broken.handler", "raise RuntimeError('broken at import')", "RuntimeError", "broken at"),
        ("syntax.handler", "def handler(:\n", "Runtime.UserCodeSyntaxError", "Syntax error"),
    ],
)
def test_init_error(
    fake_api: FakeRuntimeAPI,
    monkeypatch: pytest.MonkeyPatch,
    handler_dir: Path,
    handler: str,
    source: str | None,
    error_type: str,
    message: str,
) -> None:
    if source is not None:
        write_module(handler_dir, handler.split(".", maxsplit=1)[0], source)
    fake_api.add(b"{}")
    with pytest.raises(SystemExit) as exit_info:
        main(["telemetry_agg/runtime/__main__.py", handler])
    assert exit_info.value.code == 1
    (post,) = fake_api.posts
    assert post.path == f"{API}/init/error"
    assert post.headers["lambda-runtime-function-error-type"] == error_type
    body = post.json()
    assert body["errorType"] == error_type
    assert message in body["errorMessage"]
    assert isinstance(body["stackTrace"], list)
    assert len(fake_api.events) == 1  # it never asked for an event


def test_trace_id_and_context(
    fake_api: FakeRuntimeAPI, monkeypatch: pytest.MonkeyPatch, handler_dir: Path
) -> None:
    write_module(
        handler_dir,
        "seer",
        """
        import os
        def handler(event, context):
            return {
                "trace": os.environ.get("_X_AMZN_TRACE_ID"),
                "remaining": context.get_remaining_time_in_millis(),
                "request_id": context.aws_request_id,
                "arn": context.invoked_function_arn,
                "name": context.function_name,
                "version": context.function_version,
                "memory": context.memory_limit_in_mb,
                "group": context.log_group_name,
                "stream": context.log_stream_name,
                "custom": context.client_context.custom if context.client_context else None,
                "identity": context.identity.cognito_identity_id,
            }
        """,
    )
    for name, value in {
        "AWS_LAMBDA_FUNCTION_NAME": "lean-fn",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/lean-fn",
        "AWS_LAMBDA_LOG_STREAM_NAME": "stream-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "left-over")
    deadline = int(time.time() * 1000) + 5000
    arn = "arn:aws:lambda:us-east-1:123456789012:function:lean-fn"
    fake_api.add(
        b"{}",
        "id-1",
        headers={
            "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            "Lambda-Runtime-Deadline-Ms": str(deadline),
            "Lambda-Runtime-Invoked-Function-Arn": arn,
            "Lambda-Runtime-Client-Context": '{"custom": {"k": "v"}, "client": {}}',
            "Lambda-Runtime-Cognito-Identity": '{"cognitoIdentityId": "who"}',
        },
    )
    fake_api.add(b"{}", "id-2")  # no trace id: the variable goes away
    run_main(fake_api, monkeypatch, "seer.handler")
    first, second = (post.json() for post in fake_api.posts)
    assert first["trace"] == "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    assert 3000 < first["remaining"] <= 5000
    assert first["request_id"] == "id-1"
    assert first["arn"] == arn
    assert (first["name"], first["version"], first["memory"]) == ("lean-fn", "$LATEST", "512")
    assert (first["group"], first["stream"]) == ("/aws/lambda/lean-fn", "stream-1")
    assert first["custom"] == {"k": "v"}
    assert first["identity"] == "who"
    assert second["trace"] is None
    assert second["request_id"] == "id-2"
    assert second["remaining"] == 0  # no deadline header: nothing left, never negative


BAD_EVENTS = [
    (b"not json at all", 400, "invalid_json"),
    (b'{"body": "[{\xff}]"}', 400, "invalid_json"),  # invalid UTF-8 in the event
    (b'{"body": "[]", "x": "\xed\xa0\x80"}', 400, "invalid_json"),  # a UTF-8 encoded surrogate
    (b'{"body": "[\\ud800]"}', 400, "invalid_json"),  # a lone surrogate escape in the body
    (b'{"headers": {"x": "\\udc00"}, "body": "[]"}', 200, None),  # ... elsewhere: no harm
    (b"[1, NaN]", 400, "invalid_json"),
    (b'[{"status": 200, "status": NaN}, {"status": 1}]', 400, "invalid_json"),
    (b'[{"status": NaN, "status": 200}]', 200, None),  # the runtime's decoder keeps the last
    (b"\xef\xbb\xbf[]", 200, None),  # a byte-order mark before the event is dropped
    (b'{"body": 5}', 400, "invalid_event"),
    (b'{"body": "[]", "body": {}}', 400, "invalid_event"),  # the last duplicate wins
    (b'"a string"', 400, "expected_array"),
    (b"null", 400, "expected_array"),
    (b'{"requestContext": {"http": {"method": "GET"}}}', 405, "method_not_allowed"),
    (b'{"body": "W10=", "isBase64Encoded": true}', 200, None),
    (b'{"body": "[]", "isBase64Encoded": 1}', 200, None),
    (b'{"body": "[]", "headers": {"Content-Encoding": "br"}}', 415, "unsupported_encoding"),
    (b'{"body": "[]", "extra": 1e999, "deep": ' + b"[" * 40 + b"]" * 40 + b"}", 200, None),
    (b"", 400, "invalid_json"),
]


def test_bad_events_get_contract_answers(
    fake_api: FakeRuntimeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [fake_api.add(event) for event, _, _ in BAD_EVENTS]
    run_main(fake_api, monkeypatch)
    assert [p.path for p in fake_api.posts] == [f"{API}/invocation/{i}/response" for i in ids]
    for (event, status, code), post in zip(BAD_EVENTS, fake_api.posts, strict=True):
        got_status, body = answer(post)
        assert (got_status, body.get("error")) == (status, code), event
        if status == 405:
            assert post.json()["headers"]["allow"] == "POST"


def test_a_handler_without_the_mark_gets_the_decoded_event(
    fake_api: FakeRuntimeAPI, monkeypatch: pytest.MonkeyPatch, handler_dir: Path
) -> None:
    write_module(
        handler_dir,
        "plain",
        """
        def handler(event, context):
            return {"type": type(event).__name__, "event": event}
        """,
    )
    fake_api.add(b'{"a": [1, 2.5, "\\u00e9"]}')
    bad = fake_api.add(b"{nope")
    fake_api.add(b"[]")
    run_main(fake_api, monkeypatch, "plain.handler")
    first, error, last = fake_api.posts
    assert first.json() == {"type": "dict", "event": {"a": [1, 2.5, "\u00e9"]}}
    assert error.path == f"{API}/invocation/{bad}/error"
    assert error.json()["errorType"] == "Runtime.UnmarshalError"
    assert error.headers["lambda-runtime-function-error-type"] == "Runtime.UnmarshalError"
    assert last.json() == {"type": "list", "event": []}


def test_results_that_cannot_be_json_are_marshal_errors(
    fake_api: FakeRuntimeAPI, monkeypatch: pytest.MonkeyPatch, handler_dir: Path
) -> None:
    write_module(
        handler_dir,
        "odd",
        """
        def handler(event, context):
            return {"set": object()} if event else b"raw bytes"
        """,
    )
    fake_api.add(b"1")
    fake_api.add(b"0")
    run_main(fake_api, monkeypatch, "odd.handler")
    error, raw = fake_api.posts
    assert error.json()["errorType"] == "Runtime.MarshalError"
    assert raw.body == b"raw bytes"
    assert raw.headers["content-type"] == "application/unknown"


@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": "{}"},
        {"statusCode": 404, "body": 'caf\u00e9 \U0001f600 \u2028 "q" \\ \x00', "cookies": ["a=1"]},
        {"isBase64Encoded": True, "statusCode": 2**70, "body": None},
        {"ratio": 0.1, "big": 1e300},  # floats: json.dumps
        {"nested": {"deeper": {"x": 1}}},
        [1, "two"],
        "text",
        {1: "int key"},
    ],
)
def test_every_result_is_the_json_value_the_stock_client_sends(result: Any) -> None:
    """Plain responses are encoded by msgspec, the rest by json.dumps: the same JSON value."""
    payload, content_type = encode(result)
    assert content_type == "application/json"
    assert json.loads(payload) == json.loads(json.dumps(result, ensure_ascii=False))


def test_non_finite_floats_are_sent_as_the_stock_client_sends_them() -> None:
    payload, _ = encode({"statusCode": 200, "nan": float("nan"), "inf": float("-inf")})
    assert payload == b'{"statusCode": 200, "nan": NaN, "inf": -Infinity}'


def test_a_lone_surrogate_in_a_plain_response_is_a_marshal_error() -> None:
    with pytest.raises(FaultError) as caught:
        encode({"statusCode": 200, "body": "\ud800"})
    assert caught.value.error_type == "Runtime.MarshalError"
    assert "surrogates not allowed" in caught.value.message


OUR_HANDLER = (  # a Function URL event through the project's handler, its log line muted
    "import telemetry_agg.handler as h\n"
    'raw = b\'{"body": "[{\\\\"endpoint\\\\": \\\\"/a\\\\"}]"}\'\n'
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    result = h.handler(raw, None)\n"
)


@pytest.mark.parametrize(
    ("handler", "never_loaded"),
    [
        # The stdlib json module is 2 ms of a cold start the lean runtime never needs: neither
        # the loop, the handler nor a Function URL event's answer imports it.
        (OUR_HANDLER, "json"),
        # msgspec encodes only when the handler loaded it: for another handler, importing it
        # would cost more than json does.
        ("result = {'statusCode': 200, 'body': 'x'}\n", "msgspec"),
    ],
    ids=["our handler, no json", "another handler, no msgspec"],
)
def test_the_loop_imports_no_encoder_the_handler_did_not_load(
    handler: str, never_loaded: str
) -> None:
    code = (
        "import contextlib, io, sys\n"
        "import telemetry_agg.runtime.loop as loop\n"
        + handler
        + "print(loop.encode(result)[0].decode())\n"
        + f"print({never_loaded!r} in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert json.loads(out[0])["statusCode"] == 200
    assert out[1] == "False", f"{never_loaded} was imported"


def test_a_refused_answer_is_logged_and_the_loop_goes_on(
    fake_api: FakeRuntimeAPI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_api.refusals.append(413)
    fake_api.add(b"[]")
    second = fake_api.add(b"[]")
    run_main(fake_api, monkeypatch)
    assert len(fake_api.posts) == 2
    assert fake_api.posts[1].path == f"{API}/invocation/{second}/response"
    assert "answered 413" in capsys.readouterr().out


def test_chunked_answers_and_connection_close(fake_api: FakeRuntimeAPI) -> None:
    event = json.dumps(load_event("function_url_post")).encode()
    fake_api.add(event, chunked=True)
    fake_api.add(event, close=True)
    fake_api.add(event)
    client = RuntimeClient(fake_api.address)
    from telemetry_agg.handler import handler  # noqa: PLC0415

    try:
        for _ in range(3):
            serve_one(client, handler, raw=True)
    finally:
        client.close()
    assert [answer(p)[1]["total_events"] for p in fake_api.posts] == [8, 8, 8]
    assert client.connections == 2  # the server closed the first after its second answer


def test_raw_event_marks_a_handler() -> None:
    @raw_event
    def marked(event: bytes, context: Any) -> None:
        return None

    assert accepts_raw_event(marked)
    assert not accepts_raw_event(lambda event, context: None)


def test_the_handler_is_the_argument_else_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_HANDLER", "from.env")
    assert handler_name(["__main__.py", "from.argv"]) == "from.argv"
    assert handler_name(["__main__.py"]) == "from.env"
    monkeypatch.delenv("_HANDLER")
    assert handler_name(["__main__.py"]) == DEFAULT_HANDLER == HANDLER


def test_without_a_runtime_api_it_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_RUNTIME_API", raising=False)
    with pytest.raises(SystemExit, match="AWS_LAMBDA_RUNTIME_API is not set"):
        main(["__main__.py"])


@pytest.mark.parametrize("address", ["", "localhost", "localhost:port"])
def test_a_bad_runtime_api_address_is_refused(address: str) -> None:
    with pytest.raises(RuntimeAPIError, match="host:port"):
        RuntimeClient(address)


def test_module_entry_point_and_wrapper(fake_api: FakeRuntimeAPI, tmp_path: Path) -> None:
    """The real process: the wrapper execs ``python -m telemetry_agg.runtime`` with the
    interpreter it is given, which serves the events and exits when the API goes away; then
    the same with a handler that cannot be imported: an init error and exit status 1."""
    event = json.dumps(load_event("function_url_post")).encode()
    request_id = fake_api.add(event)
    env = {
        **os.environ,
        "AWS_LAMBDA_RUNTIME_API": fake_api.address,
        "_HANDLER": HANDLER,
        "LAMBDA_TASK_ROOT": str(tmp_path),
    }
    argv = [str(WRAPPER), sys.executable, "/var/runtime/bootstrap.py"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr  # RuntimeAPIError: the API went away
    assert "RuntimeAPIError" in done.stderr
    (post,) = fake_api.posts
    assert post.path == f"{API}/invocation/{request_id}/response"
    assert answer(post)[1]["total_events"] == 8

    fake_api.add(event)
    env["_HANDLER"] = "no_such_module_here.handler"
    argv = [sys.executable, "-m", "telemetry_agg.runtime"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert fake_api.posts[-1].path == f"{API}/init/error"
    assert "Runtime.ImportModuleError" in done.stdout


@pytest.mark.parametrize(
    "answer_bytes",
    [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",  # cut in a chunk
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",  # no last chunk
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",  # shorter than it says
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # not a chunk size
        b"garbage\r\n\r\n",
    ],
)
def test_a_broken_answer_is_an_error(answer_bytes: bytes) -> None:
    import socket  # noqa: PLC0415
    import threading  # noqa: PLC0415

    with socket.create_server(("127.0.0.1", 0)) as server:

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(answer_bytes)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        client = RuntimeClient(f"127.0.0.1:{server.getsockname()[1]}")
        try:
            with pytest.raises(RuntimeAPIError):
                client.next()
        finally:
            client.close()
            thread.join(timeout=5)
