"""The reaper: what a bench killed outright (SIGKILL) leaves running, it kills; what the bench
stopped itself (`forget`), it leaves alone. Each test runs a stand-in bench in a child process,
kills it with SIGKILL, and watches a real process group it had started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from support import alive, wait_gone

if TYPE_CHECKING:
    from collections.abc import Iterator

# A stand-in bench: starts `sleep` in a session of its own, tells the reaper (and, with
# "forget", takes it back), prints the pids, then waits to be killed.
BENCH = """
import os, signal, subprocess, sys, time
from telemetry_agg.bench.local import reaper
sleeper = subprocess.Popen(["sleep", "120"], start_new_session=True, stdout=subprocess.DEVNULL)
if sys.argv[1] == "bad":  # never groups of ours: killpg(0) would be the reaper's own group
    reaper.watch(0)
    reaper.watch(-1)
reaper.watch(sleeper.pid)
if sys.argv[1] == "forget":
    reaper.forget(sleeper.pid)
if sys.argv[1] == "restart":  # the reaper dies; the next call starts one that knows the group
    os.kill(reaper.reaper_pid(), signal.SIGKILL)
    reaper._reaper.wait()
    other = subprocess.Popen(["sleep", "1"], start_new_session=True, stdout=subprocess.DEVNULL)
    reaper.watch(other.pid)
print(sleeper.pid, reaper.reaper_pid(), flush=True)
time.sleep(120)
"""


def gone(pid: int) -> bool:
    return wait_gone([pid], timeout_s=10) == []


@contextlib.contextmanager
def killed_bench(mode: str) -> Iterator[tuple[int, int]]:
    """Run the stand-in bench, SIGKILL it once it has started its sleeper: (sleeper, reaper);
    the sleeper's group is killed afterwards whatever the test found."""
    bench = subprocess.Popen([sys.executable, "-c", BENCH, mode], stdout=subprocess.PIPE, text=True)
    try:
        assert bench.stdout is not None
        sleeper, reaper_pid = (int(x) for x in bench.stdout.readline().split())
    finally:
        bench.kill()
        bench.communicate()
    try:
        yield sleeper, reaper_pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(sleeper, signal.SIGKILL)


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("watch", "the reaper did not kill the group of a bench killed outright"),
        # the reaper dies; the next call starts one that must know the group
        ("restart", "the second reaper did not know the group told to the first"),
        # 0 and -1 are not groups the bench started (to killpg, 0 is the caller's own group)
        ("bad", "a group that is not a pid stopped the reaper from killing the real one"),
    ],
)
def test_a_killed_bench_leaves_nothing_running(mode: str, why: str) -> None:
    with killed_bench(mode) as (sleeper, reaper_pid):
        assert gone(sleeper), why
        assert gone(reaper_pid), "the reaper outlived its work"


def test_what_the_bench_stopped_itself_is_left_alone() -> None:
    """`forget`: a group the bench stopped may be reused by another program's processes."""
    with killed_bench("forget") as (sleeper, reaper_pid):
        assert gone(reaper_pid)
        assert alive(sleeper), "the reaper killed a group it had been told to forget"
