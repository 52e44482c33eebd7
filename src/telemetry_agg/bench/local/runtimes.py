"""The runtimes the emulator starts: each lane's start command resolved on this machine, and
the tools it needs (aws-lambda-rie from `.tools/bin` or PATH, the Go bootstrap from build/).

API: `lane_runtime(lane, aggregator) -> Runtime` (`python_runtime`, `go_runtime`: the two
built-in lanes'), `go_bootstrap()`, `rie_path()`, `emulator_version()`, `go_arch()`,
`free_port()`, `port_free(port)`.
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from telemetry_agg.bench import paths
from telemetry_agg.bench.errors import EmulatorError, ToolMissingError
from telemetry_agg.bench.model import lanes
from telemetry_agg.bench.model.lanes import AGGREGATOR_ENV, Lane


def rie_path() -> Path:
    """aws-lambda-rie: `.tools/bin` of the repository first, then PATH."""
    local = paths.tools_bin() / "aws-lambda-rie"
    if local.is_file() and os.access(local, os.X_OK):
        return local
    found = shutil.which("aws-lambda-rie")
    if found:
        return Path(found)
    raise ToolMissingError(
        "the Lambda Runtime Interface Emulator (aws-lambda-rie) is not installed: run "
        "`make setup` (or `scripts/setup.sh`) in the repository to build it into .tools/bin"
    )


def emulator_version() -> str | None:
    """The pinned emulator version setup.sh recorded, if any."""
    try:
        return paths.tools_file("rie.version").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def go_arch() -> str:
    m = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(m, m)


@dataclass(frozen=True)
class Runtime:
    """How to start one lane's Lambda runtime under the emulator."""

    lane: str
    argv: list[str]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    aggregator: str | None = None


def go_bootstrap(*, build: bool = True) -> Path:
    """The Go bootstrap for this machine, (re)built with scripts/build-go.sh when Go is here.

    The script rebuilds only when a Go source is newer than the binary, so a stale bootstrap is
    never measured; without Go, an existing bootstrap is used as it is.
    """
    root = paths.project_root()
    bootstrap = paths.build_dir() / f"linux_{go_arch()}" / "bootstrap"
    script = paths.scripts_dir() / "build-go.sh"
    if build and script.is_file() and shutil.which("go") is not None:
        out = subprocess.run(
            [str(script), "host"], cwd=root, capture_output=True, text=True, check=False
        )
        if out.returncode != 0:
            tail = (out.stderr or out.stdout).strip()[-800:]
            raise EmulatorError(f"`scripts/build-go.sh host` failed:\n{tail}")
    elif build and not bootstrap.is_file():
        if shutil.which("go") is None:
            raise ToolMissingError(
                f"the Go bootstrap ({bootstrap}) is missing and Go is not installed: install Go "
                "1.26 or newer (https://go.dev/doc/install), then run `scripts/build-go.sh host`"
            )
        raise ToolMissingError(
            f"the Go bootstrap ({bootstrap}) is missing and scripts/build-go.sh is not in "
            "this checkout: build go/cmd/bootstrap for linux and put it there"
        )
    if not bootstrap.is_file():
        raise ToolMissingError(
            f"the Go bootstrap ({bootstrap}) is missing: run `scripts/build-go.sh host`"
        )
    return bootstrap


def lane_runtime(lane: Lane, aggregator: str | None = None, *, build: bool = True) -> Runtime:
    """How the emulator starts `lane` here: its `local_argv` with the placeholders filled in
    (`{bootstrap}` builds the Go bootstrap first), its environment, its aggregator."""
    cwd = paths.project_root()
    values = {"python": sys.executable, "handler": lane.handler}
    if any("{bootstrap}" in arg for arg in lane.local_argv):
        bootstrap = go_bootstrap(build=build)
        values["bootstrap"] = str(bootstrap)
        cwd = bootstrap.parent
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
    )


def python_runtime(aggregator: str | None = None) -> Runtime:
    """The stock Python lane's runtime (awslambdaric)."""
    return lane_runtime(lanes.PYTHON, aggregator)


def go_runtime(*, build: bool = True) -> Runtime:
    """The Go lane's runtime (the bootstrap, built for this machine)."""
    return lane_runtime(lanes.GO, build=build)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
