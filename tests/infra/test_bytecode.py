"""The Python zip's byte-code: compiled by python3.12 as unchecked-hash .pyc with /var/task
source paths and a fixed hash seed, so that two builds give the same bytes; the manifest says
which Python compiled it, or that none did."""

from __future__ import annotations

import json
import subprocess
import zipfile
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench.aws import bytecode, package
from telemetry_agg.bench.local import pyruntime

if TYPE_CHECKING:
    from pathlib import Path

PY312 = pyruntime.find_python("3.12")
needs_312 = pytest.mark.skipif(PY312 is None, reason="no python3.12 here to compile byte-code")
# Reads a .pyc on stdin, prints its code object's file name and every nested one's.
_FILENAMES = """
import marshal, sys
code = marshal.loads(sys.stdin.buffer.read()[16:])
todo, names = [code], set()
while todo:
    c = todo.pop()
    names.add(c.co_filename)
    todo += [k for k in c.co_consts if hasattr(k, "co_filename")]
print("\\n".join(sorted(names)))
"""


def source_hash_312(source: bytes) -> bytes:
    """The source hash CPython 3.12 keys its .pyc with (it depends on the magic number)."""
    assert PY312 is not None
    script = "import importlib.util, sys; sys.stdout.buffer.write(importlib.util.source_hash("
    script += "sys.stdin.buffer.read()))"
    out = subprocess.run(
        [str(PY312.path), "-I", "-c", script], input=source, capture_output=True, check=True
    )
    return out.stdout


@pytest.fixture
def sources() -> dict[str, tuple[bytes, int]]:
    return {
        "pkg/__init__.py": (b"VALUE = {'a', 'b', 'c', 'd'}\n", 0o644),
        "pkg/mod.py": (b"def f():\n    return frozenset({'x', 'y', 'z'})\n", 0o644),
        "pkg/data.txt": (b"not python\n", 0o644),
    }


@needs_312
def test_each_module_gets_an_unchecked_hash_pyc(sources: dict[str, tuple[bytes, int]]) -> None:
    compiled = bytecode.compile_entries(sources, 0o644)
    assert compiled is not None
    assert compiled.is_target
    pycs = sorted(n for n in sources if n.endswith(".pyc"))
    assert pycs == [
        "pkg/__pycache__/__init__.cpython-312.pyc",
        "pkg/__pycache__/mod.cpython-312.pyc",
    ]
    for name in pycs:
        data = sources[name][0]
        assert int.from_bytes(data[4:8], "little") == 0b01  # hash-based, source not checked
        source = sources[name.replace("__pycache__/", "").replace(".cpython-312.pyc", ".py")][0]
        assert data[8:16] == source_hash_312(source)
    manifest = json.loads(sources[bytecode.MANIFEST][0])
    assert manifest["bytecode"] is True
    assert manifest["bytecode_python"] == compiled.version
    assert manifest["invalidation_mode"] == "unchecked-hash"


@needs_312
def test_tracebacks_name_the_var_task_path(sources: dict[str, tuple[bytes, int]]) -> None:
    assert PY312 is not None
    bytecode.compile_entries(sources, 0o644)
    out = subprocess.run(
        [str(PY312.path), "-I", "-c", _FILENAMES],
        input=sources["pkg/__pycache__/mod.cpython-312.pyc"][0],
        capture_output=True,
        check=True,
    )
    assert out.stdout.decode().split() == ["/var/task/pkg/mod.py"]


@needs_312
def test_the_same_sources_compile_to_the_same_bytes(
    sources: dict[str, tuple[bytes, int]],
) -> None:
    again = dict(sources)
    bytecode.compile_entries(sources, 0o644)
    bytecode.compile_entries(again, 0o644)
    assert sources == again


@needs_312
def test_a_module_that_does_not_compile_is_a_clear_error() -> None:
    broken = {"pkg/bad.py": (b"def (:\n", 0o644)}
    pattern = r"(?s)could not compile.*var/task/pkg/bad\.py"
    with pytest.raises(bytecode.BytecodeError, match=pattern):
        bytecode.compile_entries(broken, 0o644)


@pytest.mark.usefixtures("no_python")
def test_without_python312_no_bytecode_and_the_manifest_says_so(
    sources: dict[str, tuple[bytes, int]],
) -> None:
    assert bytecode.compile_entries(sources, 0o644) is None
    assert not [n for n in sources if n.endswith(".pyc")]
    manifest = json.loads(sources[bytecode.MANIFEST][0])
    assert manifest["bytecode"] is False
    assert manifest["bytecode_python"] is None
    assert "no python3.12" in manifest["note"]


@needs_312
def test_the_python_zip_is_compiled_and_reproducible(tmp_path: Path) -> None:
    """Two builds of the real zip (wheels from pip's cache): the same SHA-256, byte-code for
    every module, the wrapper executable, the manifest naming the compiling Python."""
    one = package.build_python_zip("x86_64", tmp_path / "one")
    two = package.build_python_zip("x86_64", tmp_path / "two")
    assert one.sha256 == two.sha256
    assert one.note == ""
    with zipfile.ZipFile(one.path) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read(bytecode.MANIFEST))
        wrapper = zf.getinfo("telemetry_agg/runtime/lean-wrapper")
    for name in names:
        if name.endswith(".py"):
            head, _, tail = name.rpartition("/")
            pyc = f"{head}/__pycache__/{tail[:-3]}.cpython-312.pyc" if head else ""
            assert not head or pyc in names, name
    assert manifest["bytecode_python"] == (PY312.version if PY312 else None)
    assert (wrapper.external_attr >> 16) & 0o777 == 0o755
