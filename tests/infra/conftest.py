"""Fixtures for infra/, package, deploy and destroy: parsed HCL, moto in server mode, Go ELFs."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench.aws import package
from telemetry_agg.bench.local import pyruntime

from .support import (
    FAKE_KEY_ID,
    FAKE_SECRET,
    HELLO_GO,
    INFRA,
    Hcl,
    isolate_aws_config,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(scope="session")
def hcl() -> Hcl:
    return Hcl(INFRA)


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_aws_config(monkeypatch, tmp_path)


@pytest.fixture
def moto_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, moto_endpoint: str) -> str:
    """Fake keys, and every AWS call sent to the moto server (a real HTTP endpoint)."""
    isolate_aws_config(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    return moto_endpoint


@pytest.fixture(scope="session")
def bootstraps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny Go program built as `bootstrap` for both Lambda architectures: real ELF files."""
    if shutil.which("go") is None:
        pytest.skip("Go is not installed: the Go zip tests need real linux/arm64 and amd64 ELFs")
    src = tmp_path_factory.mktemp("hello")
    (src / "main.go").write_text(HELLO_GO, encoding="utf-8")
    (src / "go.mod").write_text("module hello\n\ngo 1.22\n", encoding="utf-8")
    built: dict[str, Path] = {}
    for arch, target in package.TARGETS.items():
        out = src / f"bootstrap-{target.goarch}"
        subprocess.run(
            ["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", str(out), "."],
            cwd=src,
            check=True,
            env={**os.environ, "GOOS": "linux", "GOARCH": target.goarch, "CGO_ENABLED": "0"},
            capture_output=True,
        )
        built[arch] = out
    return built


@pytest.fixture
def no_python(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Build as if no python3.12 were here: the interpreter to use is one that does not run."""
    monkeypatch.setenv(pyruntime.PYTHON_ENV, "/nonexistent/python3.12")
    pyruntime.find_python.cache_clear()
    yield
    pyruntime.find_python.cache_clear()
