"""`telemetry-bench package`: open the zips and check what is inside, and for which machine.

The Python zip tests fetch orjson and msgspec wheels for both Lambda architectures (PyPI, or the
index pip is configured with); pip's own cache makes later runs offline-fast. Each zip is built
once per session.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench.aws import package

from .support import ROOT

if TYPE_CHECKING:
    import typer
    from typer.testing import CliRunner

# e_machine of the ELF header (offset 18, little-endian for both targets), read independently of
# package.elf_machine so that a bug there cannot hide here.
ELF_MACHINES = {"arm64": 183, "x86_64": 62}
CLI_ONLY = ("typer", "rich", "boto3", "botocore", "click", "matplotlib", "awslambdaric")


def machine_of(data: bytes) -> int:
    assert data[:4] == b"\x7fELF", "not an ELF file"
    assert data[5] == 1, "not little-endian"
    return int.from_bytes(data[18:20], "little")


def entries(path: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: info for info in zf.infolist()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def python_zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The real Python zip for both architectures, from this checkout."""
    out = tmp_path_factory.mktemp("python-zips")
    return {arch: package.build_python_zip(arch, out).path for arch in package.ARCHES}


@pytest.mark.parametrize("arch", package.ARCHES)
def test_python_zip_holds_the_core_and_runtime_wheels_only(
    python_zips: dict[str, Path], arch: package.Arch
) -> None:
    names = entries(python_zips[arch])
    tops = {name.split("/", 1)[0] for name in names}
    assert "telemetry_agg/handler.py" in names
    assert "telemetry_agg/__init__.py" in names
    assert {"telemetry_agg", "orjson", "msgspec"} <= tops
    assert not [n for n in names if n.startswith("telemetry_agg/bench/")], "the CLI is packaged"
    for name in CLI_ONLY:
        assert name not in tops, f"{name} is a CLI dependency, not a runtime one"
        assert not [t for t in tops if t.lower().startswith(f"{name}-")], name
    # Byte-code only as the build compiles it (for CPython 3.12), never this checkout's.
    stale = [n for n in names if n.endswith((".pyc", ".pyo")) and ".cpython-312." not in n]
    assert not stale
    # Every module of the core (bench aside) is in the zip, byte for byte.
    core = ROOT / "src" / "telemetry_agg"
    for source in core.rglob("*.py"):
        rel = source.relative_to(core)
        if rel.parts[0] == "bench" or "__pycache__" in rel.parts:
            continue
        with zipfile.ZipFile(python_zips[arch]) as zf:
            assert zf.read(f"telemetry_agg/{rel.as_posix()}") == source.read_bytes()


@pytest.mark.parametrize("arch", package.ARCHES)
def test_python_zip_native_code_is_for_the_target(
    python_zips: dict[str, Path], arch: package.Arch
) -> None:
    machine = package.TARGETS[arch].machine
    with zipfile.ZipFile(python_zips[arch]) as zf:
        native = [n for n in zf.namelist() if n.endswith(".so")]
        assert {n.split("/", 1)[0] for n in native} == {"orjson", "msgspec"}
        for name in native:
            assert f"cpython-312-{machine}-linux-gnu" in name, name
            assert machine_of(zf.read(name)) == ELF_MACHINES[arch], name
        tags = [
            line
            for n in zf.namelist()
            if n.endswith(".dist-info/WHEEL")
            for line in zf.read(n).decode().splitlines()
            if line.startswith("Tag:")
        ]
    assert len(tags) >= 2
    for tag in tags:
        assert re.fullmatch(rf"Tag: cp312-cp312-manylinux.*_{machine}", tag), tag


def test_python_zip_pins_the_versions_tested_here(python_zips: dict[str, Path]) -> None:
    requirements = package.runtime_requirements()
    # From the installed metadata, extras left out: the same in a checkout and from a wheel.
    assert sorted(r.split("==")[0] for r in requirements) == ["msgspec", "orjson"]
    with zipfile.ZipFile(python_zips["arm64"]) as zf:
        dist_infos = {n.split("/", 1)[0] for n in zf.namelist() if ".dist-info/" in n}
    for requirement in requirements:
        name, version = requirement.split("==")
        assert f"{name}-{version}.dist-info" in dist_infos


def test_zip_entries_are_fixed_sorted_and_regular(python_zips: dict[str, Path]) -> None:
    infos = list(entries(python_zips["arm64"]).values())
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        mode = 0o755 if info.filename in package.EXECUTABLES else 0o644
        assert info.external_attr >> 16 == stat.S_IFREG | mode, info.filename
        assert not info.is_dir()
    names = {i.filename for i in infos}
    assert names >= package.EXECUTABLES  # the lean runtime's wrapper, executable


def test_python_zip_is_reproducible(
    python_zips: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    again = package.build_python_zip("arm64", tmp_path_factory.mktemp("again")).path
    assert sha256(again) == sha256(python_zips["arm64"])
    assert again.read_bytes() == python_zips["arm64"].read_bytes()


@pytest.mark.usefixtures("no_python")
def test_the_bench_and_byte_code_are_left_out(tmp_path: Path) -> None:
    """A stand-in checkout with a bench/ and stale byte-code: only the core is zipped (and,
    with no python3.12 to compile it, no byte-code at all, which the manifest says)."""
    src = tmp_path / "src" / "telemetry_agg"
    (src / "bench" / "__pycache__").mkdir(parents=True)
    (src / "__pycache__").mkdir()
    (src / "__init__.py").write_text("")
    (src / "handler.py").write_text("def handler(event, context): ...\n")
    (src / "bench" / "cli.py").write_text("import typer\n")
    (src / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\0")
    artifact = package.build_python_zip("arm64", tmp_path / "out", core=src, requirements=[])
    assert set(entries(artifact.path)) == {
        "telemetry_agg/__init__.py",
        "telemetry_agg/handler.py",
        "telemetry_agg/_build.json",
    }
    assert "no python3.12" in artifact.note


def test_no_handler_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "src" / "telemetry_agg").mkdir(parents=True)
    with pytest.raises(package.PackageError, match=r"handler\.py does not exist"):
        package.build_python_zip(
            "arm64", tmp_path / "out", core=tmp_path / "src" / "telemetry_agg", requirements=[]
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("arch", package.ARCHES)
def test_go_zip_holds_only_an_executable_bootstrap(
    bootstraps: dict[str, Path], tmp_path: Path, arch: package.Arch
) -> None:
    artifact = package.build_go_zip(arch, tmp_path, bootstrap=bootstraps[arch])
    (info,) = entries(artifact.path).values()
    assert info.filename == "bootstrap"
    assert info.external_attr >> 16 == stat.S_IFREG | 0o755
    assert info.date_time == (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(artifact.path) as zf:
        data = zf.read("bootstrap")
    assert data == bootstraps[arch].read_bytes()
    assert machine_of(data) == ELF_MACHINES[arch]
    assert artifact.size == artifact.path.stat().st_size
    assert artifact.sha256 == sha256(artifact.path)


def test_go_zip_is_reproducible(bootstraps: dict[str, Path], tmp_path: Path) -> None:
    one = package.build_go_zip("arm64", tmp_path / "one", bootstrap=bootstraps["arm64"])
    two = package.build_go_zip("arm64", tmp_path / "two", bootstrap=bootstraps["arm64"])
    assert one.sha256 == two.sha256


def test_a_bootstrap_for_the_wrong_machine_is_refused(
    bootstraps: dict[str, Path], tmp_path: Path
) -> None:
    with pytest.raises(
        package.PackageError, match=r"ELF machine 62, but arm64 needs ELF machine 183"
    ):
        package.build_go_zip("arm64", tmp_path, bootstrap=bootstraps["x86_64"])
    not_elf = tmp_path / "bootstrap"
    not_elf.write_text("#!/bin/sh\n")
    with pytest.raises(package.PackageError, match="not an ELF executable"):
        package.build_go_zip("x86_64", tmp_path, bootstrap=not_elf)
    assert not (tmp_path / "go-arm64.zip").exists()
    assert not (tmp_path / "go-x86_64.zip").exists()


@pytest.mark.go
@pytest.mark.slow
@pytest.mark.parametrize("arch", package.ARCHES)
def test_the_real_go_twin_is_built_for_the_target(tmp_path: Path, arch: package.Arch) -> None:
    if shutil.which("go") is None:
        pytest.skip("Go is not installed: the Go twin cannot be built here")
    artifact = package.build_go_zip(arch, tmp_path)
    with zipfile.ZipFile(artifact.path) as zf:
        assert machine_of(zf.read("bootstrap")) == ELF_MACHINES[arch]


def test_cli_prints_sizes_and_hashes_as_json(
    app: typer.Typer, runner: CliRunner, bootstraps: dict[str, Path], tmp_path: Path
) -> None:
    args = ["package", "--only", "go", "--arch", "x86_64", "--out-dir", str(tmp_path)]
    result = runner.invoke(app, [*args, "--bootstrap", str(bootstraps["x86_64"]), "--json"])
    assert result.exit_code == 0, result.output
    (artifact,) = json.loads(result.stdout)["artifacts"]
    assert artifact["language"] == "go"
    assert artifact["arch"] == "x86_64"
    assert artifact["sha256"] == sha256(tmp_path / "go-x86_64.zip")
    assert artifact["size"] == (tmp_path / "go-x86_64.zip").stat().st_size

    pretty = runner.invoke(app, [*args, "--bootstrap", str(bootstraps["x86_64"])])
    assert pretty.exit_code == 0, pretty.output
    assert artifact["sha256"] in pretty.stdout
    assert "KiB" in pretty.stdout or "MiB" in pretty.stdout


def test_cli_errors_say_what_to_do(
    app: typer.Typer, runner: CliRunner, bootstraps: dict[str, Path], tmp_path: Path
) -> None:
    bad_arch = runner.invoke(app, ["package", "--arch", "sparc"])
    assert bad_arch.exit_code == 2
    assert "arm64" in bad_arch.output
    assert "x86_64" in bad_arch.output
    x86 = bootstraps["x86_64"]
    wrong = runner.invoke(
        app,
        ["package", "--only", "go", "--out-dir", str(tmp_path), "--bootstrap", str(x86)],
    )
    assert wrong.exit_code == 1
    assert "GOARCH=arm64" in wrong.stderr
    missing = runner.invoke(app, ["package", "--only", "go", "--bootstrap", str(tmp_path / "nope")])
    assert missing.exit_code == 1
    assert "Cannot read the Go bootstrap" in missing.stderr


def test_an_unwritable_output_directory_is_a_clear_error(
    bootstraps: dict[str, Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(package.PackageError, match="Cannot write") as caught:
        package.build_go_zip("arm64", blocker / "build", bootstrap=bootstraps["arm64"])
    assert "--out-dir" in caught.value.hint


def test_architecture_names() -> None:
    assert package.as_arch("aarch64") == "arm64"
    assert package.as_arch("AMD64") == "x86_64"
    with pytest.raises(package.PackageError, match="Use arm64 or x86_64"):
        package.as_arch("mips")


def find_python312() -> str | None:
    """A working CPython 3.12 (the Lambda runtime's version) on this machine, if there is one
    (a pyenv shim on PATH may not work: each candidate is asked for its version)."""
    candidates = [shutil.which("python3.12"), "/usr/bin/python3.12"]
    candidates += [str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))]
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        if probe.stdout.strip() == "True":
            return candidate
    return None


@pytest.mark.slow
def test_the_python_zip_runs_on_its_own(python_zips: dict[str, Path], tmp_path: Path) -> None:
    """Unpacked alone (python -I -S: no site-packages), under CPython 3.12 like Lambda's python3.12:
    the handler imports and answers, so nothing it needs is missing from the zip."""
    host = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
    arch = host.get(platform.machine().lower())
    python = find_python312()
    if arch is None or python is None:
        pytest.skip("needs CPython 3.12 on an x86_64 or aarch64 host to run the Lambda zip")
    with zipfile.ZipFile(python_zips[arch]) as zf:
        zf.extractall(tmp_path / "task")
    event = {
        "requestContext": {"http": {"method": "POST"}},
        "body": json.dumps([{"endpoint": "/a", "status": 200, "user_id": "u1"}, {"status": 500}]),
        "isBase64Encoded": False,
    }
    script = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from telemetry_agg.handler import handler\n"
        "print(json.dumps(handler(json.loads(sys.argv[2]), None)))\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in "
        "('typer', 'rich', 'boto3', 'botocore', 'telemetry_agg.bench')]\n"
    )
    proc = subprocess.run(
        [python, "-I", "-S", "-c", script, str(tmp_path / "task"), json.dumps(event)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    response = json.loads(proc.stdout.strip().splitlines()[-1])
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["total_events"] == 2
    assert body["status_counts"] == {"200": 1, "500": 1}
