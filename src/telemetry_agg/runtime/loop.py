"""The lean runtime's loop: load the handler, then next -> handler -> response, forever.

What it answers, as the stock client (awslambdaric) does:
- Init: the handler (``module.function``: the first argument, else ``_HANDLER``, else
  ``telemetry_agg.handler.handler``) is imported and resolved; a failure is posted to
  ``/runtime/init/error`` with the stock client's error types (Runtime.MalformedHandlerName,
  Runtime.ImportModuleError, Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound, or the class
  name of what the module raised) and the process exits 1.
- Each invocation: ``Lambda-Runtime-Trace-Id`` goes into ``_X_AMZN_TRACE_ID`` (removed when
  absent), the handler gets a `LambdaContext` and the event (raw bytes for a `raw_event`
  handler, else decoded from JSON), and its result goes back as JSON (bytes as they are).
  An exception escaping the handler is posted as an invocation error: the JSON body
  ``{errorMessage, errorType, requestId, stackTrace}``, header
  ``Lambda-Runtime-Function-Error-Type`` and the X-Ray cause, logged to stdout as the stock
  client logs it; then the loop goes on with the next event.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

from telemetry_agg.runtime import accepts_raw_event, loads_event
from telemetry_agg.runtime.client import RuntimeAPIError, RuntimeClient
from telemetry_agg.runtime.context import REQUEST_ID, TRACE_ID, ContextError, LambdaContext

if TYPE_CHECKING:
    from collections.abc import Callable

DEFAULT_HANDLER = "telemetry_agg.handler.handler"
_XRAY_MAX = 1024 * 1024  # the stock client drops a larger X-Ray cause
_THIS_FILE = __file__


class FaultError(Exception):
    """A failure the stock client reports with a Runtime.* error type of its own."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


def load_handler(name: str) -> Callable[..., Any]:
    """The function ``module.function`` names, or FaultError / the exception its import raised."""
    try:
        module_name, function = name.rsplit(".", 1)
    except ValueError as exc:
        raise FaultError("Runtime.MalformedHandlerName", f"Bad handler '{name}': {exc}") from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultError(
            "Runtime.BuiltInModuleConflict",
            f"Cannot use built-in module {module_name} as a handler module",
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise FaultError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise FaultError(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {exc}",
            trace,
        ) from None
    try:
        handler: Callable[..., Any] = getattr(module, function)
    except AttributeError:
        raise FaultError(
            "Runtime.HandlerNotFound", f"Handler '{function}' missing on module '{module_name}'"
        ) from None
    return handler


def error_body(exc: BaseException, request_id: str = "") -> tuple[dict[str, Any], list[Any]]:
    """The stock client's error body for ``exc``, and the frames behind its stack trace."""
    frames: list[Any] = []
    if isinstance(exc, FaultError):
        error_type, message, trace = exc.error_type, exc.message, exc.trace
    else:
        import traceback  # noqa: PLC0415 - only an error needs it, not the cold start

        frames = traceback.extract_tb(exc.__traceback__)
        ours = 0
        while ours < len(frames) and frames[ours].filename == _THIS_FILE:
            ours += 1
        if ours < len(frames):  # our own frames are not the user's (unless there are no others)
            frames = frames[ours:]
        error_type, message = type(exc).__name__, str(exc)
        # as plain tuples, as the stock client formats them: no column carets
        trace = traceback.format_list([(f.filename, f.lineno or 0, f.name, f.line) for f in frames])
    body = {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": trace,
    }
    return body, frames


def xray_cause(body: dict[str, Any], frames: list[Any]) -> str:
    """The X-Ray error cause the stock client sends with an invocation error."""
    stack = [{"label": f.name, "path": f.filename, "line": f.lineno} for f in frames]
    cause = {
        "working_directory": os.getcwd(),  # noqa: PTH109 - pathlib costs ms at cold start
        "exceptions": [
            {"message": body["errorMessage"], "type": body["errorType"], "stack": stack}
        ],
        "paths": sorted({f.filename for f in frames}),
    }
    import json  # noqa: PLC0415 - errors only (see `encode`)

    text = json.dumps(cause, ensure_ascii=True)  # a header: ASCII only
    return text if len(text) < _XRAY_MAX else ""


def log_error(body: dict[str, Any]) -> None:
    """The stock client's text log line of an error (lines joined by CR, one record)."""
    lines = [f"[ERROR] {body['errorType']}: {body['errorMessage']}"]
    lines.append("Traceback (most recent call last):")
    for element in body["stackTrace"]:
        for line in element.splitlines() or [""]:
            text = line.lstrip(" ")
            lines.append("\u00a0" * (len(line) - len(text)) + text)  # indents survive the log
    sys.stdout.write("\r".join(lines) + "\n")
    sys.stdout.flush()


_SCALARS = (str, int, bool, type(None))


def _plain(result: Any) -> bool:
    """Whether ``result`` is a Function URL response's shape: a dict of strings, integers,
    booleans and nulls, and of dicts and lists of them (headers, cookies); no floats.
    msgspec encodes those to the same JSON value as json.dumps (compact, without its spaces)."""
    if type(result) is not dict:
        return False
    for key, value in result.items():
        kind = type(value)
        if type(key) is not str:
            return False
        if kind in _SCALARS:
            continue
        if kind is dict:
            if not all(type(k) is str and type(v) in _SCALARS for k, v in value.items()):
                return False
        elif kind is not list or not all(type(v) in _SCALARS for v in value):
            return False
    return True


def encode(result: Any) -> tuple[bytes, str]:
    """A handler's result as the Runtime API's response body, and its content type.

    A response of the plain shape (`_plain`) is encoded by msgspec when the handler has loaded
    it (ours does), so that the lean runtime never imports the stdlib json module (2 ms of a
    cold start); anything else by json.dumps, as the stock client encodes it. Whatever msgspec
    refuses (a lone surrogate) goes to json.dumps too, which gives the stock client's error.
    """
    if isinstance(result, bytes):
        return result, "application/unknown"
    fast = sys.modules.get("msgspec.json")  # never imported here: a handler without it
    if fast is not None and _plain(result):  # would pay more for msgspec than for json
        try:
            encoded: bytes = fast.encode(result)
        except (TypeError, ValueError):
            pass
        else:
            return encoded, "application/json"
    import json  # noqa: PLC0415 - see above

    try:
        text = json.dumps(result, ensure_ascii=False, allow_nan=True)
        return text.encode("utf-8"), "application/json"
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise FaultError("Runtime.MarshalError", f"Unable to marshal response: {exc}") from None


def decode(event: bytes, content_type: str | None) -> Any:
    """The event as the stock client hands it to a handler: JSON decoded (bytes otherwise)."""
    if content_type not in (None, "application/json"):
        return event
    try:
        return loads_event(event)
    except (ValueError, RecursionError) as exc:
        raise FaultError("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}") from None


def set_trace_id(trace_id: str | None) -> None:
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)


def serve_one(client: RuntimeClient, handler: Callable[..., Any], raw: bool) -> None:
    """One invocation: next, the handler, and its response or error.

    A Runtime API that refuses the answer (a status, such as 413 for a response over the
    limit) is logged and the loop goes on; one that fails ``next`` or goes away ends it
    (RuntimeAPIError), and Lambda starts the runtime again, as when the stock client dies.
    """
    answer = client.next()
    headers = answer.headers
    request_id = headers.get(REQUEST_ID, "")
    set_trace_id(headers.get(TRACE_ID))
    try:
        context = LambdaContext(headers)
        event = answer.body if raw else decode(answer.body, headers.get("content-type"))
        payload, content_type = encode(handler(event, context))
    except Exception as exc:
        if isinstance(exc, ContextError):
            exc = FaultError(exc.error_type, str(exc))
        body, frames = error_body(exc, request_id)
        log_error(body)
        post = functools.partial(
            client.fail, request_id, _json(body), body["errorType"], xray_cause(body, frames)
        )
    else:
        post = functools.partial(client.respond, request_id, payload, content_type)
    try:
        post()
    except RuntimeAPIError as exc:
        if exc.status is None:
            raise
        sys.stdout.write(f"[ERROR] telemetry_agg.runtime: {exc}\n")


def handler_name(argv: list[str]) -> str:
    """The handler to serve: the first argument, as the stock client takes it (the emulator
    sets ``_HANDLER`` to its command's last argument when it is not set), else ``_HANDLER``
    (Lambda sets it from the function's configuration), else the project's handler."""
    return (argv[1:] or [os.environ.get("_HANDLER") or DEFAULT_HANDLER])[0]


def main(argv: list[str] | None = None) -> None:
    """``python -m telemetry_agg.runtime [HANDLER]``: init, then serve until the environment
    ends."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True)
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        sys.exit(
            "telemetry_agg.runtime: AWS_LAMBDA_RUNTIME_API is not set; this loop runs inside "
            "Lambda or under the Runtime Interface Emulator (aws-lambda-rie)."
        )
    client = RuntimeClient(address)
    try:
        try:
            handler = load_handler(handler_name(sys.argv if argv is None else argv))
        except Exception as exc:
            body, _ = error_body(exc)
            log_error(body)
            client.init_error(_json(body), body["errorType"])
            sys.exit(1)
        serve(client, handler)
    finally:
        client.close()


def serve(client: RuntimeClient, handler: Callable[..., Any]) -> None:
    """Serve invocations until the Runtime API fails or goes away (RuntimeAPIError)."""
    raw = accepts_raw_event(handler)
    while True:
        serve_one(client, handler, raw)


def _json(body: dict[str, Any]) -> bytes:
    import json  # noqa: PLC0415 - errors only (see `encode`)

    return json.dumps(body, ensure_ascii=False).encode("utf-8", "replace")
