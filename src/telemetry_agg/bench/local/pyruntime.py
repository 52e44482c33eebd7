"""The Python that Lambda's python3.12 runtime runs, on this machine: the interpreter and the
runtime's own packages (what `/var/runtime` holds on Lambda), kept apart from the task folder.

- `find_python(version)`: a real interpreter of that version, found by running each candidate
  (a pyenv shim on PATH exits 127 when that version is not pyenv's global one, so it is tried
  and passed over; the real binaries under `$PYENV_ROOT/versions/` are tried too). None when
  there is none.
- `runtime_python()`: python3.12 when one is here, else the interpreter running the bench, with
  `is_target` false so that the results and the table caption say which version ran.
- `ensure_runtime(python)`: awslambdaric (with its simplejson) and boto3/botocore, pinned to the
  versions the bench's own environment holds, `pip install --target`-ed for that interpreter
  into their own folder (`paths.python_runtime_dir`), compiled there by that interpreter (as
  the managed runtime's `/var/runtime` ships them compiled); a second call finds the stamp and
  does nothing. The set-up (`scripts/setup.sh`, `telemetry-bench setup`) calls it.

`python -m telemetry_agg.bench.local.pyruntime` runs `ensure_runtime(runtime_python())` and
prints the folder.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from telemetry_agg.bench import paths
from telemetry_agg.bench.errors import ToolMissingError

TARGET_VERSION = "3.12"  # the Lambda runtime python3.12 (infra/, the lanes)
# The managed runtime's own packages: its client, and the SDK the stored workload imports.
RUNTIME_PACKAGES = ("awslambdaric", "boto3", "botocore")
PYTHON_ENV = "TELEMETRY_BENCH_PYTHON"  # an interpreter to use instead of looking for one
_STAMP = ".installed.json"
_PROBE = "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])"


@dataclass(frozen=True)
class Interpreter:
    """A Python interpreter that ran here: its real path and its version."""

    path: Path
    version: str  # 3.12.1

    @property
    def minor(self) -> str:
        """3.12"""
        return ".".join(self.version.split(".")[:2])

    @property
    def is_target(self) -> bool:
        """Whether it is the Lambda runtime's Python version."""
        return self.minor == TARGET_VERSION


def probe(candidate: str | Path) -> Interpreter | None:
    """Run `candidate` and ask it who it is; None when it does not run (a shim that fails)."""
    try:
        out = subprocess.run(
            [str(candidate), "-I", "-S", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=20,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = out.stdout.split()
    if out.returncode != 0 or len(lines) != 2 or not lines[0]:
        return None
    return Interpreter(Path(lines[0]), lines[1])


def candidates(version: str) -> list[str]:
    """Where a `python<version>` may be, most specific first (duplicates removed)."""
    name = f"python{version}"
    found: list[str] = []
    if os.environ.get(PYTHON_ENV):
        found.append(os.environ[PYTHON_ENV])
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions = sorted((pyenv_root / "versions").glob(f"{version}.*"), reverse=True)
    found += [str(v / "bin" / name) for v in versions if not v.name.endswith("t")]
    found += [f"/usr/local/bin/{name}", f"/usr/bin/{name}"]
    return list(dict.fromkeys(found))


@functools.cache
def find_python(version: str = TARGET_VERSION) -> Interpreter | None:
    """The first candidate that runs and is `version` (TELEMETRY_BENCH_PYTHON, when set, must
    be it or nothing is found: a way to run the bench as if no such Python were here)."""
    forced = os.environ.get(PYTHON_ENV)
    for candidate in [forced] if forced else candidates(version):
        found = probe(candidate)
        if found is not None and found.minor == version:
            return found
    return None


def runtime_python() -> Interpreter:
    """python3.12 when one is here, else the interpreter running the bench."""
    found = find_python(TARGET_VERSION)
    if found is not None:
        return found
    info = sys.version_info
    return Interpreter(Path(sys.executable), f"{info[0]}.{info[1]}.{info[2]}")


def pinned_packages() -> list[str]:
    """RUNTIME_PACKAGES pinned to the versions the bench's environment holds (else unpinned)."""
    pins = []
    for name in RUNTIME_PACKAGES:
        try:
            pins.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pins.append(name)
    return pins


def installed(folder: Path) -> dict[str, object] | None:
    """The stamp `ensure_runtime` left in `folder`, or None."""
    try:
        data = json.loads((folder / _STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def ensure_runtime(python: Interpreter) -> Path:
    """The runtime folder for `python`, installed first if it is not (or holds other pins)."""
    folder = paths.python_runtime_dir(python.minor)
    packages = pinned_packages()
    wanted: dict[str, object] = {"python": python.version, "packages": packages}
    if installed(folder) == wanted:
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-input", "--no-compile", "--target", str(partial), "--only-binary=:all:"]
    command += ["--python-version", python.minor, "--implementation", "cp"]
    _run(command + packages, "pip could not install the runtime's packages")
    compile_all = [str(python.path), "-m", "compileall", "-q", "-j", "0", str(partial)]
    _run(compile_all, "compiling the runtime folder failed")
    (partial / _STAMP).write_text(json.dumps(wanted), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)
    return folder


def _run(command: list[str], what: str) -> None:
    proc = subprocess.run(
        command, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-2000:]
        raise ToolMissingError(
            f"{what} ({' '.join(command[:6])} ...):\n{tail}",
            "Check access to the package index (PIP_INDEX_URL), then rerun the set-up.",
        )


def runtime_folder(python: Interpreter) -> Path:
    """The installed runtime folder for `python`; ToolMissingError saying how to make it."""
    folder = paths.python_runtime_dir(python.minor)
    if installed(folder) is None:
        raise ToolMissingError(
            f"the Python {python.minor} runtime folder ({folder}: awslambdaric, boto3) is not "
            "installed",
            "Run `telemetry-bench setup` (in a checkout: `make setup`).",
        )
    return folder


def main() -> None:
    python = runtime_python()
    folder = ensure_runtime(python)
    note = "" if python.is_target else f" (no python{TARGET_VERSION} here)"
    print(f"Python {python.version} at {python.path}{note}: runtime folder {folder}")


if __name__ == "__main__":
    main()
