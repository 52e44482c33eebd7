"""The one progress display of telemetry-bench: transient bars on stderr (stdout: results)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from rich.console import Console


def bars(console: Console, *, elapsed: bool = True) -> Progress:
    """A Progress (use it as a context manager): description, bar, done/total, elapsed time."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    if elapsed:
        columns.append(TimeElapsedColumn())
    return Progress(*columns, console=console, transient=True)
