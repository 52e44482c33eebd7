"""`telemetry-bench deploy` and `telemetry-bench destroy`: both functions on AWS, with Terraform.

deploy, in this order, so that the cheap checks fail first:

1. the region is one AWS knows (botocore's endpoint data);
2. terraform or tofu is installed (`terraform.find_binary`);
3. credentials from the standard AWS chain work (STS GetCallerIdentity);
4. `init` (downloads the aws provider);
5. `telemetry-bench package` builds the two zips (reproducible, so unchanged code is no change);
6. the variables are written to `infra/deploy.tfvars.json` (no credential is ever in it);
7. `plan -detailed-exitcode -out`: no changes ends here ("up to date"); otherwise the plan is
   shown, confirmed (or `--auto-approve`), and exactly that plan is applied;
8. the outputs are printed.

destroy reads the same variables file (so it targets the region that was deployed to, even after
an apply that failed halfway), plans the destruction of whatever the state holds, confirms and
applies it. It never needs the zips.

The state stays in `infra/terraform.tfstate` (git-ignored): deploy, destroy and `remote` share it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from telemetry_agg.bench import errors, paths
from telemetry_agg.bench.aws import package, terraform
from telemetry_agg.bench.aws.cold_options import ColdStartOptions
from telemetry_agg.bench.aws.credentials import (
    DEFAULT_LANES,
    Identity,
    check_concurrency,
    check_credentials,
    check_region,
    concurrency_problem,
    known_regions,
)
from telemetry_agg.bench.constants import MEMORY_MAX_MB, MEMORY_MIN_MB
from telemetry_agg.bench.errors import DeployError
from telemetry_agg.bench.model import lanes as lane_registry
from telemetry_agg.bench.model import workloads

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [  # deploy's API; the checks live in credentials.py
    "DEFAULT_LANES",
    "DeployError",
    "Identity",
    "Settings",
    "check_concurrency",
    "check_credentials",
    "check_region",
    "concurrency_problem",
    "deploy",
    "destroy",
    "known_regions",
    "read_vars",
    "write_vars",
]

VARS_FILE = "deploy.tfvars.json"
PLAN_FILE = Path(".terraform") / "telemetry-bench.tfplan"
INIT_TIMEOUT_S = 600.0

NONE_WARNING = (
    "WARNING: --auth NONE makes both Function URLs public and unauthenticated. Anyone who "
    "learns a URL can invoke the functions and run up your bill; the reserved concurrency "
    "caps how fast, not how long. Use it for a short benchmark only, then run "
    "`telemetry-bench destroy`."
)
INIT_HINT = (
    "`init` installs the aws provider (>= 6.29) from the provider registry, so it needs network "
    "access to it, or a provider mirror set in the CLI configuration file (TF_CLI_CONFIG_FILE, "
    "provider_installation). The output above names what failed."
)


# --- checks -----------------------------------------------------------------------------------


def check_same_region(region: str, directory: Path) -> None:
    """Refuse to move a live deployment to another region: Terraform would lose track of the
    functions in the old one (they would look deleted) and leave them running, out of reach of
    `destroy`."""
    if not state_has_resources(directory):
        return
    previous = (read_vars(directory) or {}).get("region") or region_from_state(directory)
    if previous and previous != region:
        raise DeployError(
            f"The current deployment is in {previous}; deploying to {region} would leave it "
            "running there, out of reach of `telemetry-bench destroy`.",
            f"Run `telemetry-bench destroy` first, or deploy with --region {previous}.",
        )


# --- variables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What deploy passes to infra/ (variables.tf), and nothing else."""

    region: str = "us-east-1"
    architecture: package.Arch = "arm64"
    memory_size: int = 512
    function_url_auth_type: str = "AWS_IAM"
    name_prefix: str = "telemetry-agg"
    reserved_concurrency: int = 25
    python_package_path: str = ""
    go_package_path: str = ""
    workload: str = "cpu"

    def check(self) -> None:
        """The rules of infra/variables.tf that a flag can break, before anything runs."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,48}", self.name_prefix):
            raise DeployError(
                f"--name-prefix {self.name_prefix!r} is not a valid name prefix.",
                "Use 1 to 48 letters, digits, hyphens or underscores.",
            )
        if self.reserved_concurrency == 0:
            raise DeployError(
                "--reserved-concurrency 0 would throttle every request.",
                "Use -1 to reserve none, or a number of at least 1.",
            )
        if not MEMORY_MIN_MB <= self.memory_size <= MEMORY_MAX_MB:
            raise DeployError(
                f"--memory {self.memory_size} is outside Lambda's range.",
                f"Use {MEMORY_MIN_MB} to {MEMORY_MAX_MB} (MB).",
            )
        if self.workload not in workloads.names():
            raise DeployError(
                f"--workload {self.workload!r} is not a workload.",
                "Use cpu (the default) or store (every summary written to DynamoDB).",
            )
        if self.function_url_auth_type not in ("AWS_IAM", "NONE"):
            raise DeployError(
                f"--auth {self.function_url_auth_type!r} is not a Function URL auth type.",
                "Use AWS_IAM (the default) or NONE.",
            )

    def to_tfvars(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "architecture": self.architecture,
            "memory_size": self.memory_size,
            "function_url_auth_type": self.function_url_auth_type,
            "name_prefix": self.name_prefix,
            "reserved_concurrency": self.reserved_concurrency,
            "python_package_path": self.python_package_path,
            "go_package_path": self.go_package_path,
            "workload": self.workload,
        }


def infra_takes_lanes(directory: Path) -> bool:
    """Whether this infra/ declares the `lanes` variable (any set of lanes, as data); without
    it, infra/ deploys the two functions python and go."""
    try:
        return 'variable "lanes"' in (directory / "variables.tf").read_text(encoding="utf-8")
    except OSError:
        return False


def lanes_tfvars(
    chosen: tuple[str, ...], directory: Path, cold: ColdStartOptions | None = None
) -> dict[str, Any]:
    """The `lanes` variable for the chosen lanes (from the registry), each with its cold-start
    option (`cold_options`), when infra/ takes it."""
    if infra_takes_lanes(directory):
        lanes = [lane_registry.get(name) for name in chosen]
        extra = (cold or ColdStartOptions()).per_lane(lanes)
        return {"lanes": {lane.name: lane.tfvars() | extra[lane.name] for lane in lanes}}
    if set(chosen) != set(DEFAULT_LANES):
        raise DeployError(
            f"this infra/ deploys the lanes {' and '.join(DEFAULT_LANES)} only, not "
            f"{', '.join(chosen)}: it has no `lanes` variable.",
            "Deploy every lane (drop --lanes), or update infra/.",
        )
    return {}


def write_vars(
    settings: Settings,
    directory: Path,
    lanes: tuple[str, ...] | dict[str, Any] | None = None,
    cold: ColdStartOptions | None = None,
) -> Path:
    """Write the variables file beside the state, where destroy finds it again. `lanes`: the
    lane names (built from the registry, with `cold`), or the `lanes` variable as written."""
    path = directory / VARS_FILE
    if isinstance(lanes, dict):
        extra: dict[str, Any] = {"lanes": lanes}
    else:
        extra = lanes_tfvars(lanes, directory, cold) if lanes is not None else {}
    text = json.dumps({**settings.to_tfvars(), **extra}, indent=2, sort_keys=True) + "\n"
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path


def read_vars(directory: Path) -> dict[str, Any] | None:
    """The variables of the last deploy, or None when there was none."""
    path = directory / VARS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DeployError(
            f"{path} is unreadable ({exc}).",
            "Delete it and pass --region to destroy, or rerun deploy with the same options.",
        ) from None
    return data if isinstance(data, dict) else None


def package_path_for_terraform(zip_path: Path, directory: Path) -> str:
    """The zip's path relative to the infra dir, so the state does not depend on where the
    checkout lives (a moved checkout stays "no changes")."""
    return os.path.relpath(zip_path.resolve(), directory.resolve())


def state_has_resources(directory: Path) -> bool:
    """Whether the local state holds anything to destroy (no state file: nothing)."""
    path = directory / "terraform.tfstate"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True  # unreadable: let terraform itself judge it
    return bool(isinstance(state, dict) and state.get("resources"))


_REGIONAL_ARN = re.compile(r"^arn:aws[a-z-]*:(?:lambda|logs):([a-z0-9-]+):")


def region_from_state(directory: Path) -> str | None:
    """The region a state's resources are in: its `region` output, else a regional ARN."""
    try:
        state = json.loads((directory / "terraform.tfstate").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    output = (state.get("outputs") or {}).get("region") or {}
    if isinstance(output, dict) and isinstance(output.get("value"), str):
        return str(output["value"])
    for resource in state.get("resources") or []:
        for instance in resource.get("instances") or [] if isinstance(resource, dict) else []:
            arn = (
                (instance.get("attributes") or {}).get("arn")
                if isinstance(instance, dict)
                else None
            )
            match = _REGIONAL_ARN.match(arn) if isinstance(arn, str) else None
            if match:
                return match.group(1)
    return None


# --- running terraform ------------------------------------------------------------------------


@dataclass
class TerraformRunner:
    """terraform/tofu in one infra dir, its output streamed to `on_line`."""

    binary: terraform.Binary
    directory: Path
    on_line: Callable[[str], None]
    env: Mapping[str, str] | None = None

    def init(self, timeout: float = INIT_TIMEOUT_S) -> None:
        terraform.check(
            self.binary,
            ["init", "-input=false", "-no-color"],
            what="init",
            hint=INIT_HINT,
            cwd=self.directory,
            env=self.env,
            timeout=timeout,
            on_line=self.on_line,
        )

    def plan(self, vars_file: Path, *, destroy: bool) -> bool:
        """Plan into PLAN_FILE; True when there is something to change."""
        args = ["plan", "-input=false", "-no-color", "-detailed-exitcode"]
        args += [f"-var-file={vars_file}", f"-out={PLAN_FILE}"]
        if destroy:
            args.append("-destroy")
        rc, _ = terraform.run(
            self.binary, args, cwd=self.directory, env=self.env, on_line=self.on_line
        )
        if rc == 0:
            return False
        if rc == 2:
            return True
        raise terraform.TerraformFailedError(
            f"`{self.binary.name} plan` failed (exit code {rc}).",
            "The output above says why: an invalid option value is named there; an AWS "
            "permission error names the action your identity lacks.",
            rc,
        )

    def apply(self, *, destroy: bool) -> None:
        terraform.check(
            self.binary,
            ["apply", "-input=false", "-no-color", str(PLAN_FILE)],
            what="apply",
            hint=(
                "Whatever was created is in the state: run `telemetry-bench destroy` to remove "
                "it, or fix the cause named above and rerun the same command."
                if not destroy
                else "Rerun `telemetry-bench destroy`: it removes whatever the state still holds."
            ),
            cwd=self.directory,
            env=self.env,
            on_line=self.on_line,
        )


def interactive() -> bool:
    """Whether a person can answer a question (stdin is a terminal)."""
    return sys.stdin.isatty()


def confirm(question: str, auto_approve: bool) -> bool:
    if auto_approve:
        return True
    if not interactive():
        raise DeployError(
            "No terminal to confirm the plan on.", "Review it above and rerun with --auto-approve."
        )
    return typer.confirm(question, default=False)


def stream_to(as_json: bool) -> Callable[[str], None]:
    """Terraform's lines go to stdout, or to stderr when stdout carries --json."""
    out = sys.stderr if as_json else sys.stdout

    def write(line: str) -> None:
        out.write(line)
        out.flush()

    return write


def say(message: str, *, color: str | None = None) -> None:
    typer.secho(message, err=True, fg=color, bold=color is None)


def interrupted() -> typer.Exit:
    say(
        "interrupted: terraform was stopped gracefully; the state holds whatever it created. "
        "Rerun the command to continue, or `telemetry-bench destroy` to clean up.",
        color="yellow",
    )
    return typer.Exit(errors.EXIT_INTERRUPTED)


# --- the commands -----------------------------------------------------------------------------


def deploy(
    settings: Settings,
    *,
    auto_approve: bool,
    as_json: bool,
    directory: Path | None = None,
    bootstrap: Path | None = None,
    out_dir: Path | None = None,
    lanes: tuple[str, ...] = DEFAULT_LANES,
    cold: ColdStartOptions | None = None,
) -> terraform.DeploymentOutputs | None:
    """Run deploy's steps (module docstring) for `lanes`, with the cold-start option `cold`;
    return the outputs, or None when declined."""
    where = terraform.working_dir(settings.name_prefix) if directory is None else directory
    cold = cold or ColdStartOptions()
    settings.check()
    cold.check(settings.reserved_concurrency)
    lanes_tfvars(lanes, where, cold)
    check_region(settings.region)
    check_same_region(settings.region, where)
    binary = terraform.find_binary()
    say(f"==> credentials (standard AWS chain), region {settings.region}")
    identity = check_credentials(settings.region)
    say(f"    account {identity.account}, as {identity.arn}")
    check_concurrency(settings, lanes, say, cold.provisioned_concurrency)
    for note in cold.notes([lane_registry.get(x) for x in lanes]):
        say(note)
    if settings.function_url_auth_type == "NONE":
        say(NONE_WARNING, color="yellow")
    runner = TerraformRunner(binary, where, stream_to(as_json))
    say(f"==> {binary.name} init in {where}")
    runner.init()
    say(f"==> packaging for {settings.architecture}")
    artifacts = package.build_with_progress(
        settings.architecture,
        paths.build_dir() if out_dir is None else out_dir,
        artifacts=tuple(dict.fromkeys(lane_registry.get(x).artifact for x in lanes)),
        bootstrap=bootstrap,
        go_build=workloads.get(settings.workload).go_build,  # the store's links the AWS SDK
    )
    for artifact in artifacts:
        say(f"    {artifact.path.name}: {package.human_size(artifact.size)}, {artifact.sha256}")
    zips = {
        f"{a.language}_package_path": package_path_for_terraform(a.path, where) for a in artifacts
    }
    final = Settings(**{**settings.to_tfvars(), **zips})
    vars_file = write_vars(final, where, lanes, cold)
    say(f"==> {binary.name} plan")
    if runner.plan(vars_file, destroy=False):
        if not confirm("Apply this plan?", auto_approve):
            say("Nothing applied.")
            return None
        say(f"==> {binary.name} apply")
        runner.apply(destroy=False)
    else:
        say("No changes: the deployment is up to date.")
    return terraform.read_outputs(where, binary)


def destroy(
    *,
    region: str | None,
    auto_approve: bool,
    as_json: bool,
    directory: Path | None = None,
    name: str = paths.DEFAULT_DEPLOYMENT,
) -> str:
    """Destroy whatever the state holds: "destroyed", "nothing" (to destroy) or "declined".

    The state is found where deploy left it: infra/ in a checkout, else the folder of the
    deployment `name` (deploy's --name-prefix) in the state folder (`paths.infra_dir`)."""
    where = terraform.infra_dir(name=name) if directory is None else directory
    if not state_has_resources(where):
        say(f"Nothing to destroy: no resources in the state in {where}.")
        return "nothing"
    known = {f.name for f in fields(Settings)}
    written = read_vars(where) or {}
    previous = {k: v for k, v in written.items() if k in known}
    # The lanes as deployed, options included: the plan validates them as deploy wrote them.
    lanes = written["lanes"] if isinstance(written.get("lanes"), dict) else None
    if region:
        previous["region"] = region
    elif "region" not in previous:
        found = region_from_state(where)
        if found is None:
            raise DeployError(
                f"There is a state in {where}, but neither it nor {VARS_FILE} says its region.",
                "Pass the region the deployment is in: telemetry-bench destroy --region REGION.",
            )
        say(f"    region {found}, read from the state ({VARS_FILE} is missing)")
        previous["region"] = found
    settings = Settings(**previous)
    check_region(settings.region)
    binary = terraform.find_binary()
    say(f"==> credentials (standard AWS chain), region {settings.region}")
    identity = check_credentials(settings.region)
    say(f"    account {identity.account}, as {identity.arn}")
    vars_file = write_vars(settings, where, lanes)
    runner = TerraformRunner(binary, where, stream_to(as_json))
    say(f"==> {binary.name} init in {where}")
    runner.init()
    say(f"==> {binary.name} plan -destroy")
    if not runner.plan(vars_file, destroy=True):
        say("Nothing to destroy.")
        return "nothing"
    if not confirm("Destroy all of the above?", auto_approve):
        say("Nothing destroyed.")
        return "declined"
    say(f"==> {binary.name} apply (destroy)")
    runner.apply(destroy=True)
    return "destroyed"
