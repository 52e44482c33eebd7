"""The lanes: what the bench measures, as data. One lane is one function (one zip, one runtime,
one way to start it); local, serve, remote, deploy, package, the results, the tables and the chart
all take any set of them, by name, and know nothing of a lane beyond this record.

Adding a lane is one entry in `REGISTRY`, as the lean Python runtime loop (`PYTHON_LEAN`) is,
and it gets `--lanes python-lean`, `serve --port-python-lean`, `remote --python-lean-url` (and
its function and log group), a function in `deploy`, a row in every table and a line in the
chart, with no other change.

`local_argv` and `local_env` placeholders: `{python}` the runtime's Python (python3.12 where one
is installed, else the interpreter running the bench; `local/pyruntime.py`), `{runtime}` that
Python's runtime folder (awslambdaric, boto3: Lambda's /var/runtime), `{task}` the task folder
(the lane's zip, built for this machine and extracted afresh at each environment start;
`local/taskdir.py`), `{handler}` the lane's handler, `{bootstrap}` the Go bootstrap built for
this machine (build/linux_<arch>/bootstrap).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from telemetry_agg.bench.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

AGGREGATOR_ENV = "TELEMETRY_AGG_AGGREGATOR"


@dataclass(frozen=True)
class Lane:
    """One function the bench measures."""

    name: str  # lower-case letters, digits, hyphens: `--lanes`, results.json, <prefix>-<name>
    language: str  # python or go: what `--language` selects
    display: str  # in tables and the chart
    runtime: str  # the Lambda runtime: python3.12, provided.al2023
    artifact: str  # which zip: build/<artifact>-<arch>.zip (`package --only`)
    handler: str  # the Lambda handler setting
    local_argv: tuple[str, ...]  # how the emulator starts it here (placeholders above)
    environment: Mapping[str, str] = field(default_factory=dict)  # set on AWS
    local_env: Mapping[str, str] = field(default_factory=dict)  # set under the emulator
    aggregator: str | None = None  # what it always runs; None: `--aggregator` chooses

    @property
    def key(self) -> str:
        """The name as an identifier: option and Terraform output names (`python_lean_url`)."""
        return self.name.replace("-", "_")

    @property
    def option(self) -> str:
        """The name in an option: `--port-python-lean`, `--python-lean-url`."""
        return self.name

    @property
    def takes_aggregator(self) -> bool:
        """Whether `--aggregator` (TELEMETRY_AGG_AGGREGATOR) applies to this lane."""
        return self.aggregator is None

    @property
    def execution_env(self) -> str:
        """AWS_EXECUTION_ENV as Lambda sets it for this runtime."""
        return f"AWS_Lambda_{self.runtime}"

    def tfvars(self) -> dict[str, object]:
        """This lane as infra/'s `lanes` variable takes it."""
        return {
            "runtime": self.runtime,
            "handler": self.handler,
            "artifact": self.artifact,
            "environment": dict(self.environment),
        }


# A Python lane runs here as on Lambda: the zip's contents as the task folder, extracted afresh
# at each start, first on the import path, then the runtime's own packages (/var/task before
# /var/runtime), on the runtime's Python (python3.12 where one is installed).
_PYTHON_ENV = MappingProxyType({"PYTHONPATH": "{task}:{runtime}"})
PYTHON = Lane(
    name="python",
    language="python",
    display="Python",
    runtime="python3.12",
    artifact="python",
    handler="telemetry_agg.handler.handler",
    local_argv=("{python}", "-m", "awslambdaric", "{handler}"),
    local_env=_PYTHON_ENV,
)
# The same zip and runtime, with the project's own Runtime API loop in place of the stock
# client (README "The lean runtime"): on Lambda, AWS_LAMBDA_EXEC_WRAPPER runs the wrapper from
# the task folder with the runtime's start command as its arguments, and it execs the loop;
# here the emulator runs the same wrapper from the extracted zip with the stock lane's command.
LEAN_WRAPPER = "telemetry_agg/runtime/lean-wrapper"
PYTHON_LEAN = replace(
    PYTHON,
    name="python-lean",
    display="Python (lean)",
    local_argv=(f"{{task}}/{LEAN_WRAPPER}", *PYTHON.local_argv),
    environment=MappingProxyType({"AWS_LAMBDA_EXEC_WRAPPER": f"/var/task/{LEAN_WRAPPER}"}),
)
GO = Lane(
    name="go",
    language="go",
    display="Go",
    runtime="provided.al2023",
    artifact="go",
    handler="bootstrap",
    local_argv=("{bootstrap}",),
    aggregator="scanner",
)

# The registry, in display order. Stock Python and Go are the two baselines every lane is
# compared with (`BASELINES`).
REGISTRY: dict[str, Lane] = {lane.name: lane for lane in (PYTHON, PYTHON_LEAN, GO)}
BASELINES = (GO.name, PYTHON.name)


def register(lane: Lane) -> Lane:
    """Add a lane (tests, plug-ins); its name must be new."""
    if lane.name in REGISTRY:
        raise ValueError(f"lane {lane.name!r} is already registered")
    REGISTRY[lane.name] = lane
    return lane


def unregister(name: str) -> None:
    REGISTRY.pop(name, None)


def all_lanes() -> tuple[Lane, ...]:
    return tuple(REGISTRY.values())


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> Lane:
    """The registered lane `name`; a lane unknown here (an old or foreign results file) is
    described from its name alone, so reading results never fails on it."""
    lane = REGISTRY.get(name)
    if lane is not None:
        return lane
    language = name.split("-", 1)[0]
    return Lane(name, language, name, "", name, "", (), MappingProxyType({}))


def display(name: str) -> str:
    return get(name).display


def parse(text: str, *, option: str = "--lanes") -> tuple[Lane, ...]:
    """`"python,go"` -> those lanes, in registry order; UsageError naming the option."""
    items = [item.strip() for item in text.split(",")]
    if not any(items) or "" in items:
        raise UsageError(
            f"{option} takes lane names separated by commas, not {text!r}",
            f"Lanes: {', '.join(REGISTRY)}.",
        )
    unknown = [item for item in items if item not in REGISTRY]
    if unknown:
        raise UsageError(
            f"{option}: no lane named {', '.join(map(repr, unknown))}",
            f"Lanes: {', '.join(REGISTRY)}.",
        )
    return tuple(lane for lane in REGISTRY.values() if lane.name in items)


def by_language(languages: Iterable[str], *, option: str = "--language") -> tuple[Lane, ...]:
    """Every lane of these languages (`--language python` selects each Python lane)."""
    wanted = list(dict.fromkeys(languages))
    known = list(dict.fromkeys(lane.language for lane in REGISTRY.values()))
    bad = [x for x in wanted if x not in known]
    if bad:
        raise UsageError(f"{option} takes {' or '.join(known)}, not {', '.join(bad)}")
    return tuple(lane for lane in REGISTRY.values() if lane.language in wanted)


def select(lanes: str | None = None, languages: Iterable[str] | None = None) -> tuple[Lane, ...]:
    """The lanes `--lanes` and `--language` choose together (both: the lanes in both);
    neither: every registered lane."""
    chosen = parse(lanes) if lanes is not None else all_lanes()
    langs = list(languages or ())
    if langs:
        of_language = by_language(langs)
        chosen = tuple(lane for lane in chosen if lane in of_language)
        if not chosen:
            raise UsageError("--lanes and --language select no lane together")
    return chosen


def reference(chosen: Iterable[str]) -> str | None:
    """The lane every other lane's answer is compared with: stock Python, else the first."""
    names_ = list(chosen)
    if PYTHON.name in names_:
        return PYTHON.name
    return names_[0] if names_ else None
