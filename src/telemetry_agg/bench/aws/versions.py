"""Published versions that no alias serves any more, deleted at the end of a deploy.

A lane with SnapStart or provisioned concurrency serves a published version behind the alias
`live` (infra/main.tf, `publish`). Each deploy that changes such a function publishes a new
version and moves the alias to it; Terraform leaves the old versions in place, and they add up:
under SnapStart each keeps its snapshot, whose cache AWS bills for as long as the version
exists, and every version counts against the account's code storage. So `deploy` ends by
deleting, for each published lane, every numbered version that no alias points to (a weighted
alias's extra version counts as pointed to), unless `--keep-versions` asks to keep them (to
roll back by hand). `$LATEST` is never touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telemetry_agg.bench.aws.functions import explain, session_clients
from telemetry_agg.bench.errors import BenchError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["prune", "prune_deployment", "stale"]


def stale(client: Any, function: str) -> list[str]:
    """The numbered versions of `function` that no alias serves, oldest first."""
    versions: list[str] = []
    for page in client.get_paginator("list_versions_by_function").paginate(FunctionName=function):
        versions += [v["Version"] for v in page["Versions"] if v["Version"] != "$LATEST"]
    served: set[str] = set()
    for page in client.get_paginator("list_aliases").paginate(FunctionName=function):
        for alias in page["Aliases"]:
            served.add(alias["FunctionVersion"])
            served.update((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights", {}))
    return sorted((v for v in versions if v not in served), key=int)


def prune(client: Any, function: str) -> list[str]:
    """Delete `stale(client, function)`; return the versions deleted."""
    try:
        gone = stale(client, function)
        for version in gone:
            client.delete_function(FunctionName=function, Qualifier=version)
    except Exception as error:
        raise explain(error, f"deleting the old versions of {function}") from None
    return gone


def prune_deployment(
    outputs: Mapping[str, Any], region: str, say: Callable[[str], None], client: Any = None
) -> None:
    """`prune` every published lane of a deployment (its Terraform outputs), saying what went.
    A failure is said and the deploy stands: the deployment works, with its old versions."""
    lanes = {k: v for k, v in (outputs.get("lanes") or {}).items() if v.get("alias")}
    if not lanes:
        return
    for lane, info in sorted(lanes.items()):
        function = info["function_name"]
        try:
            client = client or session_clients(region)[0]
            gone = prune(client, function)
        except BenchError as exc:
            say(f"    {lane}: the old versions of {function} stay: {exc.message}")
            continue
        kept = f"version {info.get('version')} behind alias {info['alias']}"
        if gone:
            say(f"    {lane}: deleted versions {', '.join(gone)} of {function}; it serves {kept}")
        else:
            say(f"    {lane}: {function} has no old versions; it serves {kept}")
