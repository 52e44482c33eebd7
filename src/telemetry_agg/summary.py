"""The answer (§4): one typed value, serialised in the contract's key order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from telemetry_agg.limits import LANGUAGE

if TYPE_CHECKING:
    from collections.abc import Mapping


class Summary(NamedTuple):
    """What one batch adds up to. ``to_dict()`` gives the contract's answer, keys in order.

    Immutable; ``summary._replace(compute_ms=...)`` makes a changed copy. (A NamedTuple rather
    than a dataclass: importing dataclasses would cost the handler's cold start ~10 ms.)
    """

    total_events: int
    invalid_events: int
    unique_users: int
    p95_duration_ms: int
    top_endpoints: tuple[tuple[str, int], ...]
    status_counts: Mapping[str, int]
    aggregator: str
    parse_ms: float = 0.0
    compute_ms: float = 0.0
    language: str = LANGUAGE

    @classmethod
    def empty(cls, aggregator: str) -> Summary:
        """The answer to an empty batch: every count 0."""
        return cls(0, 0, 0, 0, (), {}, aggregator)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_events": self.total_events,
            "invalid_events": self.invalid_events,
            "unique_users": self.unique_users,
            "p95_duration_ms": self.p95_duration_ms,
            "top_endpoints": [[endpoint, count] for endpoint, count in self.top_endpoints],
            "status_counts": dict(self.status_counts),
            "language": self.language,
            "aggregator": self.aggregator,
            "parse_ms": self.parse_ms,
            "compute_ms": self.compute_ms,
        }

    def to_json(self) -> str:
        """The answer as compact JSON text (UTF-8 safe: endpoints hold no lone surrogates)."""
        import json  # noqa: PLC0415 - the handler never calls it: no cold start pays

        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
