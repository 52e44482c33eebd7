"""The committed vectors are exactly what tests/vectors/generate.py writes (no drift by hand)."""

from __future__ import annotations

import base64
import importlib.util
import json
import zlib
from typing import TYPE_CHECKING, Any

from conftest import VECTORS

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vector_generator", VECTORS / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _members(raw: bytes) -> list[bytes]:
    """The inflated gzip members of a stream, then whatever follows them (not gzip)."""
    parts = []
    while raw:
        member = zlib.decompressobj(wbits=31)
        try:
            parts.append(member.decompress(raw))
        except zlib.error:
            break
        if not member.eof:
            break
        raw = member.unused_data
    return [*parts, raw]


def _meaning(event_text: bytes) -> Any:
    """An event file with its base64 gzip body inflated: what it means, whatever zlib wrote."""
    event = json.loads(event_text)
    if isinstance(event, dict) and event.get("isBase64Encoded") is True:
        event["body"] = _members(base64.b64decode(event["body"]))
    return event


def test_generator_writes_the_committed_vectors(tmp_path: Path) -> None:
    count = _generator().write(tmp_path)
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert count == len([p for p in generated if p.suffix == ".json"])
    for relative in generated:
        fresh, committed = (tmp_path / relative).read_bytes(), (VECTORS / relative).read_bytes()
        if fresh != committed:  # gzip bytes may differ between zlib builds; the meaning may not
            assert relative.suffix == ".event", f"{relative}: run tests/vectors/generate.py"
            assert _meaning(fresh) == _meaning(committed), relative
