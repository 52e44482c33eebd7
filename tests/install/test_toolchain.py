"""Where the bench's tools live (checkout or installed) and how `setup` builds them: atomically,
once per source change, with one-line errors for no Go, no module proxy, an unwritable cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from telemetry_agg.bench import paths, toolchain
from telemetry_agg.bench.aws import terraform
from telemetry_agg.bench.constants import RIE_VERSION
from telemetry_agg.bench.errors import BenchError, ToolMissingError
from telemetry_agg.bench.local import pyruntime

from .support import go_calls, leftovers

if TYPE_CHECKING:
    import typer
    from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
CLI, BOOTSTRAP, BOOTSTRAP_STORE = toolchain.host_builds()


# --- where things live ------------------------------------------------------------------------


def test_a_checkout_is_told_from_the_package_location() -> None:
    assert paths.checkout_root() == ROOT
    assert paths.tools_bin() == ROOT / ".tools" / "bin"
    assert paths.build_dir() == ROOT / "build"
    assert paths.go_dir() == ROOT / "go"
    assert paths.infra_dir("anything") == ROOT / "infra"


def test_the_checkout_is_not_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    (tmp_path / "scripts").mkdir()
    monkeypatch.chdir(tmp_path)
    assert paths.checkout_root() == ROOT


def test_installed_the_cache_is_per_user_and_per_version(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = paths.package_version()
    assert paths.build_dir() == installed / "cache" / version / "build"
    assert paths.tools_bin() == installed / "cache" / version / "bin"
    assert paths.go_dir() == installed / "data" / "go"
    monkeypatch.setattr(paths, "package_version", lambda: "99.0")
    assert paths.build_dir() == installed / "cache" / "99.0" / "build"  # an upgrade rebuilds
    monkeypatch.delenv(paths.ENV_CACHE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(installed / "xdg"))
    assert paths.cache_dir() == installed / "xdg" / "telemetry-agg" / "99.0"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: absolute only
    assert paths.cache_dir() == Path.home() / ".cache" / "telemetry-agg" / "99.0"


def test_installed_deployments_live_in_the_state_folder(installed: Path) -> None:
    where = paths.infra_dir("mine")
    assert where == installed / "state" / "telemetry-agg" / "deployments" / "mine"
    assert paths.cache_dir() not in where.parents


def test_deploy_copies_the_tf_files_anew_and_keeps_the_state(installed: Path) -> None:
    where = paths.deployment_dir("mine")
    where.mkdir(parents=True)
    (where / "main.tf").write_text("# main v1\n")
    (where / "gone.tf").write_text("# a file the package no longer has\n")
    (where / "terraform.tfstate").write_text('{"resources": [1]}')
    (where / "deploy.tfvars.json").write_text('{"region": "eu-west-1"}')
    assert terraform.working_dir("mine") == where
    assert (where / "main.tf").read_text() == "# main v2\n"
    assert (where / "outputs.tf").read_text() == "# outputs v2\n"
    assert not (where / "gone.tf").exists()
    assert (where / "terraform.tfstate").read_text() == '{"resources": [1]}'
    assert json.loads((where / "deploy.tfvars.json").read_text()) == {"region": "eu-west-1"}
    assert leftovers(where) == []
    assert terraform.infra_dir(name="mine") == where  # where destroy and remote look


def test_in_a_checkout_deploy_runs_in_infra_as_it_is() -> None:
    assert terraform.working_dir("mine", env={}) == ROOT / "infra"


# --- building ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("installed")
def test_a_go_build_is_renamed_into_place_and_not_redone(fake_go: Path) -> None:
    out = toolchain.ensure_go(CLI, lambda _m: None)
    assert out == paths.build_dir() / "telemetry-agg"
    assert out.read_bytes() == b"\x7fELF complete build"
    assert len(go_calls(fake_go)) == 1
    assert "-o" in go_calls(fake_go)[0]
    assert str(out) not in go_calls(fake_go)[0].split()  # built under another name
    toolchain.ensure_go(CLI, lambda _m: None)
    assert len(go_calls(fake_go)) == 1  # up to date: not rebuilt
    (paths.go_dir() / "cmd" / "telemetry-agg" / "main.go").write_text("package main\n// v2\n")
    toolchain.ensure_go(CLI, lambda _m: None)
    assert len(go_calls(fake_go)) == 2  # a source changed: rebuilt
    assert leftovers(paths.build_dir()) == []


@pytest.mark.usefixtures("installed")
def test_a_failed_build_leaves_nothing_to_mistake_for_a_good_one(
    fake_go: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_GO_MODE", "fail")
    with pytest.raises(BenchError, match="syntax error"):
        toolchain.ensure_go(BOOTSTRAP, lambda _m: None)
    out = paths.build_dir() / BOOTSTRAP.output
    assert not out.exists()
    assert leftovers(paths.build_dir()) == []
    # A binary from an interrupted older build (no stamp beside it) is rebuilt, not trusted.
    out.write_bytes(b"\x7fELF half")
    monkeypatch.setenv("FAKE_GO_MODE", "ok")
    toolchain.ensure_go(BOOTSTRAP, lambda _m: None)
    assert out.read_bytes() == b"\x7fELF complete build"
    assert len(go_calls(fake_go)) == 2


@pytest.mark.usefixtures("installed")
def test_each_workload_has_its_own_bootstrap_tags_and_stamp(fake_go: Path) -> None:
    cpu = toolchain.ensure_go(BOOTSTRAP, lambda _m: None)
    store = toolchain.ensure_go(BOOTSTRAP_STORE, lambda _m: None)
    assert (cpu.name, store.name) == ("bootstrap", "bootstrap-store")
    calls = go_calls(fake_go)
    assert "-tags lambda.norpc,nostore " in calls[0]  # the CPU workload: no AWS SDK
    assert "-tags lambda.norpc " in calls[1]  # the stored workload links aws-sdk-go-v2
    stamps = [p.with_name(p.name + ".inputs").read_text() for p in (cpu, store)]
    assert "nostore" in stamps[0]
    assert "nostore" not in stamps[1]
    toolchain.ensure_go(BOOTSTRAP_STORE, lambda _m: None)
    assert len(go_calls(fake_go)) == 2  # each stamp matches its own build: nothing redone
    assert leftovers(paths.build_dir()) == []


@pytest.mark.parametrize(
    ("args", "outputs"),
    [
        (["host"], ["telemetry-agg", BOOTSTRAP.output, BOOTSTRAP_STORE.output]),
        (["host", "store"], ["telemetry-agg", BOOTSTRAP_STORE.output]),
        (["lambda", "arm64"], ["linux_arm64/bootstrap"]),
        (["lambda", "amd64", "store"], ["linux_amd64/bootstrap-store"]),
    ],
)
def test_build_go_sh_arguments_choose_the_builds(args: list[str], outputs: list[str]) -> None:
    assert [b.output for b in toolchain.chosen_builds(args)] == outputs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lambda", "arm64", "disk"], "unknown workload 'disk'; use cpu or store"),
        (["lambda", "s390x"], "unknown architecture 's390x'; use arm64 or amd64"),
        (["host", "cpu", "store"], "usage: build-go.sh host"),
        (["cross"], "usage: build-go.sh host"),
    ],
)
def test_build_go_sh_refuses_bad_arguments_with_64(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert toolchain.main(args) == 64
    assert message in capsys.readouterr().err


@pytest.mark.usefixtures("installed")
def test_the_emulator_is_built_at_the_pin_into_the_cache(
    fake_go: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_GO_MODE", "fail")
    with pytest.raises(BenchError):
        toolchain.ensure_rie(lambda _m: None)
    assert not (paths.tools_bin() / "aws-lambda-rie").exists()
    assert not paths.tools_file("rie.version").exists()
    assert leftovers(paths.cache_dir()) == []
    monkeypatch.setenv("FAKE_GO_MODE", "ok")
    messages: list[str] = []
    rie = toolchain.ensure_rie(messages.append)
    assert rie == paths.tools_bin() / "aws-lambda-rie"
    assert rie.read_bytes() == b"\x7fELF complete build"
    assert paths.tools_file("rie.version").read_text().strip() == RIE_VERSION
    assert go_calls(fake_go)[-1].endswith(f"@{RIE_VERSION}")
    assert messages == [
        f"building aws-lambda-rie {RIE_VERSION} from its Go module into {rie.parent}"
    ]
    toolchain.ensure_rie(lambda _m: None, pinned=True)
    assert len(go_calls(fake_go)) == 2  # at the pin: not rebuilt


# --- the command and its errors ---------------------------------------------------------------


@pytest.mark.usefixtures("installed", "fake_go")
def test_setup_builds_everything_and_says_where(
    app: typer.Typer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime_folders: list[Path] = []

    def ensure_runtime(python: pyruntime.Interpreter) -> Path:  # pip is the lanes' tests' part
        folder = paths.python_runtime_dir(python.minor)
        folder.mkdir(parents=True)
        runtime_folders.append(folder)
        return folder

    monkeypatch.setattr(pyruntime, "ensure_runtime", ensure_runtime)
    result = runner.invoke(app, ["setup"])
    assert result.exit_code == 0, result.output
    built = [Path(line.split("\t")[0]) for line in result.stdout.splitlines()]
    assert built == [
        paths.tools_bin() / "aws-lambda-rie",
        paths.build_dir() / "telemetry-agg",
        paths.build_dir() / BOOTSTRAP.output,
        paths.build_dir() / BOOTSTRAP_STORE.output,
        *runtime_folders,
    ]
    assert all(path.exists() for path in built)
    assert all(path.is_relative_to(paths.cache_dir()) for path in built)
    assert "building" in result.stderr
    assert "installing the Python" in result.stderr


def one_line(output: str) -> str:
    """The error, which must be one line (the progress lines before it aside)."""
    lines = [x for x in output.strip().splitlines() if not x.startswith("telemetry-bench: ")]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.usefixtures("installed")
def test_without_go_setup_exits_3_saying_what_to_install(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = runner.invoke(app, ["setup"])
    assert result.exit_code == 3
    line = one_line(result.output)
    assert "install Go 1.26 or newer (https://go.dev/doc/install)" in line
    assert not paths.cache_dir().exists()


@pytest.mark.usefixtures("installed", "fake_go")
def test_without_the_module_proxy_setup_says_so_in_one_line(
    app: typer.Typer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_GO_MODE", "offline")
    result = runner.invoke(app, ["setup"])
    assert result.exit_code == 1
    line = one_line(result.output)
    assert "could not download modules" in line
    assert "GOPROXY" in line
    assert not (paths.tools_bin() / "aws-lambda-rie").exists()
    assert leftovers(paths.cache_dir()) == []


@pytest.mark.usefixtures("installed", "fake_go")
def test_an_unwritable_cache_names_the_variable(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(paths.ENV_CACHE, str(blocker))
    result = runner.invoke(app, ["setup"])
    assert result.exit_code == 1
    line = one_line(result.output)
    assert str(blocker) in line
    assert f"set {paths.ENV_CACHE} to a writable folder" in line


@pytest.mark.usefixtures("installed")
def test_micro_without_go_measures_python_and_says_how_to_add_go(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = runner.invoke(app, ["micro", "--sizes", "20", "--repeat", "2", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["implementation"] for r in rows} >= {"python:reference", "python:msgspec"}
    assert "go" not in {r["implementation"] for r in rows}
    assert "install Go" in result.stderr
    assert "telemetry-bench setup" in result.stderr


def test_missing_tool_errors_are_tool_missing() -> None:
    assert isinstance(toolchain.go_missing("x"), ToolMissingError)
