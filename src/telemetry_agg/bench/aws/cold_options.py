"""`deploy --snapstart` and `deploy --provisioned-concurrency N`: which lanes get which, and the
refusals, all before anything is applied (exit 2, with what to change).

- **SnapStart** goes to every selected lane whose runtime has it: Lambda offers it on managed
  runtimes only, python3.12 and later among ours. Go's `provided.al2023` (an OS-only runtime)
  has none: with Go and a Python lane, Go stays on demand and deploy says so; with only Go,
  deploy refuses. The lean Python lane (any lane started through `AWS_LAMBDA_EXEC_WRAPPER`) is
  refused too: its Runtime API loop (telemetry_agg.runtime) does not implement the restore
  step (`/runtime/restore/next`) nor run the snapshot hooks, and an exec wrapper under SnapStart
  is unverified here.
- **Provisioned concurrency** N goes to every selected lane. It comes out of the function's
  reserved concurrency when it has one (so N above `--reserved-concurrency` is refused), else
  out of the account's unreserved concurrency, of which Lambda keeps min(100, limit) free
  (`provisioned_problem`, with the limits deploy reads from the account).
- **Both**: AWS refuses SnapStart and provisioned concurrency on one function: refused.

Either option makes infra/ publish a version behind the alias `live`, whose Function URL the
bench then uses (infra/README.md, "The cold-start options").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.errors import UsageError
from telemetry_agg.bench.model import cost

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from telemetry_agg.bench.model.lanes import Lane

WRAPPER_VARIABLE = "AWS_LAMBDA_EXEC_WRAPPER"
LEAN_REFUSAL = (
    "--snapstart is refused for the lane {lanes}: it starts its own Runtime API loop through "
    "AWS_LAMBDA_EXEC_WRAPPER (telemetry_agg.runtime), which does not implement SnapStart's "
    "restore step (/runtime/restore/next) nor run the snapshot hooks, and an exec wrapper under "
    "SnapStart is unverified here."
)
GO_REFUSAL = (
    "--snapstart: none of the selected lanes ({lanes}) can have SnapStart. Lambda offers it on "
    "managed runtimes only (python3.12 and later among ours); {runtimes} has none (Go's "
    "provided.al2023 is an OS-only runtime, whose own INIT is already short)."
)


@dataclass(frozen=True)
class ColdStartOptions:
    """The cold-start option deploy gives the lanes: none, SnapStart, or N provisioned."""

    snapstart: bool = False
    provisioned_concurrency: int = 0

    def check(self, reserved_concurrency: int) -> None:
        """The rules that need no lane and no account: UsageError (exit 2)."""
        n = self.provisioned_concurrency
        if self.snapstart and n:
            raise UsageError(
                "--snapstart and --provisioned-concurrency together: AWS refuses SnapStart "
                "with provisioned concurrency on one function.",
                "Choose one: --snapstart (Python lanes) or --provisioned-concurrency N.",
            )
        if n < 0:
            raise UsageError(f"--provisioned-concurrency must be 0 (none) or more, not {n}.")
        if n and 0 < reserved_concurrency < n:
            raise UsageError(
                f"--provisioned-concurrency {n} is more than --reserved-concurrency "
                f"{reserved_concurrency}: provisioned environments come out of the function's "
                "reserved concurrency.",
                f"Raise --reserved-concurrency to at least {n} (or -1: none, when the account "
                "has that much unreserved), or lower --provisioned-concurrency.",
            )

    def per_lane(self, lanes: Sequence[Lane]) -> dict[str, dict[str, Any]]:
        """Each lane's `snapstart` and `provisioned_concurrency` for infra/'s `lanes`;
        UsageError when --snapstart fits none of them, or the lean lane is among them."""
        snap = {lane.name for lane in lanes if cost.snapstart_supported(lane.runtime)}
        if self.snapstart:
            wrapped = [lane.name for lane in lanes if WRAPPER_VARIABLE in lane.environment]
            if wrapped:
                others = ",".join(lane.name for lane in lanes if lane.name not in wrapped)
                raise UsageError(
                    LEAN_REFUSAL.format(lanes=", ".join(wrapped)),
                    f"Select the other lanes (--lanes {others or 'python,go'}), or deploy the "
                    "lean lane with --provisioned-concurrency N instead.",
                )
            if not snap:
                runtimes = ", ".join(sorted({lane.runtime for lane in lanes}))
                raise UsageError(
                    GO_REFUSAL.format(lanes=", ".join(x.name for x in lanes), runtimes=runtimes),
                    "Select a Python lane too (--lanes python,go: SnapStart on python, go on "
                    "demand), or use --provisioned-concurrency N, which every lane can have.",
                )
        return {
            lane.name: {
                "snapstart": self.snapstart and lane.name in snap,
                "provisioned_concurrency": self.provisioned_concurrency,
            }
            for lane in lanes
        }

    def notes(self, lanes: Sequence[Lane]) -> list[str]:
        """What deploy says about lanes an option does not reach."""
        if not self.snapstart:
            return []
        return [
            f"    {lane.name}: no SnapStart on {lane.runtime} (managed runtimes only): on demand"
            for lane in lanes
            if not cost.snapstart_supported(lane.runtime)
        ]


def spare_concurrency(
    account: Mapping[str, Any], current: Mapping[str, int], names: Sequence[str]
) -> tuple[int, int, int]:
    """(the account's limit, what Lambda keeps unreserved: min(100, limit), what these
    functions may take: the unreserved concurrency, plus what they hold now, minus that floor)."""
    limit = int(account.get("ConcurrentExecutions", 0))
    unreserved = int(account.get("UnreservedConcurrentExecutions", limit))
    floor = min(100, limit)
    return limit, floor, unreserved + sum(current.get(name, 0) for name in names) - floor


def provisioned_problem(
    provisioned: int,
    names: Sequence[str],
    reserved: int,
    account: Mapping[str, Any],
    current: Mapping[str, int],
) -> str | None:
    """Why provisioning `provisioned` environments for each of `names` would fail, or None.

    With a reservation (`reserved` >= 1) they come out of it (`ColdStartOptions.check`); with
    none, out of the account's unreserved concurrency, of which Lambda keeps min(100, limit)
    free. `account` is GetAccountSettings' AccountLimit; `current` what each function already
    has provisioned (given back when deploy replaces it).
    """
    if provisioned <= 0 or reserved > 0:
        return None
    limit, floor, available = spare_concurrency(account, current, names)
    needed = provisioned * len(names)
    if needed <= available:
        return None
    return (
        f"Provisioning {provisioned} environments for each of the {len(names)} functions needs "
        f"{needed} of the account's unreserved concurrency, which has {max(available, 0)} to "
        f"give (limit {limit}, {floor} must stay unreserved)."
    )


PROVISIONED_HINT = (
    "Lower --provisioned-concurrency (it is per lane: N x the lanes), deploy fewer lanes "
    "(--lanes), or ask AWS for a higher concurrency quota (Service Quotas, Lambda, Concurrent "
    "executions)."
)
