"""Helpers shared by the tests of this folder (the fixtures are in conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import hcl2

from telemetry_agg.bench import paths

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


ROOT = paths.project_root()


INFRA = ROOT / "infra"


REGION = "eu-west-1"


FAKE_KEY_ID = "AKIDINFRATESTFAKE001"


FAKE_SECRET = "infra-test-secret-never-printed-0123456789"


HELLO_GO = 'package main\n\nfunc main() { println("bootstrap") }\n'


def unquote(value: Any) -> Any:
    """python-hcl2 keeps the quotes of literals and labels ('"python3.12"'): drop them."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [unquote(v) for v in value]
    return value


class Hcl:
    """infra/*.tf, parsed once: blocks by kind, then by type and name."""

    def __init__(self, directory: Path) -> None:
        self.files: dict[str, dict[str, Any]] = {}
        for path in sorted(directory.glob("*.tf")):
            with path.open(encoding="utf-8") as handle:
                self.files[path.name] = unquote(hcl2.load(handle))

    def blocks(self, kind: str) -> list[Any]:
        return [block for parsed in self.files.values() for block in parsed.get(kind, [])]

    def named(self, kind: str) -> dict[str, Any]:
        """variable/output/module blocks: {name: body}."""
        return {name: body for block in self.blocks(kind) for name, body in block.items()}

    def typed(self, kind: str, type_name: str) -> dict[str, Any]:
        """resource/data blocks of one type: {name: body}."""
        found: dict[str, Any] = {}
        for block in self.blocks(kind):
            found.update(block.get(type_name, {}))
        return found

    def locals(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for block in self.blocks("locals"):
            merged.update(block)
        return merged

    def text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8") for p in sorted(INFRA.glob("*.tf")))


def isolate_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No profile, no shared files, no instance metadata: only what the test sets."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
