"""The last line of defence against leaked servers: a reaper that outlives the bench.

Every server the bench starts (an emulator and its runtime, moto) runs in a process group of
its own, so that Ctrl-C reaches the bench alone and the bench stops them in order. The bench
always stops them (`Emulator.stop`, `moto_server`), even on Ctrl-C or SIGTERM; but a bench that
is killed outright (SIGKILL, the kernel's OOM killer, a crash of the interpreter, a CI job's
timeout) stops nothing. So, at the first server, the bench starts one small reaper process and
tells it, through a pipe, each process group it starts (`watch`) and stops (`forget`). When the
bench ends, however it ends, the kernel closes the pipe; the reaper reads its end, kills with
SIGKILL every group still on its list (none after a clean exit) and exits.

The reaper is in a session of its own, so Ctrl-C in the terminal does not end it before the
bench has stopped its servers. A process forked from the bench starts its own reaper.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from typing import IO

__all__ = ["forget", "reaper_pid", "watch"]

# One line per change: "+ <pgid>" or "- <pgid>". At end of input: SIGKILL to what is left.
_REAPER = """\
import os, signal, sys
groups = set()
for line in sys.stdin:
    verb, _, group = line.partition(" ")
    if group.strip().isdigit() and int(group) > 0:  # killpg(0): the reaper's own group
        (groups.add if verb == "+" else groups.discard)(int(group))
for group in groups:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
"""

_lock = threading.Lock()
_reaper: subprocess.Popen[bytes] | None = None
_owner = 0  # the pid that started `_reaper` (a forked child starts its own)
_groups: set[int] = set()  # watched and not forgotten: told again to a reaper started anew


def _pipe() -> IO[bytes] | None:
    """The reaper's input, the reaper started first if need be (None if it cannot run)."""
    global _reaper, _owner  # noqa: PLW0603 - one reaper per process
    if _owner != os.getpid():
        _groups.clear()  # a forked child: its parent's groups are its parent's
    if _reaper is None or _owner != os.getpid() or _reaper.poll() is not None:
        try:
            _reaper = subprocess.Popen(
                [sys.executable, "-c", _REAPER],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            _reaper = None
            return None
        _owner = os.getpid()
        _write(_reaper.stdin, "".join(f"+ {group}\n" for group in _groups))
    return _reaper.stdin


def _write(pipe: IO[bytes] | None, text: str) -> None:
    if pipe is not None and text:
        with contextlib.suppress(OSError):  # a reaper that died: the next call starts another
            pipe.write(text.encode())
            pipe.flush()


def _tell(verb: str, group: int) -> None:
    with _lock:
        pipe = _pipe()
        (_groups.add if verb == "+" else _groups.discard)(group)
        _write(pipe, f"{verb} {group}\n")


def watch(group: int) -> None:
    """Kill process group `group` if this process ends before it calls `forget(group)`."""
    _tell("+", group)


def forget(group: int) -> None:
    """`group` was stopped (its number may be reused): the reaper leaves it alone."""
    _tell("-", group)


def reaper_pid() -> int | None:
    """The reaper's pid, once a group was watched (tests)."""
    with _lock:
        return None if _reaper is None or _owner != os.getpid() else _reaper.pid
