"""The naive baseline: the aggregation written the plain way, as the original study's handler.

stdlib ``json.loads``, one loop over the events with ``dict.get``, a full sort for the p95. It
trusts its input (no §2/§3 validation), so it is only ever run on valid generated batches; the
benchmarks check that it gives the reference's answer before they time it.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any


def naive_aggregate(body: str | bytes) -> dict[str, Any]:
    events = json.loads(body)
    endpoints: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    users: set[str] = set()
    durations: list[int] = []
    for event in events:
        endpoints[event.get("endpoint") or "unknown"] += 1
        status = event.get("status")
        statuses["unknown" if status is None else str(status)] += 1
        user = event.get("user_id")
        if user is not None and user != "":
            users.add(str(user))
        durations.append(math.trunc(event.get("duration_ms") or 0))
    durations.sort()
    top = sorted(endpoints.items(), key=lambda item: (-item[1], item[0]))[:5]
    return {
        "total_events": len(events),
        "invalid_events": 0,
        "unique_users": len(users),
        "p95_duration_ms": durations[math.floor(0.95 * (len(durations) - 1))] if durations else 0,
        "top_endpoints": [list(pair) for pair in top],
        "status_counts": dict(sorted(statuses.items())),
    }
