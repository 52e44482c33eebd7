"""The runtime's Python here: the real interpreter found by running it (a failing shim passed
over), and the runtime folder (awslambdaric, boto3) installed for it apart from the task."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench import paths
from telemetry_agg.bench.errors import ToolMissingError
from telemetry_agg.bench.local import pyruntime

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    pyruntime.find_python.cache_clear()
    yield
    pyruntime.find_python.cache_clear()


def script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_a_shim_that_fails_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a pyenv shim for a version that is not pyenv's global one: it exits 127."""
    shims, versions = tmp_path / "shims", tmp_path / "pyenv" / "versions" / "3.99.1" / "bin"
    shims.mkdir()
    versions.mkdir(parents=True)
    script(shims / "python3.99", 'echo "pyenv: python3.99: command not found" >&2; exit 127')
    real = script(versions / "python3.99", 'printf "%s\\n3.99.1\\n" "$0"')
    monkeypatch.setenv("PATH", f"{shims}:{os.environ['PATH']}")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.delenv(pyruntime.PYTHON_ENV, raising=False)
    assert pyruntime.candidates("3.99")[:2] == [str(shims / "python3.99"), str(real)]
    assert pyruntime.probe(shims / "python3.99") is None
    found = pyruntime.find_python("3.99")
    assert found == pyruntime.Interpreter(real, "3.99.1")
    assert not found.is_target


def test_the_version_must_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = script(tmp_path / "python3.98", 'printf "%s\\n3.11.7\\n" "$0"')
    monkeypatch.setenv(pyruntime.PYTHON_ENV, str(other))
    assert pyruntime.find_python("3.98") is None


def test_without_python312_the_bench_python_runs_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(pyruntime.PYTHON_ENV, "/nonexistent/python3.12")
    python = pyruntime.runtime_python()
    assert python.version == ".".join(map(str, sys.version_info[:3]))
    assert python.is_target == (sys.version_info[:2] == (3, 12))


def test_python312_found_here_is_real() -> None:
    found = pyruntime.find_python("3.12")
    if found is None:
        pytest.skip("no python3.12 on this machine")
    out = subprocess.run(
        [str(found.path), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "(3, 12)"
    assert found.is_target


def test_the_runtime_folder_is_under_the_tools_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.RUNTIME_DIR_ENV, raising=False)
    assert paths.python_runtime_dir("3.12") == paths.project_root() / ".tools/python-runtime/3.12"


def test_a_missing_runtime_folder_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.RUNTIME_DIR_ENV, str(tmp_path))
    python = pyruntime.Interpreter(tmp_path / "python3.12", "3.12.1")
    with pytest.raises(ToolMissingError, match="not installed") as caught:
        pyruntime.runtime_folder(python)
    assert "telemetry-bench setup" in caught.value.hint


@pytest.mark.slow
def test_ensure_runtime_installs_for_the_interpreter_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip --target for python3.12 (or this Python), compiled by it; a second call is a no-op."""
    monkeypatch.setenv(paths.RUNTIME_DIR_ENV, str(tmp_path))
    python = pyruntime.runtime_python()
    folder = pyruntime.ensure_runtime(python)
    assert folder == tmp_path / python.minor
    assert pyruntime.runtime_folder(python) == folder
    stamp = json.loads((folder / ".installed.json").read_text())
    assert stamp["python"] == python.version
    tag = f"cpython-{python.minor.replace('.', '')}"
    for name in ("awslambdaric", "simplejson", "boto3", "botocore"):
        assert (folder / name / "__init__.py").is_file(), name
        assert list((folder / name / "__pycache__").glob(f"__init__.{tag}.pyc")), name
    assert "telemetry_agg" not in {p.name for p in folder.iterdir()}
    probe = "import awslambdaric, simplejson, boto3; print(awslambdaric.__file__)"
    out = subprocess.run(
        [str(python.path), "-I", "-c", f"import sys; sys.path[:0] = [{str(folder)!r}]; {probe}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith(str(folder))

    def no_pip(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("installed again")

    monkeypatch.setattr(subprocess, "run", no_pip)
    assert pyruntime.ensure_runtime(python) == folder
