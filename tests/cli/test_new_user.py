"""What a new user hit (issue 9's list): each answered by one line that names the option, the
exit code the README documents, and nothing started before the input is known to be good."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench import paths
from telemetry_agg.bench.model import payloads

if TYPE_CHECKING:
    import typer
    from typer.testing import CliRunner


@pytest.fixture
def no_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No emulator anywhere: a command that got as far as starting one would exit 3."""
    monkeypatch.setattr(paths, "project_root", lambda: tmp_path / "nowhere")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))


@pytest.mark.parametrize("sizes", ["", "1k,,2", "100,"])
@pytest.mark.parametrize("command", ["local", "remote", "gen", "micro"])
def test_empty_sizes_are_refused(
    app: typer.Typer, runner: CliRunner, command: str, sizes: str
) -> None:
    result = runner.invoke(app, [command, "--sizes", sizes])
    assert result.exit_code == 2, result.output
    assert "--sizes" in result.output
    assert "empty" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port-python", "-1"], "--port-python must be 0 (a free port) or 1 to 65535, not -1"),
        (["--port-go", "70000"], "--port-go must be 0 (a free port) or 1 to 65535, not 70000"),
        (
            ["--port-python", "9100", "--port-go", "9100"],
            "--port-python and --port-go are both 9100",
        ),
        (["--memory", "100"], "--memory must be 128 to 10240 MB"),
        (["--timeout", "0"], "--timeout must be 1 to 900 s"),
        (["--aggregator", "nope"], "--aggregator 'nope' is not installed"),
        (["--concurrency", "0"], "--concurrency must be 1 to 64"),
        (["--lanes", "rust"], "--lanes: no lane named 'rust'"),
    ],
)
def test_serve_checks_its_options_like_local(
    app: typer.Typer, runner: CliRunner, args: list[str], message: str, no_tools: None
) -> None:
    result = runner.invoke(app, ["serve", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) <= 2  # the error, and its hint at most


def _payload_dir(tmp_path: Path, content: bytes, size: int = 100) -> Path:
    folder = tmp_path / "payloads"
    folder.mkdir()
    (folder / payloads.payload_name(size)).write_bytes(content)
    return folder


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty; a payload file holds a JSON array of events"),
        (b"this is not json", "not JSON"),
        (b'{"events": []}', "a JSON dict, not an array of events"),
        (b"[]", "an empty array"),
    ],
)
def test_payload_files_are_checked_before_anything_starts(
    app: typer.Typer,
    runner: CliRunner,
    tmp_path: Path,
    content: bytes,
    message: str,
    no_tools: None,
) -> None:
    folder = _payload_dir(tmp_path, content)
    result = runner.invoke(app, ["local", "--sizes", "100", "--payloads", str(folder)])
    assert result.exit_code == 2, result.output  # not 3: nothing looked for the emulator
    assert "payload-100.json" in result.output
    assert message in result.output


def test_an_output_that_is_a_file_is_refused_first(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, no_tools: None
) -> None:
    blocker = tmp_path / "results.txt"
    blocker.write_text("a file")
    for output in (blocker, blocker / "run"):
        result = runner.invoke(app, ["local", "--sizes", "10", "-o", str(output)])
        assert result.exit_code == 2, result.output
        assert f"cannot write results to {output}" in result.output
        assert "is a file, not a folder" in result.output


def test_an_output_that_cannot_be_made_is_refused_first(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, no_tools: None
) -> None:
    target = tmp_path / "ro" / "run"
    target.parent.mkdir()
    target.parent.chmod(0o500)
    try:
        probe = target.parent / "probe"
        try:
            probe.mkdir()
        except PermissionError:
            pass
        else:
            probe.rmdir()
            pytest.skip("running as root: permissions do not stop writes here; /sys is tried")
    finally:
        target.parent.chmod(0o700)
    result = runner.invoke(app, ["local", "--sizes", "10", "-o", str(target)])
    assert result.exit_code == 2
    assert "cannot write results to" in result.output


def test_an_output_under_sys_is_refused_first(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, no_tools: None
) -> None:
    if not Path("/sys/kernel").is_dir():
        pytest.skip("no /sys here (not Linux, or not mounted)")
    result = runner.invoke(app, ["local", "--sizes", "10", "-o", "/sys/telemetry-bench-nope"])
    assert result.exit_code == 2, result.output
    assert "cannot write results to /sys/telemetry-bench-nope" in result.output


@pytest.mark.emulator
@pytest.mark.usefixtures("tools")
def test_a_payload_file_is_measured_at_the_size_it_holds(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    one = json.dumps(json.loads(payloads.payload(1))).encode()
    folder = _payload_dir(tmp_path, one)  # named payload-100.json, holds one event
    args = ["local", "-l", "go", "--sizes", "100", "--payloads", str(folder), "--cold", "1"]
    result = runner.invoke(app, [*args, "--warm", "1", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["summary"]
    assert row["size"] == 1
