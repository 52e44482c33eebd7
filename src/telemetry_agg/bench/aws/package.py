"""`telemetry-bench package`: the two Lambda deployment zips, reproducibly.

- `build/python-<arch>.zip`: the `telemetry_agg` core (never `bench/`, so never the Go sources
  and infra/ a wheel carries in `bench/_data/`) as this bench runs it (src/telemetry_agg in a
  checkout, site-packages' when installed), and its runtime dependencies from the installed
  package's metadata (no extras), installed as wheels for the target
  (`pip install --target --platform manylinux2014_<machine> --only-binary=:all: --python-version
  3.12 --implementation cp`). Each dependency is pinned to the version installed here, so the
  zip carries what the tests ran against. Never Typer, Rich, boto3: they are `bench` extras.
- `build/go-<arch>.zip`: `bootstrap` (mode 0755), the workload's Go build
  (`bench.model.workloads`), built from the Go sources by `toolchain` (`scripts/build-go.sh
  lambda <goarch> <workload>` by hand) or given with `--bootstrap`; its ELF machine must match
  the architecture. The CPU workload's links no AWS SDK (`-tags nostore`), the stored
  workload's links aws-sdk-go-v2; the zip names either `bootstrap`.

Reproducible: entries sorted, every timestamp 1980-01-01 00:00, permissions fixed (0644, 0755
for `bootstrap` and the lean runtime's `lean-wrapper`), no directory entries, no byte-code from
this checkout; the Python zip's bytecode is compiled afresh for python3.12 as `bytecode.py`
says (unchecked-hash `.pyc`, `/var/task/` source paths, a fixed hash seed), and its manifest
(`telemetry_agg/_build.json`) records whether it holds any: the same inputs and toolchain give
the same SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from telemetry_agg.bench import errors, paths, toolchain
from telemetry_agg.bench.aws import bytecode
from telemetry_agg.bench.errors import BenchError
from telemetry_agg.bench.model.lanes import LEAN_WRAPPER
from telemetry_agg.bench.model.workloads import GO_CPU, GoBuild

if TYPE_CHECKING:
    from collections.abc import Callable

Arch = Literal["arm64", "x86_64"]
ARCHES: tuple[Arch, ...] = ("arm64", "x86_64")
PYTHON_VERSION = "3.12"  # the Lambda runtime python3.12 in infra/main.tf
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
EXEC_MODE = 0o755
# Files of the Python zip that Lambda executes (AWS_LAMBDA_EXEC_WRAPPER of python-lean).
EXECUTABLES = frozenset({LEAN_WRAPPER})
# Names and directories never shipped in the Python zip.
EXCLUDED_PARTS = frozenset({"bench", "__pycache__"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class BuildTarget:
    """One Lambda architecture, as each tool names it."""

    arch: Arch
    pip_platform: str  # pip --platform
    goarch: str  # GOARCH, and scripts/build-go.sh's argument
    elf_machine: int  # e_machine of an ELF binary for it
    machine: str  # as in the wheel tag and the .so suffix


TARGETS: dict[Arch, BuildTarget] = {
    "arm64": BuildTarget("arm64", "manylinux2014_aarch64", "arm64", 183, "aarch64"),
    "x86_64": BuildTarget("x86_64", "manylinux2014_x86_64", "amd64", 62, "x86_64"),
}


def as_arch(value: str) -> Arch:
    """A Lambda architecture from its name (aarch64 and amd64 accepted as aliases)."""
    aliases: dict[str, Arch] = {"arm64": "arm64", "aarch64": "arm64", "x86_64": "x86_64"}
    aliases["amd64"] = "x86_64"
    try:
        return aliases[value.lower().replace("-", "_")]
    except KeyError:
        raise PackageError(
            f"{value!r} is not a Lambda architecture.", "Use arm64 or x86_64."
        ) from None


ARTIFACTS = ("python", "go")  # the zips: build/<artifact>-<arch>.zip, a lane's `artifact`


class PackageError(BenchError):
    """Packaging failed; `hint` says what to do next."""


@dataclass(frozen=True)
class Artifact:
    """A built zip: what it is for, where, how big, its SHA-256."""

    language: str
    arch: str
    path: Path
    size: int
    sha256: str
    note: str = ""  # what a reader must know (a Python zip built without bytecode)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["path"] = str(self.path)
        return data


# --- zips -------------------------------------------------------------------------------------


def write_zip(entries: dict[str, tuple[bytes, int]], dest: Path) -> Artifact:
    """Write `{arcname: (content, mode)}` to `dest` deterministically; return size and hash.

    The zip is written next to `dest` and renamed into place, so a failed build never leaves a
    half-written zip where Terraform would pick it up.
    """
    partial = dest.with_name(dest.name + ".partial")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for name in sorted(entries):
                content, mode = entries[name]
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so that external_attr carries the mode
                info.external_attr = (0o100000 | mode) << 16  # a regular file
                zf.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        partial.replace(dest)
        data = dest.read_bytes()
    except OSError as exc:
        _discard(partial)
        raise PackageError(
            f"Cannot write {dest} ({exc.strerror or exc}).",
            "Choose a writable directory with --out-dir, or free some disk space.",
        ) from None
    except BaseException:
        _discard(partial)
        raise
    return Artifact("", "", dest, len(data), hashlib.sha256(data).hexdigest())


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _tree_entries(root: Path, prefix: str = "") -> dict[str, tuple[bytes, int]]:
    """Every file under `root` as zip entries, minus byte-code, caches and `bench/`."""
    entries: dict[str, tuple[bytes, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or EXCLUDED_PARTS.intersection(rel.parts[:-1]):
            continue
        if path.name.endswith(EXCLUDED_SUFFIXES):
            continue
        entries[prefix + rel.as_posix()] = (path.read_bytes(), FILE_MODE)
    return entries


# --- the Python zip ---------------------------------------------------------------------------


def runtime_requirements() -> list[str]:
    """The installed package's own runtime dependencies (its metadata: no extras), each pinned
    to the version installed here: the same from a checkout's editable install and a wheel."""
    try:
        declared = importlib.metadata.requires(paths.DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        raise PackageError(
            f"{paths.DISTRIBUTION} is not installed, so its runtime dependencies are unknown.",
            "Install it (pip install 'telemetry-agg[bench]', or pip install -e '.[bench]' in a "
            "checkout), then rerun.",
        ) from None
    pinned = []
    for spec in declared:
        requirement, _, marker = spec.partition(";")
        if "extra" in marker:
            continue
        name = re.split(r"[\s<>=!~\[(]", requirement.strip(), maxsplit=1)[0]
        try:
            pinned.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pinned.append(requirement.strip())
    return pinned


def core_dir() -> Path:
    """The `telemetry_agg` package this bench runs from: src/telemetry_agg or site-packages'."""
    return paths.source_dir()


def install_dependencies(requirements: list[str], target: BuildTarget, dest: Path) -> None:
    """pip-install `requirements` as wheels for the Lambda target into `dest`."""
    if not requirements:
        return
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--no-compile",
        "--target",
        str(dest),
        "--platform",
        target.pip_platform,
        "--only-binary=:all:",
        "--python-version",
        PYTHON_VERSION,
        "--implementation",
        "cp",
        *requirements,
    ]
    proc = subprocess.run(
        command, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    if proc.returncode != 0:
        raise PackageError(
            f"pip could not fetch {', '.join(requirements)} as wheels for "
            f"{target.pip_platform} / CPython {PYTHON_VERSION}:\n{proc.stderr.strip()[-3000:]}",
            "Check network access to the package index (or set PIP_INDEX_URL / PIP_FIND_LINKS "
            "to a mirror holding those wheels), then rerun.",
        )


def build_python_zip(
    arch: Arch, out_dir: Path, core: Path | None = None, requirements: list[str] | None = None
) -> Artifact:
    """The Python zip of `core` (default: this package) and `requirements` (default: its own)."""
    target = TARGETS[arch]
    core = core_dir() if core is None else core
    if not (core / "handler.py").is_file():
        raise PackageError(
            f"{core / 'handler.py'} does not exist: the Lambda handler is not written yet.",
            "The Python zip needs telemetry_agg.handler; build it once the core has landed.",
        )
    with tempfile.TemporaryDirectory(prefix="telemetry-package-") as tmp:
        deps = Path(tmp) / "deps"
        needed = runtime_requirements() if requirements is None else requirements
        install_dependencies(needed, target, deps)
        entries = _tree_entries(deps) if deps.exists() else {}
        entries.update(_tree_entries(core, "telemetry_agg/"))
        for name in EXECUTABLES & entries.keys():
            entries[name] = (entries[name][0], EXEC_MODE)
        compiled = bytecode.compile_entries(entries, FILE_MODE)
        artifact = write_zip(entries, out_dir / f"python-{arch}.zip")
    note = "" if compiled else bytecode.NO_BYTECODE
    return Artifact("python", arch, artifact.path, artifact.size, artifact.sha256, note)


# --- the Go zip -------------------------------------------------------------------------------


def elf_machine(data: bytes) -> int | None:
    """e_machine of an ELF image (183 aarch64, 62 x86-64), or None when it is not ELF."""
    if len(data) < 20 or data[:4] != b"\x7fELF":
        return None
    order: Literal["little", "big"] = "little" if data[5] == 1 else "big"
    return int.from_bytes(data[18:20], order)


def build_bootstrap(target: BuildTarget, go_build: GoBuild = GO_CPU) -> Path:
    """Build the workload's bootstrap for the target from the Go sources (`toolchain`; by
    default the CPU workload's, without the AWS SDK); return its path."""
    return toolchain.ensure_go(toolchain.lambda_build(target.goarch, go_build))


def build_go_zip(
    arch: Arch, out_dir: Path, bootstrap: Path | None = None, go_build: GoBuild = GO_CPU
) -> Artifact:
    target = TARGETS[arch]
    binary = build_bootstrap(target, go_build) if bootstrap is None else bootstrap
    try:
        data = binary.read_bytes()
    except OSError as exc:
        raise PackageError(
            f"Cannot read the Go bootstrap {binary} ({exc.strerror}).",
            "Build it with `telemetry-bench package --only go`, or pass an existing file to "
            "--bootstrap.",
        ) from exc
    machine = elf_machine(data)
    if machine != target.elf_machine:
        found = "not an ELF executable" if machine is None else f"ELF machine {machine}"
        raise PackageError(
            f"{binary} is {found}, but {arch} needs ELF machine {target.elf_machine} "
            f"(linux/{target.goarch}).",
            f"Build it with GOOS=linux GOARCH={target.goarch} (scripts/build-go.sh lambda "
            f"{target.goarch}).",
        )
    artifact = write_zip({"bootstrap": (data, EXEC_MODE)}, out_dir / f"go-{arch}.zip")
    return Artifact("go", arch, artifact.path, artifact.size, artifact.sha256)


def build(
    arch: Arch,
    out_dir: Path,
    *,
    artifacts: tuple[str, ...] = ARTIFACTS,
    bootstrap: Path | None = None,
    on_step: Callable[[str], None] | None = None,
    go_build: GoBuild = GO_CPU,
) -> list[Artifact]:
    """Build these zips (python, go: a lane's `artifact`) into `out_dir`; `on_step` hears each
    step."""
    step = on_step or (lambda _message: None)
    built = []
    if "python" in artifacts:
        step(f"Python zip for {arch}: fetching {TARGETS[arch].pip_platform} wheels, zipping")
        built.append(build_python_zip(arch, out_dir))
    if "go" in artifacts:
        step(f"Go zip for {arch}: building bootstrap (linux/{TARGETS[arch].goarch}), zipping")
        built.append(build_go_zip(arch, out_dir, bootstrap, go_build))
    return built


def build_with_progress(
    arch: Arch,
    out_dir: Path,
    *,
    artifacts: tuple[str, ...] = ARTIFACTS,
    bootstrap: Path | None = None,
    go_build: GoBuild = GO_CPU,
) -> list[Artifact]:
    """`build` with a spinner on stderr naming the current step (stdout stays for results)."""
    from rich.console import Console  # noqa: PLC0415 - only the CLI needs Rich

    with Console(stderr=True).status("packaging") as status:
        return build(
            arch,
            out_dir,
            artifacts=artifacts,
            bootstrap=bootstrap,
            on_step=status.update,
            go_build=go_build,
        )


# --- the command ------------------------------------------------------------------------------


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024 or unit == "MiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover - the loop always returns


def print_artifacts(artifacts: list[Artifact], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"artifacts": [a.to_json() for a in artifacts]}, indent=2))
        return
    # Plain lines, not a table: a hash must never be cut to fit a narrow terminal.
    width = max(len(str(a.path)) for a in artifacts) if artifacts else 0
    for artifact in artifacts:
        size = human_size(artifact.size)
        print(f"{artifact.path!s:<{width}}  {size:>10}  sha256 {artifact.sha256}")
        if artifact.note:
            print(f"  note: {artifact.note}")


def package_main(
    *,
    arch: str,
    out_dir: Path | None,
    artifacts: tuple[str, ...],
    bootstrap: Path | None,
    go_build: GoBuild = GO_CPU,
) -> list[Artifact]:
    """The `package` command's work, once its options are parsed: the zips built (the Go zip
    holds `go_build`, the workload's bootstrap)."""
    directory = paths.build_dir() if out_dir is None else out_dir
    with errors.handled(stopping="; no zip was replaced half-written"):
        return build_with_progress(
            as_arch(arch), directory, artifacts=artifacts, bootstrap=bootstrap, go_build=go_build
        )
