"""Where telemetry-bench finds its tools and writes its builds: the one place that decides.

Two cases, told apart by this file's own location (never by the folder the command runs in):

- **A checkout** (an editable install: this file is `<root>/src/telemetry_agg/bench/paths.py`
  beside `<root>/pyproject.toml`): everything is relative to the repository root, as always:
  `.tools/` (the emulator, tofu), `build/` (the Go binaries, the zips), `go/` (the Go sources),
  `infra/` (Terraform, where its state lives too), `scripts/`.
- **Installed** (a wheel): the Go sources and infra/ are package data in `bench/_data/`; what
  the bench builds goes to a per-user cache, `$XDG_CACHE_HOME/telemetry-agg/<version>/`
  (`~/.cache/...` by default; `TELEMETRY_AGG_CACHE` replaces `$XDG_CACHE_HOME/telemetry-agg`),
  keyed by the package version so that an upgrade rebuilds; the emulator in `<cache>/bin`, the
  Go binaries and zips in `<cache>/build`. Deployments (Terraform's working folder and state)
  live in `$XDG_STATE_HOME/telemetry-agg/deployments/<name>/` (`~/.local/state/...`), never in
  the cache, which users wipe.
"""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

DISTRIBUTION = "telemetry-agg"
ENV_CACHE = "TELEMETRY_AGG_CACHE"
DEFAULT_DEPLOYMENT = "telemetry-agg"  # deploy's default --name-prefix


def checkout_root() -> Path | None:
    """The repository root when this package runs from its source tree, else None."""
    here = Path(__file__).resolve()  # <root>/src/telemetry_agg/bench/paths.py
    root = here.parents[3]
    if here.parents[2].name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def project_root() -> Path:
    """The repository root in a checkout; installed, the current folder stands in for it."""
    root = checkout_root()
    return Path.cwd() if root is None else root


def in_checkout() -> bool:
    return checkout_root() is not None


def package_version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run without install
        from telemetry_agg import __version__  # noqa: PLC0415

        return __version__


def _xdg(variable: str, default: str) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / default  # noqa: PTH117 - str


def cache_dir() -> Path:
    """The installed case's build cache: `<TELEMETRY_AGG_CACHE or XDG cache>/<version>`."""
    override = os.environ.get(ENV_CACHE)
    base = Path(override) if override else _xdg("XDG_CACHE_HOME", ".cache") / "telemetry-agg"
    return base.expanduser().absolute() / package_version()


def state_dir() -> Path:
    """`$XDG_STATE_HOME/telemetry-agg`: what must survive upgrades and cache wipes."""
    return _xdg("XDG_STATE_HOME", ".local/state") / "telemetry-agg"


def data_dir() -> Path:
    """The package data of a wheel: `go/` and `infra/` as they are in the repository."""
    return Path(__file__).resolve().parent / "_data"


def tools_dir() -> Path:
    """`.tools/` in a checkout, the cache installed: aws-lambda-rie (bin/), rie.version."""
    return project_root() / ".tools" if in_checkout() else cache_dir()


def tools_bin() -> Path:
    """aws-lambda-rie (and, in a checkout, tofu)."""
    return tools_dir() / "bin"


def tools_file(name: str) -> Path:
    """A file in the tools folder (e.g. rie.version, written when the emulator is built)."""
    return tools_dir() / name


def build_dir() -> Path:
    """`build/` in a checkout, `<cache>/build` installed: the Go binaries and the Lambda zips."""
    return project_root() / "build" if in_checkout() else cache_dir() / "build"


def go_dir() -> Path:
    """The Go module's sources (go.mod, go.sum, cmd/...): the checkout's or the packaged."""
    return project_root() / "go" if in_checkout() else data_dir() / "go"


def infra_source() -> Path:
    """The Terraform configuration as shipped: the checkout's `infra/` or the packaged one."""
    return project_root() / "infra" if in_checkout() else data_dir() / "infra"


def deployment_dir(name: str = DEFAULT_DEPLOYMENT) -> Path:
    """The installed case's Terraform working folder for one deployment (state, tfvars)."""
    return state_dir() / "deployments" / name


def infra_dir(name: str = DEFAULT_DEPLOYMENT) -> Path:
    """Where Terraform runs and its state lives: `infra/` in a checkout (one deployment per
    checkout, as always), else the deployment's folder in the state folder."""
    return project_root() / "infra" if in_checkout() else deployment_dir(name)


def source_dir() -> Path:
    """The `telemetry_agg` package this bench belongs to (src/telemetry_agg in a checkout)."""
    return Path(__file__).resolve().parents[1]


RUNTIME_DIR_ENV = "TELEMETRY_BENCH_RUNTIME_DIR"


def python_runtime_dir(version: str) -> Path:
    """The Python runtime's own packages for `version` (awslambdaric, boto3: Lambda's
    /var/runtime), never the task folder: `<tools>/python-runtime/<version>` (.tools/ in a
    checkout, the cache installed), or under $TELEMETRY_BENCH_RUNTIME_DIR when that is set (a
    tools folder shared read-only)."""
    base = os.environ.get(RUNTIME_DIR_ENV)
    root = Path(base) if base else tools_dir() / "python-runtime"
    return root / version
