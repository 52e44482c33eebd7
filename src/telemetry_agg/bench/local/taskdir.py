"""The task folder of a local Python lane: what Lambda's `/var/task` holds, made here.

Each environment start extracts the zip that `package` builds for this machine's architecture
into a new temporary folder (entries with their zip modes: the lean wrapper stays executable),
so that nothing one cold start compiled or wrote can help the next one (everything here runs as
root, so a read-only folder cannot be had; the runtimes also run with PYTHONDONTWRITEBYTECODE=1).

API: `host_zip(artifact) -> Path` (built once per process, `package.build_python_zip`),
`describe(zip_path, python) -> str`, `extract(zip_path) -> Path`, `remove(folder)`,
`in_folder(runtime, folder) -> Runtime` (the runtime with `{task}` filled in), `TASK`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import platform
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from telemetry_agg.bench import paths

if TYPE_CHECKING:
    from telemetry_agg.bench.local.runtimes import Runtime

TASK = "{task}"  # in a runtime's argv and environment: the task folder, once it exists
_PREFIX = "telemetry-task-"


@functools.cache
def host_zip(artifact: str) -> Path:
    """build/<artifact>-<host arch>.zip, built afresh once per process (so never stale)."""
    from telemetry_agg.bench.aws import package  # noqa: PLC0415 - only Python lanes need it

    if artifact != "python":
        raise ValueError(f"only the Python zip runs from a task folder, not {artifact!r}")
    arch = package.as_arch(platform.machine())
    return package.build_python_zip(arch, paths.build_dir()).path


def describe(zip_path: Path, python: str | None) -> str:
    """One line for the results and the table caption: which Python ran the Python lanes, from
    which zip, with or without byte-code (the zip's manifest)."""
    from telemetry_agg.bench.aws import bytecode  # noqa: PLC0415 - only Python lanes need it
    from telemetry_agg.bench.local.pyruntime import TARGET_VERSION  # noqa: PLC0415

    try:
        with zipfile.ZipFile(zip_path) as zf:
            compiled = json.loads(zf.read(bytecode.MANIFEST)).get("bytecode_python")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        compiled = None
    ran = f"Python {python}" if python else "Python"
    if python and not python.startswith(f"{TARGET_VERSION}."):
        ran += f" (no python{TARGET_VERSION} here)"
    code = f"its python{compiled} byte-code" if compiled else "no byte-code"
    return f"Python lanes: {ran}, from {zip_path.name} ({code}), extracted afresh per environment"


def extract(zip_path: Path) -> Path:
    """A new temporary folder holding the zip's files, each with its mode from the zip."""
    folder = Path(tempfile.mkdtemp(prefix=_PREFIX))
    try:
        with zipfile.ZipFile(zip_path) as zf:
            for info in zf.infolist():
                target = Path(zf.extract(info, folder))
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    target.chmod(mode)
    except BaseException:
        remove(folder)
        raise
    return folder


def remove(folder: Path | None) -> None:
    """Delete a task folder `extract` made (anything else is left alone)."""
    if folder is not None and folder.name.startswith(_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def in_folder(runtime: Runtime, folder: Path) -> Runtime:
    """`runtime` started in `folder`: `{task}` replaced in its argv and environment."""
    task = str(folder)
    return dataclasses.replace(
        runtime,
        argv=[arg.replace(TASK, task) for arg in runtime.argv],
        env={k: v.replace(TASK, task) for k, v in runtime.env.items()},
        cwd=folder,
    )
