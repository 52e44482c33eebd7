"""Terraform or OpenTofu: find the binary, run it with its output streamed, read the outputs.

Nothing here imports Typer or Rich, so `remote` and the tests can use it directly.

Finding the binary (`find_binary`), first match wins:

1. the `TELEMETRY_AGG_TERRAFORM` environment variable: a path, or a name looked up on `PATH`;
2. `terraform` on `PATH`;
3. `tofu` on `PATH`;
4. `.tools/bin/tofu` in the project, which `make setup` builds when neither is installed.

In a checkout, the configuration lives in `infra/` of the project (override:
`TELEMETRY_AGG_INFRA_DIR`); its state stays there too (`infra/terraform.tfstate`, git-ignored),
so `deploy`, `destroy` and `remote` all see the same deployment. Installed from a wheel, each
deployment (named by deploy's `--name-prefix`) has its own working folder,
`$XDG_STATE_HOME/telemetry-agg/deployments/<name>/` (`working_dir`): a copy of the packaged
infra/ refreshed by every deploy, and its state, which survives upgrades.

Reading what is deployed, for `telemetry-bench remote`::

    from telemetry_agg.bench.aws import terraform
    out = terraform.read_outputs()        # raises terraform.TerraformError with a hint
    out["python_function_url"], out["go_function_url"], out["region"], ...
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, cast

from telemetry_agg.bench import paths
from telemetry_agg.bench.errors import BenchError, DeploymentMissingError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

ENV_BINARY = "TELEMETRY_AGG_TERRAFORM"
ENV_INFRA_DIR = "TELEMETRY_AGG_INFRA_DIR"
BINARY_NAMES = ("terraform", "tofu")

INSTALL_HINT = (
    "Install Terraform (>= 1.5) or OpenTofu (>= 1.6) and put it on PATH, or, in a checkout, run "
    "`make setup`, which builds OpenTofu into .tools/bin/tofu when neither is installed. To use "
    f"a binary elsewhere, set {ENV_BINARY}=/path/to/terraform."
)


class DeploymentOutputs(TypedDict):
    """The outputs of `infra/` (see infra/outputs.tf): what is deployed and where."""

    python_function_url: str
    go_function_url: str
    python_function_name: str
    go_function_name: str
    python_log_group_name: str
    go_log_group_name: str
    region: str
    architecture: str
    memory_size: int
    auth_type: str
    # Per lane (an infra/ with the `lanes` variable): {lane: {function_url, function_name,
    # log_group_name, ...}}; the per-language outputs above may then be null.
    # Each lane's entry also says which version it serves and how: `alias` (`live`, or null on
    # $LATEST), `version`, `runtime`, `architecture`, `snapstart`, `provisioned_concurrency`.
    lanes: NotRequired[dict[str, dict[str, Any]]]
    # The workload (`cpu` or `store`) and, with `store`, the DynamoDB table (else null).
    workload: NotRequired[str]
    table_name: NotRequired[str | None]


OPTIONAL_OUTPUTS = ("lanes", "workload", "table_name")
OUTPUT_NAMES: tuple[str, ...] = tuple(
    n for n in DeploymentOutputs.__annotations__ if n not in OPTIONAL_OUTPUTS
)
REQUIRED_OUTPUTS = ("region", "architecture", "memory_size", "auth_type")


class TerraformError(BenchError):
    """Anything that went wrong around Terraform; `hint` says what to do next."""


class TerraformNotFoundError(TerraformError):
    """Neither terraform nor tofu could be found."""


class TerraformFailedError(TerraformError):
    """The binary ran and exited non-zero."""

    def __init__(self, message: str, hint: str, returncode: int) -> None:
        super().__init__(message, hint)
        self.returncode = returncode


@dataclass(frozen=True)
class Binary:
    """A Terraform-compatible binary: `name` is `terraform` or `tofu` (what it calls itself)."""

    path: Path
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.path})"


def infra_dir(env: Mapping[str, str] | None = None, name: str = paths.DEFAULT_DEPLOYMENT) -> Path:
    """Where Terraform runs for deployment `name` and its state lives (`paths.infra_dir`)."""
    environ = os.environ if env is None else env
    override = environ.get(ENV_INFRA_DIR)
    return Path(override).resolve() if override else paths.infra_dir(name)


def working_dir(name: str = paths.DEFAULT_DEPLOYMENT, env: Mapping[str, str] | None = None) -> Path:
    """deploy's folder for deployment `name`, ready for `init`.

    In a checkout (or with TELEMETRY_AGG_INFRA_DIR) that is infra/ as it is. Installed, it is
    the deployment's folder in the state folder, with the packaged .tf files copied in anew
    (each through a temporary name; ones the package no longer has are removed), while the
    state, the variables of the last deploy and `.terraform/` stay: they survive upgrades.
    """
    where = infra_dir(env, name)
    environ = os.environ if env is None else env
    if environ.get(ENV_INFRA_DIR) or paths.in_checkout():
        return where
    source = paths.infra_source()
    shipped = {tf.name: tf for tf in source.glob("*.tf")}
    try:
        where.mkdir(parents=True, exist_ok=True)
        for old in where.glob("*.tf"):
            if old.name not in shipped:
                old.unlink()
        for tf_name, tf in shipped.items():
            partial = where / f".{tf_name}.partial"
            shutil.copyfile(tf, partial)
            partial.replace(where / tf_name)
    except OSError as exc:
        raise TerraformError(
            f"cannot prepare the deployment folder {where} ({exc.strerror or exc}).",
            "Make it writable (it lives under $XDG_STATE_HOME, default ~/.local/state), or set "
            f"{ENV_INFRA_DIR} to a writable folder holding a copy of infra/.",
        ) from None
    return where


def _flavour(path: Path) -> str:
    return "tofu" if "tofu" in path.name else "terraform"


def find_binary(env: Mapping[str, str] | None = None, root: Path | None = None) -> Binary:
    """Find terraform or tofu (order in the module docstring); raise TerraformNotFoundError."""
    environ = os.environ if env is None else env
    search_path = environ.get("PATH", os.defpath)
    explicit = environ.get(ENV_BINARY)
    if explicit:
        found = shutil.which(explicit, path=search_path)
        if found is None:
            raise TerraformNotFoundError(
                f"{ENV_BINARY}={explicit} is not an executable file nor a command on PATH.",
                f"Point {ENV_BINARY} at a terraform or tofu binary, or unset it. {INSTALL_HINT}",
            )
        return Binary(Path(found), _flavour(Path(found)))
    for name in BINARY_NAMES:
        found = shutil.which(name, path=search_path)
        if found is not None:
            return Binary(Path(found), name)
    bundled = (paths.project_root() if root is None else root) / ".tools" / "bin" / "tofu"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return Binary(bundled, "tofu")
    raise TerraformNotFoundError("Neither terraform nor tofu is installed.", INSTALL_HINT)


def terraform_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the binary: no prompts, no colour escapes, no update checks.

    The AWS credentials reach it through the inherited environment and the standard files;
    we never copy them anywhere.
    """
    env = dict(os.environ if base is None else base)
    env.setdefault("TF_IN_AUTOMATION", "1")
    env.setdefault("TF_INPUT", "0")
    env.setdefault("CHECKPOINT_DISABLE", "1")
    return env


def _print_line(line: str) -> None:
    sys.stdout.write(line)
    sys.stdout.flush()


def run(
    binary: Binary,
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    on_line: Callable[[str], None] | None = _print_line,
) -> tuple[int, str]:
    """Run `binary -chdir=cwd args...`, stream each output line to `on_line`, return (rc, output).

    Pass `-no-color` in `args` where the subcommand takes it (init, apply, destroy, output).

    stdout and stderr are merged, so the streamed lines keep their order. On Ctrl-C the binary
    gets the signal too (same process group) and stops gracefully; we wait for it (then kill it
    after 60 s) and re-raise, so no child is left behind. A timeout kills it and returns 124.
    """
    directory = infra_dir() if cwd is None else cwd
    command = [str(binary.path), f"-chdir={directory}", *args]
    lines: list[str] = []
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=terraform_env(env),
        )
    except OSError as exc:
        raise TerraformError(
            f"Could not run {binary.path} ({exc.strerror}).",
            f"Check that it is a terraform or tofu binary for this machine. {INSTALL_HINT}",
        ) from None
    with proc:
        timer = None
        if timeout is not None:
            import threading  # noqa: PLC0415 - only when a timeout is asked for

            timer = threading.Timer(timeout, proc.kill)
            timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if on_line is not None:
                    on_line(line)
            rc = proc.wait()
        except KeyboardInterrupt:
            _stop(proc)
            raise
        finally:
            if timer is not None:
                timer.cancel()
    if timeout is not None and rc == -signal.SIGKILL:
        note = f"\n{binary.name} did not finish within {timeout:g} s and was stopped.\n"
        lines.append(note)
        if on_line is not None:
            on_line(note)
        rc = 124
    return rc, "".join(lines)


def _stop(proc: subprocess.Popen[str]) -> None:
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    except KeyboardInterrupt:
        proc.kill()
        proc.wait()


def check(
    binary: Binary,
    args: Sequence[str],
    *,
    what: str,
    hint: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    on_line: Callable[[str], None] | None = _print_line,
) -> str:
    """`run`; a non-zero exit raises TerraformFailedError naming `what` and carrying `hint`."""
    rc, output = run(binary, args, cwd=cwd, env=env, timeout=timeout, on_line=on_line)
    if rc != 0:
        raise TerraformFailedError(f"`{binary.name} {what}` failed (exit code {rc}).", hint, rc)
    return output


def read_outputs(
    directory: Path | None = None,
    binary: Binary | None = None,
    env: Mapping[str, str] | None = None,
) -> DeploymentOutputs:
    """The deployment's outputs as a dict (keys: `OUTPUT_NAMES`), from `terraform output -json`.

    Raises TerraformError when there is no deployment or an output is missing.
    """
    found = find_binary(env) if binary is None else binary
    where = infra_dir(env) if directory is None else directory
    # stdout alone: the binary's warnings (on stderr) must not be mixed into the JSON.
    try:
        proc = subprocess.run(
            [str(found.path), f"-chdir={where}", "output", "-json", "-no-color"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            env=terraform_env(env),
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TerraformError(
            f"Could not run `{found.name} output -json` ({exc}).",
            f"Check that {found.path} works (`{found.name} version`). {INSTALL_HINT}",
        ) from None
    if proc.returncode != 0:
        raise TerraformFailedError(
            f"`{found.name} output -json` failed (exit code {proc.returncode}): "
            f"{proc.stderr.strip()[-2000:]}",
            f"Is there a deployment? Run `telemetry-bench deploy` first (state in {where}).",
            proc.returncode,
        )
    text = proc.stdout
    return parse_outputs(text, where)


def parse_outputs(text: str, where: Path) -> DeploymentOutputs:
    """Turn `terraform output -json` text into DeploymentOutputs, or raise TerraformError."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise TerraformError(
            f"`terraform output -json` printed something that is not JSON ({exc}).",
            "Run it by hand in infra/ to see what it says.",
        ) from exc
    if not isinstance(raw, dict) or not raw:
        raise TerraformError(
            f"There is no deployment: the state in {where} has no outputs.",
            "Run `telemetry-bench deploy` first.",
        )
    values: dict[str, Any] = {
        name: entry.get("value") if isinstance(entry, dict) else None for name, entry in raw.items()
    }
    by_lane = values.get("lanes") if isinstance(values.get("lanes"), dict) else None
    missing = [
        name
        for name in OUTPUT_NAMES
        if values.get(name) in (None, "") and (by_lane is None or name in REQUIRED_OUTPUTS)
    ]
    if missing:
        raise TerraformError(
            f"The deployment in {where} lacks the outputs {', '.join(missing)}.",
            "It may be from an older version or a failed apply: run `telemetry-bench deploy`.",
        )
    out = {name: values.get(name) for name in OUTPUT_NAMES}
    if by_lane is not None:
        out["lanes"] = by_lane
    if isinstance(values.get("workload"), str):
        out["workload"] = values["workload"]
        out["table_name"] = values.get("table_name")
    return cast("DeploymentOutputs", out)


def deployment_outputs(name: str = paths.DEFAULT_DEPLOYMENT) -> Callable[[], DeploymentOutputs]:
    """What reads deployment `name`'s outputs (deploy's --name-prefix; a checkout has one
    deployment, infra/). DeploymentMissingError at once when it does not exist, naming those
    that do."""
    where = infra_dir(name=name)
    if not where.is_dir():
        made = sorted(p.name for p in where.parent.glob("*") if p.is_dir())
        raise DeploymentMissingError(
            f"no deployment named {name!r}: {where} does not exist",
            (f"Deployments here: {', '.join(made)}; pass --name-prefix NAME. " if made else "")
            + f"Deploy with `telemetry-bench deploy --name-prefix {name}`.",
        )
    return functools.partial(read_outputs, directory=where)
