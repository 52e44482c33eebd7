"""Bytecode for the Python zip, compiled for the Lambda runtime's Python, reproducibly.

On Lambda `/var/task` is read-only, so a zip without `.pyc` compiles every module it imports at
every cold start. `compile_entries` compiles each `.py` entry with python3.12 (the runtime's
version; `pyruntime.find_python`) in one subprocess:

- `py_compile` with `invalidation_mode=UNCHECKED_HASH`: the `.pyc` records the source's hash,
  not its mtime, and is used as it is without checking it (the zip's sources never change);
- `dfile` is the `/var/task/...` path Lambda will show in tracebacks, never the build folder;
- `PYTHONHASHSEED=0` in the compiling process, so that sets of strings marshal in one order:
  the same sources and the same toolchain give the same bytes, and so the same SHA-256.

Where no python3.12 exists, nothing is compiled and the manifest says so.
The manifest (`MANIFEST`, JSON) records the Python version that compiled the bytecode (or
null), whether bytecode is included, and how it was compiled.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from telemetry_agg.bench.errors import BenchError
from telemetry_agg.bench.local.pyruntime import TARGET_VERSION, Interpreter, find_python

MANIFEST = "telemetry_agg/_build.json"
TASK_ROOT = "/var/task/"
# Reads the relative paths (one per line) on stdin, compiles each under argv[1], prints the
# relative paths of the .pyc written; on the first failure, exits 1 with its message.
_COMPILE = """
import importlib.util, py_compile, sys
root, prefix = sys.argv[1], sys.argv[2]
mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
for rel in sys.stdin.read().split("\\n"):
    if not rel:
        continue
    cfile = importlib.util.cache_from_source(rel)
    try:
        py_compile.compile(root + "/" + rel, cfile=root + "/" + cfile, dfile=prefix + rel,
                           doraise=True, invalidation_mode=mode, optimize=0)
    except py_compile.PyCompileError as exc:
        sys.exit(exc.msg)
    print(cfile)
"""


NO_BYTECODE = (
    f"no python{TARGET_VERSION} here: the zip holds no bytecode, so Lambda compiles every "
    "module at each cold start (its manifest says so)"
)


class BytecodeError(BenchError):
    """Compiling the zip's modules failed."""


def manifest(python: Interpreter | None) -> bytes:
    """The zip's build manifest: which Python compiled its bytecode, if any did."""
    data = {
        "runtime": f"python{TARGET_VERSION}",
        "bytecode": python is not None,
        "bytecode_python": python.version if python is not None else None,
        "invalidation_mode": "unchecked-hash" if python is not None else None,
        "source_root": TASK_ROOT.rstrip("/"),
        "note": None if python is not None else NO_BYTECODE,
    }
    return json.dumps(data, indent=2, sort_keys=True).encode() + b"\n"


def compile_entries(
    entries: dict[str, tuple[bytes, int]], mode: int, python: Interpreter | None = None
) -> Interpreter | None:
    """Add a `.pyc` (mode `mode`) beside each `.py` entry, compiled by python3.12, and the
    manifest; return the interpreter that compiled them, or None when there was none."""
    python = find_python(TARGET_VERSION) if python is None else python
    if python is None or not python.is_target:
        entries[MANIFEST] = (manifest(None), mode)
        return None
    sources = sorted(name for name in entries if name.endswith(".py"))
    with tempfile.TemporaryDirectory(prefix="telemetry-bytecode-") as tmp:
        for name in sources:
            path = Path(tmp, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(entries[name][0])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONHASHSEED"] = "0"
        proc = subprocess.run(
            [str(python.path), "-S", "-s", "-c", _COMPILE, tmp, TASK_ROOT],
            input="\n".join(sources),
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if proc.returncode != 0:
            raise BytecodeError(
                f"python {python.version} ({python.path}) could not compile the zip's modules:"
                f"\n{proc.stderr.strip()[-2000:]}",
                "Fix the module it names, or build on a machine without python3.12 (no bytecode).",
            )
        for cfile in proc.stdout.split():
            entries[cfile] = (Path(tmp, cfile).read_bytes(), mode)
    entries[MANIFEST] = (manifest(python), mode)
    return python
