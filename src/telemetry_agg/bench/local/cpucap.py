"""The CPU each environment gets: `--cpu-cap` (a CPU quota of memory / 1,769 MB vCPUs per
environment, as Lambda gives, through a cgroup, v2 or v1 cpu controller), and how many
environments per lane run at once by default (`default_concurrency`)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from telemetry_agg.bench.constants import VCPU_MB
from telemetry_agg.bench.errors import BenchError


class CpuCap:
    """A CPU quota of memory / 1,769 MB vCPUs per environment, through a cgroup (v2 or v1 cpu).

    `CpuCap.available()` says whether this machine allows it and if not, why.
    """

    V2 = Path("/sys/fs/cgroup")
    V1 = Path("/sys/fs/cgroup/cpu")
    PERIOD_US = 100_000

    def __init__(self, memory_mb: int, name: str) -> None:
        self.quota_us = max(1000, round(self.PERIOD_US * memory_mb / VCPU_MB))
        root, _ = self._root()
        if root is None:
            raise BenchError("--cpu-cap is not available here: " + self.available()[1])
        self.dir = root / name
        try:
            self.dir.mkdir(exist_ok=True)
            if root == self.V2:
                (self.dir / "cpu.max").write_text(f"{self.quota_us} {self.PERIOD_US}\n")
            else:
                (self.dir / "cpu.cfs_period_us").write_text(f"{self.PERIOD_US}\n")
                (self.dir / "cpu.cfs_quota_us").write_text(f"{self.quota_us}\n")
        except OSError as exc:
            self.remove()
            raise BenchError(
                f"--cpu-cap: cannot set up the cgroup {self.dir} ({exc.strerror}); "
                "run without --cpu-cap"
            ) from None

    @classmethod
    def _root(cls) -> tuple[Path | None, str]:
        if (cls.V2 / "cgroup.controllers").is_file():
            if "cpu" not in (cls.V2 / "cgroup.subtree_control").read_text().split():
                return None, "cgroup v2 without the cpu controller enabled for children"
            return (cls.V2, "") if os.access(cls.V2, os.W_OK) else (None, "cgroup v2 read-only")
        if (cls.V1 / "cpu.cfs_quota_us").is_file():
            if os.access(cls.V1, os.W_OK):
                return cls.V1, ""
            return None, "the cgroup v1 cpu controller is read-only (run as root)"
        return None, "no writable cgroup cpu controller on this machine"

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            root, why = cls._root()
        except OSError as exc:
            return False, f"cannot read cgroups ({exc.strerror})"
        return root is not None, why

    def add(self, pid: int) -> None:
        try:
            (self.dir / "cgroup.procs").write_text(f"{pid}\n")
        except OSError as exc:
            raise BenchError(
                f"--cpu-cap: cannot move the emulator into {self.dir} ({exc.strerror}); "
                "run without --cpu-cap"
            ) from None

    def remove(self) -> None:
        for _ in range(20):
            try:
                self.dir.rmdir()
            except (FileNotFoundError, NotADirectoryError):
                return
            except OSError:
                time.sleep(0.05)
            else:
                return


def default_concurrency() -> int:
    """Environments per lane unless `--concurrency` says: 2 on a machine of 4 cores or more,
    else 1.

    A warm invocation keeps a core busy in its runtime while the emulator's relay and the
    client want CPU around it. More environments at once than half the cores take CPU from
    each other, which Lambda's environments never do, and every lane's REPORT Duration grows
    by it: 2 environments per lane on 2 cores added about 4 ms at 20,000 events to Go's, the
    stock and the lean lane's alike (README "Local bench"), so the ratios leaned toward 1.
    """
    return 2 if usable_cores() >= 4 else 1


def usable_cores() -> int:
    """The cores this process may run on (its affinity where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def shared_cpu_note(concurrency: int) -> str | None:
    """What to say when `--concurrency` asks for more environments at once than the default:
    they share the CPU, and every lane's Duration says so. None when it does not."""
    default = default_concurrency()
    if concurrency <= default:
        return None
    return (
        f"note: {concurrency} environments per lane at once on {usable_cores()} cores share the "
        "CPU, as Lambda's environments never do: every lane's REPORT Duration includes that and "
        f"the ratios lean toward 1 (about 4 ms at 20,000 events with 2 on 2 cores). The default "
        f"here is {default}; `-c {default}` measures them apart."
    )
