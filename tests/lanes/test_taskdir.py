"""Local Python lanes start what Lambda starts: the packaged zip extracted afresh per
environment start as the task folder, the runtime's Python, its runtime folder after the task
on the import path, and no byte-code written by one cold start for the next."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from support import skip_without_lane_tools
from telemetry_agg.bench.errors import ToolMissingError
from telemetry_agg.bench.local import pyruntime, runtimes, taskdir
from telemetry_agg.bench.local.emulator import Emulator
from telemetry_agg.bench.model import lanes

EVENT = b'{"requestContext": {"http": {"method": "POST"}}, "body": "[{\\"status\\": 200}]"}'


@pytest.fixture(scope="module")
def ready() -> None:
    skip_without_lane_tools(go=False)


def test_extract_keeps_the_modes_and_remove_only_task_folders(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, mode in (("pkg/run", 0o755), ("pkg/data.txt", 0o644)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            zf.writestr(info, b"x")
    folder = taskdir.extract(archive)
    try:
        assert folder.name.startswith("telemetry-task-")
        assert (folder / "pkg/run").stat().st_mode & 0o777 == 0o755
        assert (folder / "pkg/data.txt").stat().st_mode & 0o777 == 0o644
    finally:
        taskdir.remove(folder)
    assert not folder.exists()
    taskdir.remove(tmp_path)  # not a task folder: left alone
    assert archive.exists()


def test_describe_says_which_python_and_whether_bytecode(tmp_path: Path) -> None:
    archive = tmp_path / "python-x86_64.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("telemetry_agg/_build.json", '{"bytecode_python": "3.12.1"}')
    text = taskdir.describe(archive, "3.12.1")
    assert text.startswith("Python lanes: Python 3.12.1, from python-x86_64.zip")
    assert "python3.12.1 byte-code" in text
    other = taskdir.describe(tmp_path / "missing.zip", "3.11.7")
    assert "Python 3.11.7 (no python3.12 here)" in other
    assert "no byte-code" in other


@pytest.mark.emulator
@pytest.mark.usefixtures("ready")
@pytest.mark.parametrize("lane", [lanes.PYTHON, lanes.PYTHON_LEAN], ids=lambda x: x.name)
def test_a_python_lane_runs_from_the_zip_on_the_runtime_python(lane: lanes.Lane) -> None:
    runtime = runtimes.lane_runtime(lane)
    python = pyruntime.runtime_python()
    assert runtime.task_zip is not None
    assert runtime.python == python.version
    # python-lean: the exec wrapper from the task folder, given the stock command (as Lambda)
    assert runtime.argv[-4:] == [str(python.path), "-m", "awslambdaric", lane.handler]
    folder = pyruntime.runtime_folder(python)
    assert runtime.env["PYTHONPATH"] == f"{taskdir.TASK}:{folder}"  # /var/task, /var/runtime
    assert runtime.env["PYTHONDONTWRITEBYTECODE"] == "1"
    with zipfile.ZipFile(runtime.task_zip) as zf:
        shipped = set(zf.namelist())
    emu = Emulator(runtime)
    tasks = []
    try:
        for _start in range(2):
            emu.start()
            inv = emu.invoke(EVENT)
            assert inv.http_status == 200, inv.body
            assert b'"total_events\\":1' in inv.body
            pid = emu.runtime_pid
            assert pid is not None
            assert emu.task is not None
            assert Path(f"/proc/{pid}/exe").resolve() == python.path.resolve()
            assert Path(f"/proc/{pid}/cwd").resolve() == emu.task.resolve()
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert f"LAMBDA_TASK_ROOT={emu.task}".encode() in environ
            wrapped = b"MALLOC_MMAP_THRESHOLD_=33554432" in environ  # the lean-wrapper ran
            assert wrapped == (lane is lanes.PYTHON_LEAN)
            written = {
                p.relative_to(emu.task).as_posix() for p in emu.task.rglob("*") if p.is_file()
            }
            assert written == shipped, "nothing written into the task folder at a cold start"
            tasks.append(emu.task)
            emu.stop()
            assert not tasks[-1].exists()
    finally:
        emu.stop()
    assert tasks[0] != tasks[1]  # afresh per start


@pytest.mark.usefixtures("ready")
def test_the_go_lane_takes_no_task_folder() -> None:
    try:
        runtime = runtimes.lane_runtime(lanes.GO, build=False)
    except ToolMissingError as exc:
        pytest.skip(f"needs the Go bootstrap: {exc}")
    assert runtime.task_zip is None
    assert runtime.python is None
    assert os.access(runtime.argv[0], os.X_OK)
