"""The runtimes the emulator starts: each lane's start command resolved on this machine, and
the tools it needs (aws-lambda-rie and the Go bootstrap, from where `paths` says, built on first
use by `toolchain`).

API: `lane_runtime(lane, aggregator) -> Runtime` (`python_runtime`, `go_runtime`: the two
built-in lanes'), `go_bootstrap()`, `rie_path()`, `emulator_version()`,
`free_port()`, `port_free(port)`.
"""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass, field
from pathlib import Path

from telemetry_agg.bench import paths, toolchain
from telemetry_agg.bench.errors import ToolMissingError
from telemetry_agg.bench.local import pyruntime, taskdir
from telemetry_agg.bench.model import lanes
from telemetry_agg.bench.model.lanes import AGGREGATOR_ENV, Lane
from telemetry_agg.bench.model.workloads import GO_CPU, GoBuild


def rie_path() -> Path:
    """aws-lambda-rie: the tools folder's (`paths`), then PATH's; built on first use with Go."""
    return toolchain.ensure_rie()


def emulator_version() -> str | None:
    """The emulator version the set-up built, if any."""
    return toolchain.installed_rie_version()


@dataclass(frozen=True)
class Runtime:
    """How to start one lane's Lambda runtime under the emulator."""

    lane: str
    argv: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    aggregator: str | None = None
    task_zip: Path | None = None  # extracted afresh at each environment start, as `{task}`
    python: str | None = None  # the Python version it runs on (a Python lane)


def go_bootstrap(*, build: bool = True, go_build: GoBuild = GO_CPU) -> Path:
    """The Go bootstrap for this machine and workload (`go_build`: by default the CPU
    workload's, which links no AWS SDK), (re)built from the Go sources when they changed and
    Go is here, so a stale bootstrap is never measured; without Go, an existing one is used."""
    target = toolchain.lambda_build(toolchain.go_arch(), go_build)
    if build:
        return toolchain.ensure_go(target)
    bootstrap = paths.build_dir() / target.output
    if not bootstrap.is_file():
        raise ToolMissingError(
            f"the Go bootstrap ({bootstrap}) is missing: run `telemetry-bench setup`"
        )
    return bootstrap


def lane_runtime(
    lane: Lane, aggregator: str | None = None, *, build: bool = True, go_build: GoBuild = GO_CPU
) -> Runtime:
    """How the emulator starts `lane` here: its `local_argv` with the placeholders filled in
    (`{bootstrap}` builds the workload's Go bootstrap first, `go_build`; `{python}` is the
    runtime's Python, python3.12 where one is installed; `{runtime}` its runtime folder;
    `{task}` stays for the emulator, which extracts the lane's zip, built here for this machine,
    at each start), its environment, its aggregator."""
    cwd = paths.project_root()
    values = {"handler": lane.handler, "task": taskdir.TASK}
    texts = [*lane.local_argv, *lane.local_env.values()]
    python = None
    if any("{python}" in text or "{runtime}" in text for text in texts):
        python = pyruntime.runtime_python()
        values["python"] = str(python.path)
        if any("{runtime}" in text for text in texts):
            values["runtime"] = str(toolchain.ensure_python_runtime())
    if any("{bootstrap}" in arg for arg in lane.local_argv):
        bootstrap = go_bootstrap(build=build, go_build=go_build)
        values["bootstrap"] = str(bootstrap)
        cwd = bootstrap.parent
    task_zip = taskdir.host_zip(lane.artifact) if any(taskdir.TASK in t for t in texts) else None
    env = {"AWS_EXECUTION_ENV": lane.execution_env, "PYTHONDONTWRITEBYTECODE": "1"}
    env.update({k: v.format(**values) for k, v in lane.local_env.items()})
    chosen = lane.aggregator
    if lane.takes_aggregator and aggregator:
        env[AGGREGATOR_ENV] = aggregator
        chosen = aggregator
    return Runtime(
        lane=lane.name,
        argv=[arg.format(**values) for arg in lane.local_argv],
        cwd=cwd,
        env=env,
        aggregator=chosen,
        task_zip=task_zip,
        python=None if python is None else python.version,
    )


def python_runtime(aggregator: str | None = None) -> Runtime:
    """The stock Python lane's runtime (awslambdaric)."""
    return lane_runtime(lanes.PYTHON, aggregator)


def go_runtime(*, build: bool = True, go_build: GoBuild = GO_CPU) -> Runtime:
    """The Go lane's runtime (the workload's bootstrap, built for this machine)."""
    return lane_runtime(lanes.GO, build=build, go_build=go_build)


EPHEMERAL_PORTS = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_PORT = 10_000
_handed_out: set[int] = set()


def ephemeral_ports() -> range:
    """The ports the kernel gives outgoing connections (and bind(0)) on this machine."""
    try:
        low, high = map(int, EPHEMERAL_PORTS.read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    return range(low, high + 1)


def free_port() -> int:
    """A port free on 127.0.0.1 now, not handed out before by this process, and outside the
    ephemeral range where it can be.

    A port is taken a while after it is chosen (the emulator listens on its runtime API port
    only at the first invocation), and a port in the ephemeral range can meanwhile become the
    local port of any outgoing connection on the machine: the runtime API's listen then failed
    with "address already in use" (seen in the tests). Below that range only a listener can
    take it.
    """
    ephemeral = ephemeral_ports()
    if ephemeral.start - LOWEST_PORT >= 1000:
        for _ in range(100):
            port = random.randrange(LOWEST_PORT, ephemeral.start)  # noqa: S311 - not a secret
            if port not in _handed_out and port_free(port):
                _handed_out.add(port)
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    _handed_out.add(port)
    return port


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
