"""Fixtures for the installed case: a stand-in package data folder, a fake `go` on PATH."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench import paths

from .support import FAKE_GO

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the bench as if installed from a wheel: package data in `tmp_path/data` (a tiny Go
    module and two .tf files), the cache in `tmp_path/cache`, the state in `tmp_path/state`."""
    data = tmp_path / "data"
    (data / "go" / "cmd" / "bootstrap").mkdir(parents=True)
    (data / "go" / "cmd" / "telemetry-agg").mkdir(parents=True)
    (data / "go" / "go.mod").write_text("module example.com/fake\n\ngo 1.26\n")
    for cmd in ("bootstrap", "telemetry-agg"):
        (data / "go" / "cmd" / cmd / "main.go").write_text("package main\n\nfunc main() {}\n")
    (data / "infra").mkdir()
    (data / "infra" / "main.tf").write_text("# main v2\n")
    (data / "infra" / "outputs.tf").write_text("# outputs v2\n")
    monkeypatch.setattr(paths, "checkout_root", lambda: None)
    monkeypatch.setattr(paths, "data_dir", lambda: data)
    monkeypatch.setenv(paths.ENV_CACHE, str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv(paths.RUNTIME_DIR_ENV, raising=False)
    return tmp_path


@pytest.fixture
def fake_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `go` that logs its arguments to `go.log` and does what FAKE_GO_MODE says (support.py);
    PATH holds it and nothing else of the machine's (so neither the real Go nor an emulator)."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    script = bin_dir / "go"
    script.write_text(FAKE_GO.format(python=sys.executable, log=tmp_path / "go.log"))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_GO_MODE", "ok")
    assert shutil.which("go") == str(script)
    assert os.access(script, os.X_OK)
    return tmp_path / "go.log"
