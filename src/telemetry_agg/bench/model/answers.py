"""The functions' answers: decoded once, recorded as one `Sample`, compared by one rule.

Local runs see the function's response object (what the runtime returned: `statusCode`, `body`
...) and remote runs the HTTP answer a Function URL made of it; both end in a `Decoded` (status,
answer body, problem), then in `to_sample`, and every lane's first good answer per size is
compared with the reference lane's by `AnswerCheck` (the contract's agreement rule).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.model import lanes
from telemetry_agg.bench.model.results import Sample
from telemetry_agg.limits import NOT_COMPARED

if TYPE_CHECKING:
    from telemetry_agg.bench.model.results import Kind


@dataclass(frozen=True, slots=True)
class Decoded:
    """An answer: its HTTP status, its JSON object body, or what is wrong with it."""

    status: int | None
    body: dict[str, Any] | None
    problem: str | None = None


def from_function_response(raw: bytes) -> Decoded:
    """A Function URL response object, as the runtime returned it (local runs)."""
    try:
        resp = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return Decoded(None, None, f"not a JSON response: {raw[:200]!r}")
    if not isinstance(resp, dict):
        return Decoded(None, None, f"not a Function URL response object: {raw[:200]!r}")
    if "errorType" in resp or "errorMessage" in resp:
        return Decoded(None, None, f"{resp.get('errorType')}: {resp.get('errorMessage')}")
    status = resp.get("statusCode")
    status = status if isinstance(status, int) else None
    try:
        body = json.loads(resp.get("body") or "null")
    except (TypeError, ValueError):
        return Decoded(status, None, "the response body is not JSON")
    if not isinstance(body, dict):
        return Decoded(status, None, "the response body is not a JSON object")
    return Decoded(status, body)


def from_http(status: int | None, raw: bytes) -> Decoded:
    """An HTTP answer of a Function URL (remote runs): the body is the answer itself."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return Decoded(status, None, "the answer is not JSON")
    if not isinstance(body, dict):
        return Decoded(status, None, "the answer is not a JSON object")
    return Decoded(status, body)


def number(body: dict[str, Any] | None, key: str) -> float | None:
    """A finite number of the answer (`parse_ms`, `compute_ms`), else None."""
    value = body.get(key) if body else None
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def to_sample(
    kind: Kind, client_ms: float, answer: Decoded, error: str | None, **more: Any
) -> Sample:
    """The one sample record of local and remote runs; `more`: the REPORT line's numbers, the
    peak memory, the environment index."""
    return Sample(
        kind=kind,
        client_ms=client_ms,
        status_code=answer.status,
        parse_ms=number(answer.body, "parse_ms"),
        compute_ms=number(answer.body, "compute_ms"),
        store_ms=number(answer.body, "store_ms"),
        error=error,
        **more,
    )


def compare_answers(
    a: dict[str, Any], b: dict[str, Any], names: tuple[str, str] = ("python", "go")
) -> list[str]:
    """The contract's agreement rule; [] when they agree, else one line per differing key.

    Two answers agree when equal after dropping parse_ms, compute_ms, language and aggregator;
    two error answers when their `error` codes are equal (the `detail` sentences may differ).
    """
    keys = sorted((set(a) | set(b)) - set(NOT_COMPARED))
    if "error" in a and "error" in b:
        keys = ["error"]

    def show(answer: dict[str, Any], key: str) -> str:
        return json.dumps(answer[key]) if key in answer else '"<absent>"'

    return [
        f"  {k}: {names[0]}={show(a, k)} {names[1]}={show(b, k)}"
        for k in keys
        if (k in a, a.get(k)) != (k in b, b.get(k))
    ]


@dataclass
class AnswerCheck:
    """The first good answer of every lane per size, each compared with the reference lane's
    (`lanes.reference`: stock Python when it runs, else the first lane)."""

    reference: str | None
    answers: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def for_lanes(cls, chosen: list[str]) -> AnswerCheck:
        return cls(lanes.reference(chosen))

    def add(self, size: int, lane: str, body: dict[str, Any]) -> list[str]:
        """Record `lane`'s answer at `size` (the first only); the mismatches it reveals: one
        message per lane that disagrees with the reference, [] when all agree so far."""
        seen = self.answers.setdefault(size, {})
        if lane in seen:
            return []
        seen[lane] = body
        ref = seen.get(self.reference or "")
        if ref is None:
            return []
        others = [lane] if lane != self.reference else [x for x in seen if x != lane]
        out = []
        for other in others:
            diff = compare_answers(ref, seen[other], (str(self.reference), other))
            if diff:
                out.append(
                    f"the answers differ on the {size:,}-event payload ({self.reference} and "
                    f"{other}; the contract's rule: equal after dropping parse_ms, compute_ms, "
                    "language, aggregator):\n" + "\n".join(diff)
                )
        return out
