"""The committed vectors are exactly what tests/vectors/generate.py writes (no drift by hand)."""

from __future__ import annotations

import base64
import importlib.util
import json
import zlib
from typing import TYPE_CHECKING, Any

from support import VECTORS

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


def _inflated(event: Any) -> Any:
    """An event with its base64 gzip body inflated: what it means, whatever zlib wrote. A body
    that does not inflate cleanly (a deliberately corrupt stream) is compared by its length
    only, since each zlib build writes its own bytes before the generator corrupts them."""
    headers = event.get("headers") if isinstance(event, dict) else None
    gzipped = isinstance(headers, dict) and any(
        isinstance(v, str) and v.strip().lower() == "gzip" for v in headers.values()
    )
    if gzipped and event.get("isBase64Encoded") is True:
        try:
            raw = base64.b64decode(event["body"], validate=True)
        except (ValueError, TypeError):
            return event  # not base64 on purpose: the bytes are the generator's own
        *members, rest = _members(raw)
        clean = members and not rest
        body: Any = members if clean else ("a gzip stream that does not inflate", len(raw))
        event = {**event, "body": body}
    return event


def _meaning(text: bytes, suffix: str) -> Any:
    """A vector (.json) or event file (.event) with its gzip bodies inflated."""
    if suffix == ".event":
        return _inflated(json.loads(text))
    vector = json.loads(text)
    if "event" in vector:
        vector["event"] = _inflated(vector["event"])
    return vector


def test_generator_writes_the_committed_vectors(tmp_path: Path) -> None:
    count = _generator().write(tmp_path)
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert count == len([p for p in generated if p.suffix == ".json"])
    for relative in generated:
        fresh, committed = (tmp_path / relative).read_bytes(), (VECTORS / relative).read_bytes()
        if fresh != committed:  # gzip bytes may differ between zlib builds; the meaning may not
            assert _meaning(fresh, relative.suffix) == _meaning(committed, relative.suffix), (
                f"{relative}: run tests/vectors/generate.py"
            )
