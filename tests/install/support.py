"""Helpers for the installed-case tests: a fake `go` whose behaviour a test chooses."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# FAKE_GO_MODE: ok (write the output, exit 0), fail (write half an output, then fail as a
# compiler would), offline (fail as go does without the module proxy).
FAKE_GO = r"""#!{python}
import os, pathlib, sys
args = sys.argv[1:]
with open("{log}", "a") as log:
    log.write(" ".join(args) + "\n")
mode = os.environ["FAKE_GO_MODE"]
if args[0] == "install":
    out = pathlib.Path(os.environ["GOBIN"]) / "aws-lambda-rie"
else:
    out = pathlib.Path(args[args.index("-o") + 1])
if mode == "offline":
    sys.stderr.write(
        "go: example.com/x@v1: Get \"https://proxy.golang.org/x/@v/v1.info\": dial tcp: "
        "lookup proxy.golang.org: no such host\n"
    )
    sys.exit(1)
out.write_bytes(b"\x7fELF half")
if mode == "fail":
    sys.stderr.write("./main.go:3:1: syntax error: non-declaration statement\n")
    sys.exit(1)
out.write_bytes(b"\x7fELF complete build")
out.chmod(0o755)
"""


def go_calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def leftovers(directory: Path) -> list[str]:
    """Anything a build left under a temporary name."""
    return sorted(
        p.name for p in directory.rglob("*") if ".partial" in p.name or p.name.startswith(".rie-")
    )
