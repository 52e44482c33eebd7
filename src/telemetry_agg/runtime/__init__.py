"""The lean Lambda runtime: our own Runtime API loop (``python -m telemetry_agg.runtime``).

It replaces the stock runtime client (awslambdaric) for the ``python-lean`` lane: it serves the
handler its argument names, as ``python -m awslambdaric HANDLER`` does, or else ``_HANDLER``
(default ``telemetry_agg.handler.handler``), on the Runtime API that
``AWS_LAMBDA_RUNTIME_API`` names, as the stock client does (next, response, invocation error,
init error, request id and deadline, the X-Ray trace id), over one keep-alive connection.

The raw-event protocol: a handler marked with `raw_event` (the attribute named `RAW_EVENT` is
true) receives the event as the raw bytes of the Runtime API's answer, not decoded, and decodes
what it needs itself; its result is encoded like any other's. Every other handler receives the
event decoded from JSON, as the stock client hands it over. Importing this module costs nothing:
the loop lives in `telemetry_agg.runtime.loop`.

On AWS the python3.12 managed runtime starts it through ``AWS_LAMBDA_EXEC_WRAPPER`` set to the
`lean-wrapper` script of this folder (``/var/task/telemetry_agg/runtime/lean-wrapper``).
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["RAW_EVENT", "accepts_raw_event", "loads_event", "raw_event"]

#: The handler attribute that asks for the event's raw bytes.
RAW_EVENT = "lambda_raw_event"

_F = TypeVar("_F")


def raw_event(handler: _F) -> _F:
    """Mark ``handler(event, context)`` as taking the event's raw JSON bytes."""
    setattr(handler, RAW_EVENT, True)
    return handler


def accepts_raw_event(handler: object) -> bool:
    """Whether the lean loop hands ``handler`` the raw bytes (`raw_event` marked it)."""
    return getattr(handler, RAW_EVENT, False) is True


def loads_event(data: bytes) -> Any:
    """An event's bytes decoded as the stock client decodes them for its handler.

    Strict UTF-8 and a leading byte-order mark dropped, as simplejson reads bytes; then
    ``json.loads``, which accepts NaN, Infinity and lone surrogate escapes, as the runtime's
    decoder does (the shared vectors rely on it). Raises ValueError (UnicodeDecodeError,
    JSONDecodeError) or RecursionError.
    """
    import json  # noqa: PLC0415 - not on the raw-event path: no cold start pays for it

    return json.loads(data.decode("utf-8").removeprefix("\ufeff"))
