"""The Go bootstrap under the real Lambda Runtime Interface Emulator, on every shared vector.

This is the path Lambda takes: the runtime API hands the raw event bytes to lambda.Start, which
calls the handler. Every vector whose event fits Lambda's 6 MB invocation limit is sent, and
the response must match the vector's expect (tests/vectors/README.md), as `go test` checks
in process. Twice: the bootstrap built for this machine, and the arm64 Go zip that `deploy`
ships by default, run from its extracted zip through qemu-user (`qemu-aarch64-static`, Debian's
qemu-user-static) on an x86_64 machine: correctness only, never timed (skipped, saying why,
without qemu).
"""

from __future__ import annotations

import json
import platform
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from support import TIMING_KEYS, Vector, load_vectors
from telemetry_agg.bench.aws import package
from telemetry_agg.bench.local import runtimes, taskdir
from telemetry_agg.bench.local.emulator import Emulator, ToolMissingError
from telemetry_agg.bench.local.runtimes import go_runtime

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [pytest.mark.go, pytest.mark.emulator]

LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024


@pytest.fixture(scope="module")
def go_emulator() -> Iterator[Emulator]:
    try:
        runtime = go_runtime()
        emulator = Emulator(runtime)
        emulator.start()
    except ToolMissingError as exc:
        pytest.skip(f"the emulator or the Go bootstrap is missing ({exc}); run scripts/setup.sh")
    try:
        yield emulator
    finally:
        emulator.stop()


def raw_event(vector: Vector) -> bytes:
    if vector.event_file is not None:
        return vector.event_file.read_bytes()
    text: str = json.dumps(vector.inline_event)
    return text.encode()


@pytest.fixture(scope="module")
def arm64_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """The arm64 Go zip, extracted as its task folder, its bootstrap run by qemu-user."""
    native = platform.machine().lower() in {"aarch64", "arm64"}
    qemu = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    if not native and qemu is None:
        pytest.skip(
            "qemu-user (qemu-aarch64-static) is not installed, so the arm64 bootstrap cannot run "
            "on this machine: scripts/setup.sh installs qemu-user-static (as root, with apt-get)"
        )
    try:
        runtimes.rie_path()
        built = package.build_go_zip("arm64", tmp_path_factory.mktemp("go-arm64"))
    except (ToolMissingError, package.PackageError) as exc:
        pytest.skip(f"the emulator or the arm64 Go zip is missing ({exc}); run scripts/setup.sh")
    bootstrap = f"{taskdir.TASK}/bootstrap"
    runtime = runtimes.Runtime(
        lane="go",
        argv=[bootstrap] if native else [str(qemu), bootstrap],
        cwd=built.path.parent,
        env={"AWS_EXECUTION_ENV": "AWS_Lambda_provided.al2023"},
        task_zip=built.path,
    )
    emulator = Emulator(runtime, timeout_s=120, name="go-arm64")
    try:
        yield emulator.start()
    finally:
        emulator.stop()


def test_every_vector_through_the_emulator(go_emulator: Emulator) -> None:
    check_every_vector(go_emulator)


def test_every_vector_through_the_arm64_zip_under_qemu(arm64_emulator: Emulator) -> None:
    check_every_vector(arm64_emulator)
    pid = arm64_emulator.runtime_pid
    assert pid is not None
    assert arm64_emulator.task is not None
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert str(arm64_emulator.task / "bootstrap").encode() in argv  # the zip's, not build/'s


def check_every_vector(emulator: Emulator) -> None:
    """Every vector that fits Lambda's request limit gives its expected answer."""
    go_emulator = emulator
    checked = 0
    failures = []
    for vector in load_vectors():
        event = raw_event(vector)
        if len(event) > LAMBDA_PAYLOAD_LIMIT:
            continue
        invocation = go_emulator.invoke(event)
        assert invocation.error is None, (vector.name, invocation.error, go_emulator.output_tail())
        response = json.loads(invocation.body)
        expect = vector.expect
        body = json.loads(response["body"])
        ok = (
            set(response) == {"statusCode", "headers", "body"}
            and response["statusCode"] == expect["statusCode"]
            and all(response["headers"].get(k.lower()) == v for k, v in expect["headers"].items())
            and body["language"] == "go"
        )
        if expect["statusCode"] == 200:
            ok = ok and {k: v for k, v in body.items() if k not in TIMING_KEYS} == expect["body"]
        else:
            ok = ok and body["error"] == expect["body"]["error"] and bool(body["detail"])
        if not ok:
            failures.append((vector.name, response))
        checked += 1
    assert checked > 100
    assert not failures, failures[:3]
