"""Fixtures for the lean runtime (telemetry_agg.runtime): a fake Runtime API in this process, and
the real emulator for the tests marked `emulator`.

`FakeRuntimeAPI` is an HTTP/1.1 server on 127.0.0.1 (a thread, always stopped) that hands out
queued events on GET next, records every POST, and counts the connections it accepted. When
its queue is empty it closes the connection without answering, as a Runtime API that went away:
the loop then ends with RuntimeAPIError, which is how a test lets `main()` return.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import pytest

# The emulator helper, imported here only (it may move: change this one line).
from telemetry_agg.bench.local import emulator as emulator_module
from telemetry_agg.bench.local import pyruntime, runtimes
from telemetry_agg.runtime.context import LambdaContext

from .support import FakeRuntimeAPI

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRuntimeAPI]:
    """A fake Runtime API, named by AWS_LAMBDA_RUNTIME_API; stopped even when the test fails."""
    api = FakeRuntimeAPI().start()
    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", api.address)
    monkeypatch.setattr(LambdaContext, "_environment", None)  # re-read the env per test
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def handler_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for test handler modules (their modules are forgotten after)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], "__file__", "") and str(tmp_path) in str(
            sys.modules[name].__file__
        ):
            del sys.modules[name]


# -- the real emulator -----------------------------------------------------------------------
@pytest.fixture(scope="session")
def rie() -> Any:
    """The emulator helper module; skips (saying what to run) when aws-lambda-rie is missing."""
    try:
        runtimes.rie_path()
    except emulator_module.ToolMissingError as exc:
        pytest.skip(f"needs the Lambda Runtime Interface Emulator: {exc}")
    return emulator_module


@pytest.fixture(scope="session")
def python_runtime_folder() -> None:
    """Skip (saying what to run) unless the Python runtime folder the set-up installs is here."""
    try:
        pyruntime.runtime_folder(pyruntime.runtime_python())
    except emulator_module.ToolMissingError as exc:
        pytest.skip(f"needs the Python runtime folder (awslambdaric): {exc}")
