"""Where telemetry-bench finds its tools and writes its builds: the one place that decides.

In a checkout (an editable install whose files live in the repository), everything is relative
to the repository root: `.tools/` (the emulator, tofu), `build/` (the Go binaries, the zips),
`infra/` (Terraform), `scripts/`. The root is found from this file's own location, never from the
folder the command runs in; outside a checkout, the current folder stands in for it.
"""

from __future__ import annotations

import os
from pathlib import Path

_MARKERS = ("pyproject.toml", "scripts")


def project_root() -> Path:
    """The repository root (pyproject.toml and scripts/ beside each other) above this file."""
    here = Path(__file__).resolve()
    for d in here.parents:
        if (d / _MARKERS[0]).is_file() and (d / _MARKERS[1]).is_dir():
            return d
    return Path.cwd()


def tools_bin() -> Path:
    """`.tools/bin`: aws-lambda-rie, tofu."""
    return project_root() / ".tools" / "bin"


def tools_file(name: str) -> Path:
    """A file in `.tools/` (e.g. rie.version, written by the set-up)."""
    return project_root() / ".tools" / name


def build_dir() -> Path:
    """`build/`: the host Go binaries and the Lambda zips."""
    return project_root() / "build"


def scripts_dir() -> Path:
    return project_root() / "scripts"


def infra_dir() -> Path:
    """The Terraform configuration (`infra/`), where its state lives too."""
    return project_root() / "infra"


def source_dir() -> Path:
    """The package's source tree in the checkout (`src/telemetry_agg`)."""
    return project_root() / "src" / "telemetry_agg"


RUNTIME_DIR_ENV = "TELEMETRY_BENCH_RUNTIME_DIR"


def python_runtime_dir(version: str) -> Path:
    """The Python runtime's own packages for `version` (awslambdaric, boto3: Lambda's
    /var/runtime), never the task folder: `.tools/python-runtime/<version>`, or under
    $TELEMETRY_BENCH_RUNTIME_DIR when that is set (a tools folder shared read-only)."""
    base = os.environ.get(RUNTIME_DIR_ENV)
    root = Path(base) if base else project_root() / ".tools" / "python-runtime"
    return root / version
