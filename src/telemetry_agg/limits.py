"""The contract's numbers, named once (docs/contract.md)."""

from __future__ import annotations

import math
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

#: §1: the most bytes a document may hold after base64 and gzip (32 MiB).
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024
#: §2: the deepest nesting of arrays and objects; the top-level array is level 1.
MAX_DEPTH = 1024
#: §3: the longest endpoint, in code points.
MAX_ENDPOINT_CODE_POINTS = 1024
#: §3: status and integer user ids lie in the signed 64-bit range.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
#: §3: a duration lies strictly between -2^53 and 2^53 (as a double).
DURATION_BOUND = 2**53
#: §3: what an absent endpoint or status counts as.
UNKNOWN = "unknown"
#: §4: at most this many endpoints in top_endpoints.
TOP_ENDPOINTS = 5
#: §4: the language this package answers for.
LANGUAGE = "python"
#: §4: the keys dropped before two answers are compared (the agreement rule; §5 adds store_ms).
NOT_COMPARED = ("parse_ms", "compute_ms", "language", "aggregator", "store_ms")


def p95_index(m: int) -> int:
    """§4: the index of the p95 in m sorted durations, floor(0.95 * (m - 1)) in double."""
    return math.floor(0.95 * (m - 1)) if m > 0 else 0


@contextmanager
def room_for_max_depth() -> Iterator[None]:
    """Raise the interpreter's recursion limit for the while, so that a walk that recurses a
    few frames a level (the stdlib json scanner and encoder) reaches MAX_DEPTH levels.

    Process-wide while it lasts: used only on the rare deep documents, by one request at a time.
    """
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 8 * MAX_DEPTH + 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
