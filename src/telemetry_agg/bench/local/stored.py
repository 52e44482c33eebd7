"""The stored workload under the local bench: its table, on the bench's own moto server, and
the check that reads the table back after the run.

- `local_table(workload)`: a context manager. For a workload with a table it starts moto on
  127.0.0.1 (`bench.local.moto`), creates the §5 table and yields a `LocalTable` whose
  `environment` every lane gets (the table, the endpoint, dummy credentials, the region); the
  server is stopped when the block ends, whatever ends it. For any other workload it yields
  None and starts nothing.
- `Ledger`: every 200 answer of every invocation sent (warm-ups included), by request id, and
  the request ids sent that got no 200 (a 503, a crash: the run stops on it);
  `record(request_id, lane, size, answer)` and `unanswered(request_id)` are safe from several
  threads.
- `check(ledger, items) -> StoreCheck`: one item per recorded answer, holding that answer's
  counts (§5.2: the item's attributes, exactly), and nothing else in the table but, at most,
  the items of the invocations that got no 200 (a write that succeeded while its answer did
  not: §5 allows it, and the run has failed on that answer anyway).
  `StoreCheck.as_dict()` is results.json's `store_check`; `explain()` shows the difference.
- `verify(table, ledger) -> StoreCheck`: reads the table (`read_items`, the seam a test uses
  to change the table between the run and the check) and checks it.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.local import moto

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from telemetry_agg.bench.model.workloads import Workload

__all__ = ["Ledger", "LocalTable", "StoreCheck", "check", "local_table", "read_items", "verify"]

TABLE = "telemetry-bench-summaries"
#: The answer's counts that its item holds.
COUNTS = (
    "total_events",
    "invalid_events",
    "unique_users",
    "p95_duration_ms",
    "top_endpoints",
    "status_counts",
)
#: §5.2: the attributes of an item, all of them.
ITEM_ATTRIBUTES = frozenset({"request_id", *COUNTS, "language", "stored_at", "expires_at"})
SHOWN = 20  # differences printed at most


@dataclass(frozen=True)
class LocalTable:
    """The stored workload's table on the bench's moto server."""

    endpoint: str
    name: str
    environment: dict[str, str]


@contextlib.contextmanager
def local_table(workload: Workload) -> Iterator[LocalTable | None]:
    """The workload's table on a moto server of its own (None: the workload needs none)."""
    if not workload.table:
        yield None
        return
    with moto.moto_server() as endpoint:
        try:
            moto.create_table(endpoint, TABLE)
        except Exception as exc:
            raise moto.MotoError(f"the table could not be created on moto: {exc!r}") from None
        env = workload.local_environment(table=TABLE, endpoint=endpoint, region=moto.REGION)
        yield LocalTable(endpoint=endpoint, name=TABLE, environment=env)


@dataclass(frozen=True)
class Answered:
    lane: str
    size: int
    answer: dict[str, Any]


@dataclass
class Ledger:
    """Every 200 answer sent, by request id."""

    answers: dict[str, Answered] = field(default_factory=dict)
    others: set[str] = field(default_factory=set)  # sent, answered otherwise than 200
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, request_id: str, lane: str, size: int, answer: dict[str, Any]) -> None:
        with self._lock:
            self.answers[request_id] = Answered(lane, size, answer)

    def unanswered(self, request_id: str) -> None:
        with self._lock:
            self.others.add(request_id)


@dataclass(frozen=True)
class StoreCheck:
    answers: int
    items: int
    differences: tuple[str, ...] = ()

    @property
    def mismatches(self) -> int:
        return len(self.differences)

    def as_dict(self) -> dict[str, int]:
        return {"answers": self.answers, "items": self.items, "mismatches": self.mismatches}

    def explain(self) -> str:
        lines = list(self.differences[:SHOWN])
        if self.mismatches > SHOWN:
            lines.append(f"... and {self.mismatches - SHOWN} more")
        return (
            f"the table does not hold what was answered ({self.answers} answers with 200, "
            f"{self.items} items, {self.mismatches} mismatches):\n" + "\n".join(lines)
        )


def plain(value: Mapping[str, Any]) -> Any:
    """A DynamoDB typed value as plain JSON (S, N, L, M: what §5 items hold)."""
    ((kind, content),) = value.items()
    if kind == "N":
        return int(content) if content.lstrip("-").isdigit() else float(content)
    if kind == "L":
        return [plain(v) for v in content]
    if kind == "M":
        return {k: plain(v) for k, v in content.items()}
    return content


def _show(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def item_problems(item: Mapping[str, Any], answered: Answered) -> list[str]:
    """How an item differs from what its answer says ([] when it holds exactly that)."""
    problems = []
    names = set(item)
    if names != ITEM_ATTRIBUTES:
        extra, missing = sorted(names - ITEM_ATTRIBUTES), sorted(ITEM_ATTRIBUTES - names)
        problems.append(f"attributes: extra {extra}, missing {missing}")
    if answered.answer.get("stored") is not True:
        problems.append(f"the answer's stored is {_show(answered.answer.get('stored'))}")
    for key in (*COUNTS, "language"):
        if key in item:
            want, got = answered.answer.get(key), plain(item[key])
            if got != want:
                problems.append(f"{key}: answer {_show(want)}, item {_show(got)}")
    return problems


def check(ledger: Ledger, items: Mapping[str, Mapping[str, Any]]) -> StoreCheck:
    """One item per answer, with its counts, and nothing else."""
    differences = []
    for request_id, answered in ledger.answers.items():
        where = f"  {request_id} ({answered.lane}, {answered.size:,} events)"
        item = items.get(request_id)
        if item is None:
            differences.append(f"{where}: answered 200 but no item")
            continue
        problems = item_problems(item, answered)
        if problems:
            differences.append(f"{where}: " + "; ".join(problems))
    differences.extend(
        f"  {request_id}: an item no answer of this run accounts for"
        for request_id in items
        if request_id not in ledger.answers and request_id not in ledger.others
    )
    return StoreCheck(len(ledger.answers), len(items), tuple(differences))


def read_items(table: LocalTable) -> dict[str, dict[str, Any]]:
    """The table's whole content, by request id (the seam between the run and the check)."""
    return moto.scan_items(table.endpoint, table.name)


def verify(table: LocalTable, ledger: Ledger) -> StoreCheck:
    """Read the table back and check it against the ledger."""
    try:
        items = read_items(table)
    except Exception as exc:
        raise moto.MotoError(f"the table could not be read back from moto: {exc!r}") from None
    return check(ledger, items)
