"""From a wheel, in a fresh virtualenv, in an empty folder outside the repository: `setup`, a
small `local` run, `package` and `micro` do their whole job, and the Python zip is the one a
checkout builds (the same SHA-256).

Slow (a wheel build, a pip install with pip's cache, a Go build: a couple of minutes on a cold
machine). Needs Go and the package indexes (PyPI, the Go module proxy), as CI has.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench.aws import package

if TYPE_CHECKING:
    from collections.abc import Mapping

ROOT = Path(__file__).resolve().parents[2]
ARCH: package.Arch = "x86_64"

pytestmark = [pytest.mark.slow, pytest.mark.go]


def run(argv: list[str], *, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    proc = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    assert proc.returncode == 0, f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("go") is None:
        pytest.skip("Go is not installed: the installed bench builds its tools with Go")
    dist = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)], cwd=dist)
    (built,) = dist.glob("telemetry_agg-*.whl")
    return built


@pytest.fixture(scope="module")
def bench(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The installed `telemetry-bench`, and an environment with its own cache and state and
    nothing of the repository's on PATH (go stays: the user's toolchain)."""
    home = tmp_path_factory.mktemp("user")
    venv = home / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=home)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "install", f"{wheel}[bench]"], cwd=home)
    go = Path(str(shutil.which("go"))).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEMETRY_", "VIRTUAL_ENV"))}
    env.update(
        PATH=os.pathsep.join([str(venv / "bin"), str(go), "/usr/bin", "/bin"]),
        TELEMETRY_AGG_CACHE=str(home / "cache"),  # XDG_CACHE_HOME stays: Go's build cache
        XDG_STATE_HOME=str(home / "state"),
        TERM="dumb",
        NO_COLOR="1",
    )
    return venv / "bin" / "telemetry-bench", env


def test_the_wheel_carries_the_go_sources_and_infra_only(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    data = [n for n in names if "/_data/" in n]
    assert "telemetry_agg/bench/_data/go/go.sum" in data
    assert "telemetry_agg/bench/_data/go/cmd/bootstrap/main.go" in data
    assert "telemetry_agg/bench/_data/infra/main.tf" in data
    assert not [n for n in data if n.endswith("_test.go") or "/testdata/" in n]
    assert not [n for n in data if "tfstate" in n or "/.terraform" in n or n.endswith(".zip")]
    assert all(n.startswith("telemetry_agg/bench/_data/") for n in data)


def test_setup_then_local_package_micro_from_an_empty_folder(
    bench: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    exe, env = bench
    cwd = tmp_path / "empty"
    cwd.mkdir()
    built = run([str(exe), "setup"], cwd=cwd, env=env)
    cache = Path(env["TELEMETRY_AGG_CACHE"])
    # emulator, Go CLI, the two Go bootstraps (cpu, store), Python runtime
    assert len(built.splitlines()) == 5
    assert all(Path(line.split("\t")[0]).is_relative_to(cache) for line in built.splitlines())

    args = ["local", "--sizes", "100,1000", "--cold", "2", "--warm", "10", "--output", "OUT"]
    run([str(exe), *args], cwd=cwd, env=env)
    results = json.loads((cwd / "OUT" / "results.json").read_text())
    assert results["complete"] is True
    lanes = {s["lane"] for s in results["series"]}
    assert {"python", "go"} <= lanes
    for series in results["series"]:
        assert len(series["samples"]) == 12, series["lane"]

    out = json.loads(run([str(exe), "package", "--arch", ARCH, "--json"], cwd=cwd, env=env))
    zips = {a["language"]: a for a in out["artifacts"]}
    assert set(zips) == {"python", "go"}
    assert all(Path(a["path"]).is_file() for a in zips.values())
    checkout = package.build_python_zip(ARCH, tmp_path / "checkout")
    assert zips["python"]["sha256"] == checkout.sha256
    store = ["package", "--arch", ARCH, "--only", "go", "--workload", "store", "--out-dir"]
    out = json.loads(run([str(exe), *store, str(tmp_path / "store"), "--json"], cwd=cwd, env=env))
    with zipfile.ZipFile(out["artifacts"][0]["path"]) as zf:  # the store's links the AWS SDK
        assert b"aws-sdk-go-v2/service/dynamodb" in zf.read("bootstrap")
    with zipfile.ZipFile(zips["go"]["path"]) as zf:
        assert b"aws-sdk-go-v2/service/dynamodb" not in zf.read("bootstrap")

    rows = json.loads(
        run([str(exe), "micro", "--sizes", "1000", "--repeat", "3", "--json"], cwd=cwd, env=env)
    )
    impls = {r["implementation"] for r in rows}
    assert "go" in impls
    assert {"python:reference", "python:msgspec", "python:orjson"} <= impls
    assert sorted(p.name for p in cwd.iterdir()) == ["OUT"]  # nothing else written here
