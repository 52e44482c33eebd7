"""Lambda SnapStart runtime hooks for the Python lanes (`deploy --snapstart`).

With SnapStart, Lambda runs the function's INIT once, when a version is published, snapshots
the whole environment (memory and disk) and resumes every new environment from that snapshot.
What the handler keeps from its import, and what that means after a restore:

- the aggregator and its parser (`handler._aggregator()`: msgspec's typed decoder, orjson) are
  loaded at import, so they are in the snapshot. The before-snapshot hook also aggregates one
  tiny batch with them, so that whatever the parsers set up on first use is there too;
- nothing random and nothing time-dependent is made at import: the handler times each request
  with `time.perf_counter()` when it runs; the store computes `stored_at`, `expires_at` and its
  deadline per request (telemetry_agg.store), and its request id is Lambda's (a `uuid4` only
  outside Lambda, from the OS, per request);
- the `random` module's state, which boto3's retry jitter draws from, would be the same in
  every environment restored from one snapshot: the after-restore hook reseeds it from the OS;
- the DynamoDB client of the stored workload (`store.current()`, made at import when
  TELEMETRY_AGG_TABLE is set) is safe after a restore: making it opens no connection (its pool
  is empty in the snapshot; the first PutItem after a restore opens one), its region and
  endpoint come from the environment, which a restore keeps, and its credentials are
  botocore's refreshable ones, fetched again when they near expiry (SnapStart functions get
  theirs from the container credentials endpoint, not from key variables frozen at INIT).

`snapshot_restore_py` (`register_before_snapshot`, `register_after_restore`) is AWS's module:
Lambda's managed Python runtimes (3.12 and later) run the hooks it holds; awslambdaric, the
runtime client the local bench runs, depends on it too, but nothing takes a snapshot there, so
the hooks only wait. Where it is not installed `register` does nothing and returns False.
The lean runtime loop (`python -m telemetry_agg.runtime`) does not implement the Runtime API's
restore step nor run these hooks, so `deploy` refuses SnapStart for the lean lane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

# One valid event of every kind the aggregators count: endpoint, status, duration, user.
PRIME_DOCUMENT = b'[{"endpoint":"/","status":200,"duration_ms":1,"user_id":"u_0"},{"status":"x"}]'


def after_restore() -> None:
    """Give each restored environment its own random state (the snapshot's is shared)."""
    import random  # noqa: PLC0415 - only after a restore: not on the handler's import path

    random.seed()


def register(before_snapshot: Callable[[], object]) -> bool:
    """Register the hooks with the managed runtime: True when it has SnapStart's module."""
    try:
        from snapshot_restore_py import (  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True
