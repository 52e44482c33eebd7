"""The bench's own tools, built with the user's Go toolchain into the place `paths` decides.

- the emulator, aws-lambda-rie, from its Go module at the one pin (`constants.RIE_VERSION`),
  into `paths.tools_bin()`, its version in `paths.tools_file("rie.version")`;
- the Go twin from its sources (`paths.go_dir()`: the checkout's go/ or the packaged copy):
  `build/telemetry-agg` (the CLI, for this machine) and the Lambda bootstraps, one per workload
  (`model.workloads.GoBuild`): `build/linux_<arch>/bootstrap` (the CPU workload's, `-tags
  nostore`: no AWS SDK) and `build/linux_<arch>/bootstrap-store` (the stored workload's, which
  links aws-sdk-go-v2), with the flags scripts/build-go.sh documents;
- the Python lanes' runtime folder (awslambdaric, boto3 for python3.12), by
  `pyruntime.ensure_runtime`, into `paths.python_runtime_dir`.

Nothing half-built is ever taken for a good build: every output is built under a temporary name
beside its target and renamed into place only when the build succeeded, and a Go binary counts as
up to date only when the stamp beside it (`<name>.inputs`, written after the rename) names the
digest of the sources and flags it was built from. Without Go, an existing build is used as it
is; a missing one is a `ToolMissingError` (exit 3) that says what to install.

API: `ensure_rie(report, *, pinned=False) -> Path`, `ensure_go(binary, report) -> Path`,
`ensure_python_runtime(report) -> Path`, `cli_build()`, `host_builds(workload=None)`,
`lambda_build(goarch, go_build=GO_CPU)`, `go_arch()`, `setup(report) -> list[Path]`.
`python -m telemetry_agg.bench.toolchain host [cpu|store] | lambda ARCH [cpu|store]` is what
scripts/build-go.sh runs.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from telemetry_agg.bench import paths
from telemetry_agg.bench.constants import (
    GO_INSTALL_URL,
    GO_MIN_VERSION,
    RIE_MODULE,
    RIE_VERSION,
)
from telemetry_agg.bench.errors import BenchError, ToolMissingError, UsageError
from telemetry_agg.bench.model import workloads
from telemetry_agg.bench.model.workloads import GO_CPU, GoBuild

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    Report = Callable[[str], None]

LAMBDA_TAGS = ("lambda.norpc",)  # beyond these, a workload's own (`GoBuild.tags`)
LAMBDA_FLAGS = ("-trimpath", "-ldflags", "-s -w")
HOST_FLAGS = ("-trimpath",)
# What `go` prints when it cannot reach the module proxy (or any network at all).
NETWORK_SIGNS = (
    "dial tcp",
    "no such host",
    "i/o timeout",
    "connection refused",
    "network is unreachable",
    "tls handshake",
    "proxyconnect",
    "server misbehaving",
)


def say(message: str) -> None:
    """The progress line of a first-use build, on stderr (stdout stays for results)."""
    print(f"telemetry-bench: {message}", file=sys.stderr, flush=True)


def go_arch() -> str:
    m = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(m, m)


def go_missing(what: str) -> ToolMissingError:
    return ToolMissingError(
        f"{what} needs Go, which is not installed: install Go {GO_MIN_VERSION} or newer "
        f"({GO_INSTALL_URL}), then run `telemetry-bench setup`"
    )


def require_go(what: str) -> str:
    go = shutil.which("go")
    if go is None:
        raise go_missing(what)
    return go


def writable(directory: Path) -> Path:
    """`directory`, created if needed; a one-line error naming what to do when it cannot be."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as exc:
        fix = (
            "fix its permissions"
            if paths.in_checkout()
            else f"set {paths.ENV_CACHE} to a writable folder"
        )
        raise BenchError(
            f"cannot write to {directory} ({exc.strerror or exc}): {fix}, then rerun"
        ) from None
    return directory


def go_failure(what: str, output: str) -> BenchError:
    """What failed, in one line: the network (the module proxy), or go's own last words."""
    lowered = output.lower()
    if any(sign in lowered for sign in NETWORK_SIGNS):
        proxy = os.environ.get("GOPROXY") or "the default Go module proxy"
        return BenchError(
            f"{what}: Go could not download modules from {proxy}: check the network (or set "
            "GOPROXY to a proxy you can reach), then rerun `telemetry-bench setup`"
        )
    lines = [line for line in output.strip().splitlines() if line.strip()]
    last = lines[-1].strip() if lines else "no output"
    return BenchError(f"{what} failed: {last}", "\n".join(lines[-20:-1]))


def run_go(args: Sequence[str], *, cwd: Path, env: dict[str, str], what: str) -> None:
    go = require_go(what)
    proc = subprocess.run(
        [go, *args],
        cwd=cwd,
        env={**os.environ, "CGO_ENABLED": "0", **env},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if proc.returncode != 0:
        raise go_failure(what, proc.stderr + proc.stdout)


def replace_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


# --- the emulator -----------------------------------------------------------------------------


def installed_rie_version() -> str | None:
    try:
        return paths.tools_file("rie.version").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def ensure_rie(report: Report = say, *, pinned: bool = False) -> Path:
    """aws-lambda-rie: the tools folder's, then PATH's; built (Go) when there is none.

    With `pinned` (setup), one built at another version than the pin is rebuilt.
    """
    local = paths.tools_bin() / "aws-lambda-rie"
    have = local.is_file() and os.access(local, os.X_OK)
    if have and (not pinned or installed_rie_version() == RIE_VERSION):
        return local
    found = shutil.which("aws-lambda-rie")
    if not have and not pinned and found:
        return Path(found)
    if shutil.which("go") is None:
        if have:
            return local
        raise go_missing("the Lambda Runtime Interface Emulator (aws-lambda-rie)")
    return build_rie(report)


def build_rie(report: Report = say) -> Path:
    """`go install` the pinned emulator into a temporary folder, then rename it into place."""
    bin_dir = writable(paths.tools_bin())
    report(f"building aws-lambda-rie {RIE_VERSION} from its Go module into {bin_dir}")
    with tempfile.TemporaryDirectory(prefix=".rie-", dir=bin_dir) as tmp:
        run_go(
            ["install", f"{RIE_MODULE}@{RIE_VERSION}"],
            cwd=Path(tmp),
            env={"GOBIN": tmp},
            what=f"building aws-lambda-rie {RIE_VERSION}",
        )
        (Path(tmp) / "aws-lambda-rie").replace(bin_dir / "aws-lambda-rie")
    replace_atomically(paths.tools_file("rie.version"), RIE_VERSION + "\n")
    return bin_dir / "aws-lambda-rie"


# --- the Go twin ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoBinary:
    """One Go binary: where it goes under build/, which package, for which platform and tags."""

    output: str  # relative to paths.build_dir()
    package: str
    goos: str = ""  # empty: this machine
    goarch: str = ""
    tags: tuple[str, ...] = ()  # Lambda builds: LAMBDA_TAGS and the workload's

    @property
    def flags(self) -> tuple[str, ...]:
        if not self.goos:
            return HOST_FLAGS
        return ("-tags", ",".join(self.tags), *LAMBDA_FLAGS)


def lambda_build(goarch: str, go_build: GoBuild = GO_CPU) -> GoBinary:
    """The workload's bootstrap (`go_build`: by default the CPU one, without the AWS SDK)."""
    output = f"linux_{goarch}/{go_build.file}"
    tags = (*LAMBDA_TAGS, *go_build.tags)
    return GoBinary(output, "./cmd/bootstrap", "linux", goarch, tags)


def cli_build() -> GoBinary:
    """The CLI for this machine (micro)."""
    return GoBinary("telemetry-agg", "./cmd/telemetry-agg")


def host_builds(workload: str | None = None) -> tuple[GoBinary, ...]:
    """The CLI and the bootstraps for this machine's Linux (the emulator): the workload's, or
    every workload's when None."""
    chosen = workloads.REGISTRY.values() if workload is None else [workloads.get(workload)]
    return (cli_build(), *(lambda_build(go_arch(), w.go_build) for w in chosen))


def sources_digest(go_dir: Path) -> str:
    """SHA-256 over the module's build inputs: .go files (no tests, no testdata), go.mod/sum."""
    digest = hashlib.sha256()
    for path in sorted(go_dir.rglob("*")):
        rel = path.relative_to(go_dir).as_posix()
        wanted = path.name in {"go.mod", "go.sum"} or (
            path.suffix == ".go" and not path.name.endswith("_test.go")
        )
        if path.is_file() and wanted and "testdata" not in rel.split("/"):
            digest.update(f"{rel}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def stamp_of(build: GoBinary, go_dir: Path) -> str:
    return f"{sources_digest(go_dir)} {build.goos}/{build.goarch} {' '.join(build.flags)}\n"


def ensure_go(build: GoBinary, report: Report = say) -> Path:
    """The binary, rebuilt when its sources or flags changed; without Go, the one there is."""
    out = paths.build_dir() / build.output
    stamp = out.with_name(out.name + ".inputs")
    go_dir = paths.go_dir()
    have_go, have_sources = shutil.which("go") is not None, (go_dir / "go.mod").is_file()
    if not (have_go and have_sources) and out.is_file():
        return out
    if not have_go:
        raise go_missing(f"the Go build ({out})")
    if not have_sources:
        raise ToolMissingError(f"{out} is missing and there are no Go sources at {go_dir}")
    wanted = stamp_of(build, go_dir)
    if out.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return out
    writable(out.parent)
    report(f"building {out} from the Go sources in {go_dir}")
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    env = {"GOOS": build.goos, "GOARCH": build.goarch} if build.goos else {}
    try:
        run_go(
            ["build", "-buildvcs=false", *build.flags, "-o", str(partial), build.package],
            cwd=go_dir,
            env=env,
            what=f"go build {build.package}",
        )
        partial.replace(out)
        replace_atomically(stamp, wanted)
    finally:
        partial.unlink(missing_ok=True)
    return out


def setup(report: Report = say) -> list[Path]:
    """Everything the commands need, built now rather than on first use; returns the paths."""
    require_go("telemetry-bench setup")
    built = [ensure_rie(report, pinned=True)]
    built.extend(ensure_go(build, report) for build in host_builds())
    built.append(ensure_python_runtime(report))
    return built


def ensure_python_runtime(report: Report = say) -> Path:
    """The Python lanes' runtime folder (awslambdaric, boto3 for python3.12: Lambda's
    /var/runtime), installed by its one function, `pyruntime.ensure_runtime`, when missing."""
    from telemetry_agg.bench.local import pyruntime  # noqa: PLC0415 - only the Python lanes

    python = pyruntime.runtime_python()
    folder = paths.python_runtime_dir(python.minor)
    if pyruntime.installed(folder) is None:
        writable(folder.parent)
        report(f"installing the Python {python.minor} runtime folder (awslambdaric) into {folder}")
    return pyruntime.ensure_runtime(python)


USAGE = "usage: build-go.sh host [cpu|store] | lambda arm64|amd64 [cpu|store]"


def chosen_builds(args: Sequence[str]) -> tuple[GoBinary, ...]:
    """What `host [WORKLOAD]` or `lambda ARCH [WORKLOAD]` builds; UsageError (64) otherwise."""
    kind, rest = (args[0], list(args[1:])) if args else ("", [])
    if kind == "lambda" and rest and rest[0] not in {"arm64", "amd64"}:
        raise UsageError(f"unknown architecture '{rest[0]}'; use arm64 or amd64.")
    wanted = rest[1:] if kind == "lambda" else rest
    if kind not in {"host", "lambda"} or (kind == "lambda" and not rest) or len(wanted) > 1:
        raise UsageError(USAGE)
    if wanted and wanted[0] not in workloads.REGISTRY:
        names = " or ".join(workloads.names())
        raise UsageError(f"unknown workload '{wanted[0]}'; use {names}.")
    if kind == "host":
        return host_builds(wanted[0] if wanted else None)
    return (lambda_build(rest[0], workloads.get(wanted[0] if wanted else "cpu").go_build),)


def main(argv: Sequence[str] | None = None) -> int:
    """`host [WORKLOAD]` (the CLI and the workload's bootstrap, every workload's when not said)
    or `lambda ARCH [WORKLOAD]` (the CPU one by default): build when stale, print path and size."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        builds = chosen_builds(args)
    except UsageError as exc:
        print(f"build-go: {exc}", file=sys.stderr)
        return 64
    try:
        for build in builds:
            out = ensure_go(build)
            print(f"{out}\t{out.stat().st_size} bytes")
    except BenchError as exc:
        print(f"build-go: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
