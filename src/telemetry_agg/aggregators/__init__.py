"""Aggregators: the Protocol, the built-ins and the registry.

An aggregator turns one document (the request body's bytes after base64 and gzip, at most
32 MiB; or the body's text, whose UTF-8 encoding is the document: the handler hands over text
only when it is all ASCII, which saves a copy) into a :class:`~telemetry_agg.summary.Summary`,
or raises :class:`~telemetry_agg.errors.AggregationError` (``invalid_json`` or ``expected_array``).
Every aggregator gives the same answer to every document.

Built-ins are listed in :data:`BUILTINS`, fastest first; a built-in is available when its
dependency is installed. Third-party aggregators register in the entry-point group
``telemetry_agg.aggregators`` (the entry point names an aggregator object, or a class made with
no arguments); entry points are read only when a name is not a built-in or when
:func:`available_aggregators` is called, never at import time.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from telemetry_agg.summary import Summary

ENTRY_POINT_GROUP = "telemetry_agg.aggregators"
ENV_VAR = "TELEMETRY_AGG_AGGREGATOR"


@runtime_checkable
class Aggregator(Protocol):
    """A way to aggregate a document: a ``name`` and one method."""

    @property
    def name(self) -> str: ...

    def summarize(self, document: bytes | str) -> Summary:
        """Aggregate one document; raise AggregationError when §2 rejects it."""
        ...


#: (name, module holding ``AGGREGATOR``, the distribution it needs or None), fastest first.
BUILTINS: tuple[tuple[str, str, str | None], ...] = (
    ("msgspec", "telemetry_agg.aggregators.msgspec_agg", "msgspec"),
    ("orjson", "telemetry_agg.aggregators.orjson_agg", "orjson"),
    ("reference", "telemetry_agg.aggregators.reference", None),
)

_loaded: dict[str, Aggregator] = {}


class UnknownAggregatorError(LookupError):
    """No aggregator of that name is installed."""


def _installed(module: str | None) -> bool:
    return module is None or importlib.util.find_spec(module) is not None


@functools.cache
def _installed_builtins() -> tuple[str, ...]:
    return tuple(name for name, _, needs in BUILTINS if _installed(needs))


def builtin_aggregators() -> list[str]:
    """The built-ins whose dependency is installed, fastest first (no entry-point scan)."""
    return list(_installed_builtins())


def _entry_points() -> dict[str, object]:
    from importlib.metadata import entry_points  # noqa: PLC0415 - slow: only when asked

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_aggregators() -> list[str]:
    """Every aggregator that can run here: built-ins (fastest first), then plug-ins by name."""
    names = builtin_aggregators()
    names += sorted(name for name in _entry_points() if name not in names)
    return names


def default_aggregator_name() -> str:
    """``$TELEMETRY_AGG_AGGREGATOR`` when set, else the fastest installed built-in."""
    return os.environ.get(ENV_VAR, "").strip() or builtin_aggregators()[0]


def get_aggregator(name: str | None = None) -> Aggregator:
    """The aggregator called ``name`` (default: :func:`default_aggregator_name`)."""
    name = name or default_aggregator_name()
    found = _loaded.get(name)
    if found is not None:
        return found
    for builtin, module, needs in BUILTINS:
        if builtin == name:
            if not _installed(needs):
                raise UnknownAggregatorError(
                    f"aggregator {name!r} needs the package {needs!r}: pip install {needs}"
                )
            found = importlib.import_module(module).AGGREGATOR
            break
    else:
        entry = _entry_points().get(name)
        if entry is None:
            raise UnknownAggregatorError(
                f"no aggregator named {name!r}; available: {', '.join(available_aggregators())}"
                f" (set {ENV_VAR} to one of them, or install a plug-in that registers"
                f" {name!r} in the entry-point group {ENTRY_POINT_GROUP!r})"
            )
        try:
            obj = entry.load()  # type: ignore[attr-defined]
            found = obj() if isinstance(obj, type) else obj
        except Exception as exc:
            raise UnknownAggregatorError(
                f"the plug-in aggregator {name!r} failed to load ({type(exc).__name__}: {exc});"
                " reinstall it or choose another one"
            ) from exc
        if not isinstance(found, Aggregator):
            raise UnknownAggregatorError(
                f"the entry point {name!r} in {ENTRY_POINT_GROUP!r} is not an aggregator:"
                " it needs a `name` and a `summarize(document: bytes | str) -> Summary` method"
            )
    assert found is not None
    _loaded[name] = found
    return found


__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "ENV_VAR",
    "Aggregator",
    "UnknownAggregatorError",
    "available_aggregators",
    "builtin_aggregators",
    "default_aggregator_name",
    "get_aggregator",
]
