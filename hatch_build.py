"""The wheel's package data: the Go module's sources and infra/, for telemetry-bench.

`telemetry-bench setup` builds the emulator and the Go twin from `telemetry_agg/bench/_data/go/`
and `deploy` copies `telemetry_agg/bench/_data/infra/` into each deployment's working folder
(src/telemetry_agg/bench/paths.py). Only what those need is shipped: go.mod, go.sum and the
.go sources (no *_test.go, no testdata/); the .tf files, infra/checks/ and infra/README.md (no
state, no .terraform/, no zips, no variables of a deploy). Nothing here is imported by the
handler, and the Lambda zip leaves `bench/` out altogether.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DATA = "telemetry_agg/bench/_data"


def shipped(root: Path) -> dict[str, str]:
    """{source path: path in the wheel} for every file the wheel carries from go/ and infra/."""
    files: dict[str, str] = {}
    for path in sorted((root / "go").rglob("*")):
        rel = path.relative_to(root)
        is_source = path.suffix == ".go" and not path.name.endswith("_test.go")
        wanted = path.name in {"go.mod", "go.sum"} or is_source
        if path.is_file() and wanted and "testdata" not in rel.parts:
            files[str(path)] = f"{DATA}/{rel.as_posix()}"
    infra = root / "infra"
    picks = [*infra.glob("*.tf"), *infra.glob("checks/*.tfvars"), infra / "README.md"]
    for path in sorted(p for p in picks if p.is_file()):
        files[str(path)] = f"{DATA}/{path.relative_to(root).as_posix()}"
    return files


class PackageDataHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version != "editable":
            build_data["force_include"].update(shipped(Path(self.root)))
