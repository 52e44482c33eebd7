"""The workloads: what each function does with a request, as data. Every lane runs every
workload; `local`, `serve` (and `package`, `deploy`, `remote`) take one by name
(`--workload`, default `cpu`) and know nothing of a workload beyond this record.

- `cpu`: the study's job. The answer is the summary; the Go bootstrap is built with
  `-tags nostore` and links no AWS SDK (build/linux_<arch>/bootstrap).
- `store`: the same job, each 200 answer's summary first written to DynamoDB
  (docs/contract.md §5): the functions need a table, named in `TELEMETRY_AGG_TABLE`, and the
  Go bootstrap that links aws-sdk-go-v2 (build/linux_<arch>/bootstrap-store). Locally the
  bench runs a moto server for it on 127.0.0.1 and points every lane there
  (`local_environment`); afterwards it reads the table back and checks it.

`local_env` values are templates: `{table}` the table's name, `{endpoint}` the local DynamoDB
endpoint, `{region}` the region the emulator sets. `aws_env` takes `{table}` only (on AWS the
credentials and the endpoint are the function's own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from telemetry_agg.bench.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT = "cpu"


@dataclass(frozen=True)
class GoBuild:
    """One build of the Go bootstrap: `scripts/build-go.sh host|lambda ARCH <name>` writes it to
    build/linux_<goarch>/<file> (the zip always names it `bootstrap`, as Lambda wants)."""

    name: str  # scripts/build-go.sh's workload argument
    file: str  # its file name in build/linux_<goarch>/
    tags: tuple[str, ...]  # the Go build tags beyond lambda.norpc (`toolchain` adds them)


@dataclass(frozen=True)
class Workload:
    """One job every lane runs."""

    name: str  # `--workload`, results.json's options
    description: str  # one line for `--help` and the reports
    go_build: GoBuild  # which Go bootstrap the Go lanes run
    table: bool = False  # needs a DynamoDB table (locally: the bench's own, on moto)
    answer_keys: tuple[str, ...] = ()  # what a 200 answer carries beyond the CPU workload's
    #: Set on every lane under the emulator (templates: see the module's docstring).
    local_env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: Set on every function on AWS (`{table}`: the deployed table's name).
    aws_env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def local_environment(
        self, *, table: str = "", endpoint: str = "", region: str = ""
    ) -> dict[str, str]:
        """`local_env` filled in for one local run."""
        values = {"table": table, "endpoint": endpoint, "region": region}
        return {k: v.format(**values) for k, v in self.local_env.items()}

    def aws_environment(self, *, table: str = "") -> dict[str, str]:
        """`aws_env` filled in for one deployment."""
        return {k: v.format(table=table) for k, v in self.aws_env.items()}


GO_CPU = GoBuild(name="cpu", file="bootstrap", tags=("nostore",))
GO_STORE = GoBuild(name="store", file="bootstrap-store", tags=())

CPU = Workload(
    name="cpu",
    description="the study's CPU-bound job: aggregate the batch, answer the summary",
    go_build=GO_CPU,
)
STORE = Workload(
    name="store",
    description="the same job, each summary first stored in DynamoDB (one conditional PutItem)",
    go_build=GO_STORE,
    table=True,
    answer_keys=("stored", "store_ms"),
    local_env=MappingProxyType(
        {
            "TELEMETRY_AGG_TABLE": "{table}",
            "AWS_ENDPOINT_URL_DYNAMODB": "{endpoint}",
            # moto takes any credentials; the SDKs need some to sign with.
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "{region}",
            "AWS_DEFAULT_REGION": "{region}",
            # No instance-metadata lookup: the credentials above are all there is.
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    ),
    aws_env=MappingProxyType({"TELEMETRY_AGG_TABLE": "{table}"}),
)

REGISTRY: dict[str, Workload] = {w.name: w for w in (CPU, STORE)}


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str, *, option: str = "--workload") -> Workload:
    """The workload `name`; UsageError naming the option and the choices."""
    workload = REGISTRY.get(name)
    if workload is None:
        raise UsageError(
            f"{option}: no workload named {name!r}", f"Workloads: {', '.join(REGISTRY)}."
        )
    return workload
