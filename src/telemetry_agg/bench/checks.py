"""The option checks every command shares, each written once: one line that names the option
and says what it takes, as a `UsageError` (exit 2), before anything starts."""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from typing import TYPE_CHECKING

from telemetry_agg.bench import constants as c
from telemetry_agg.bench.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path


def memory(mb: int, option: str = "--memory") -> int:
    if not c.MEMORY_MIN_MB <= mb <= c.MEMORY_MAX_MB:
        raise UsageError(
            f"{option} must be {c.MEMORY_MIN_MB} to {c.MEMORY_MAX_MB} MB (Lambda's range), not {mb}"
        )
    return mb


def timeout(seconds: int, option: str = "--timeout") -> int:
    if not c.TIMEOUT_MIN_S <= seconds <= c.TIMEOUT_MAX_S:
        raise UsageError(
            f"{option} must be {c.TIMEOUT_MIN_S} to {c.TIMEOUT_MAX_S} s (Lambda's range), "
            f"not {seconds}"
        )
    return seconds


def concurrency(n: int, option: str = "--concurrency") -> int:
    if not 1 <= n <= c.CONCURRENCY_MAX_LOCAL:
        raise UsageError(f"{option} must be 1 to {c.CONCURRENCY_MAX_LOCAL}, not {n}")
    return n


def price(value: float | None, option: str = "--price") -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise UsageError(
            f"{option} must be a positive number of dollars per GB-second, not {value}"
        )
    return value


def aggregator(name: str | None, option: str = "--aggregator") -> str | None:
    """An installed Python aggregator (the registry of `telemetry_agg.aggregators`), or None."""
    if name is None:
        return None
    from telemetry_agg.aggregators import available_aggregators  # noqa: PLC0415

    names = available_aggregators()
    if name not in names:
        raise UsageError(f"{option} {name!r} is not installed; choose one of: {', '.join(names)}")
    return name


def ports(chosen: Mapping[str, int]) -> dict[str, int]:
    """Per option name (e.g. `--port-go`), a port: 0 (a free one) or 1 to 65535, each used once."""
    for option, port in chosen.items():
        if port != 0 and not c.PORT_MIN <= port <= c.PORT_MAX:
            raise UsageError(f"{option} must be 0 (a free port) or 1 to {c.PORT_MAX}, not {port}")
    seen: dict[int, str] = {}
    for option, port in chosen.items():
        if port and port in seen:
            raise UsageError(
                f"{seen[port]} and {option} are both {port}: give each function its own port"
            )
        seen[port] = option
    return dict(chosen)


def output_dir(path: Path | None, *, create: bool = True) -> Path | None:
    """A folder the results can be written to, checked now so that a bad one fails before the
    measuring does (not after it). With `create`, it is made and tried with a file; without,
    the nearest existing folder on its way must be writable (nothing is made: no folder is left
    behind by a run that ends before writing). None stays None."""
    if path is None:
        return None
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise UsageError(
            f"cannot write results to {path}: {existing} is a file, not a folder",
            "Give --output a folder (it is created if missing).",
        )
    try:
        if create:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path, prefix=".telemetry-bench-"):
                pass
        elif existing is not None and not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(13, "permission denied")
    except OSError as exc:
        raise UsageError(
            f"cannot write results to {path}: {exc.strerror or exc}",
            "Give --output a folder you can write to.",
        ) from None
    return path


def remove_if_empty(path: Path | None) -> None:
    """Undo `output_dir` for a run that wrote nothing (no empty results folder left behind)."""
    if path is not None:
        with contextlib.suppress(OSError):
            path.rmdir()


def non_negative(values: Iterable[tuple[str, float]]) -> None:
    for option, value in values:
        if not (math.isfinite(value) and value >= 0):
            raise UsageError(f"{option} must be 0 or more, not {value}")
