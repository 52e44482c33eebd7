"""What the stored workload (§5) adds to a cold start: importing boto3, making the client.

    .venv/bin/python benchmarks/store_import.py [--python PATH ...] [--rounds 7] [--json]

Each round is a fresh isolated interpreter (``-I -S``: no site-packages, no PYTHONPATH) whose
``sys.path`` holds only a folder of links to what the function loads: telemetry_agg and its
runtime dependencies (the zip), and boto3 with botocore, jmespath, dateutil, six, urllib3 and
s3transfer (what the python3.12 runtime provides beside it), so nothing else of the dev
virtualenv counts. Per interpreter it prints the best of the rounds (the first round writes the
bytecode caches; the runtime image ships them):

- ``import boto3``: its cumulative line in ``-X importtime``;
- ``make client``: ``telemetry_agg.store.make_client()`` by ``time.perf_counter`` (dummy
  credentials in the environment, as Lambda gives them);
- ``handler, store off`` / ``handler, store on``: the cumulative ``-X importtime`` line of
  ``telemetry_agg.handler`` without and with ``TELEMETRY_AGG_TABLE`` (with it, the import makes
  the client: the whole init-phase price), when the interpreter can load the zip's compiled
  dependencies (the virtualenv's own version).
Then, in this process, the time to build a study-shaped item by hand (``store.build_item``)
against boto3's ``TypeSerializer``, the same run.
The packages are the virtualenv's (the same boto3 for every interpreter); the figures are
milliseconds on this machine, to be read beside each other, not as Lambda's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ratios import lambda_path

SDK_PACKAGES = ("boto3", "botocore", "jmespath", "dateutil", "urllib3", "s3transfer", "six")
ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "example-secret",
    "AWS_SESSION_TOKEN": "example-token",
    "PATH": os.environ.get("PATH", ""),
}
PROBE = """
import sys, time, json
sys.path.insert(0, {folder!r})
import boto3
from telemetry_agg import store
started = time.perf_counter()
store.make_client()
print(json.dumps({{"client_ms": (time.perf_counter() - started) * 1000}}))
"""


def runtime_folder() -> Path:
    """The zip's folder (ratios.lambda_path) plus links to boto3 and its dependencies."""
    import importlib.util  # noqa: PLC0415

    folder = lambda_path()
    for name in SDK_PACKAGES:
        if (folder / name).exists() or (folder / f"{name}.py").exists():
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise SystemExit(f"{name} is not installed: pip install boto3")
        if spec.submodule_search_locations:
            (folder / name).symlink_to(next(iter(spec.submodule_search_locations)))
        else:
            (folder / f"{name}.py").symlink_to(spec.origin)
    return folder


def _cumulative_ms(stderr: str, module: str) -> float:
    for line in stderr.splitlines():
        parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1000
    raise RuntimeError(f"-X importtime printed no line for {module}")


def _run(python: str, code: str, table: str = "") -> subprocess.CompletedProcess[str]:
    env = {**ENV, "TELEMETRY_AGG_TABLE": table}
    return subprocess.run(
        [python, "-I", "-S", "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )


def measure(python: str, rounds: int) -> dict[str, Any]:
    folder = str(runtime_folder())
    best: dict[str, float] = {}

    def keep(name: str, value: float) -> None:
        best[name] = min(best.get(name, float("inf")), value)

    version = _run(python, "import sys; print(sys.version.split()[0])").stdout.strip()
    handler = f"import sys; sys.path.insert(0, {folder!r}); import telemetry_agg.handler"
    can_load_zip = _run_ok(python, handler)
    for _ in range(rounds):
        probe = _run(python, PROBE.format(folder=folder))
        keep("import boto3", _cumulative_ms(probe.stderr, "boto3"))
        keep("make client", json.loads(probe.stdout)["client_ms"])
        if can_load_zip:
            for label, table in (("handler, store off", ""), ("handler, store on", "t")):
                keep(
                    label,
                    _cumulative_ms(_run(python, handler, table).stderr, "telemetry_agg.handler"),
                )
    return {"python": version, "best_ms": best}


def _run_ok(python: str, code: str) -> bool:
    try:
        _run(python, code)
    except subprocess.CalledProcessError:
        return False
    return True


def item_build_us(rounds: int = 5, number: int = 20_000) -> dict[str, float]:
    """Microseconds to build a study-shaped item (5 endpoints, 7 statuses): by hand, as
    store.build_item does, and through boto3's TypeSerializer (the baseline), same run."""
    import timeit  # noqa: PLC0415

    from boto3.dynamodb.types import TypeSerializer  # noqa: PLC0415

    from telemetry_agg.store import build_item  # noqa: PLC0415
    from telemetry_agg.summary import Summary  # noqa: PLC0415

    top = (("/login", 300), ("/search", 250), ("/feed", 200), ("/ping", 150), ("/checkout", 97))
    statuses = {"200": 800, "201": 50, "400": 40, "401": 30, "403": 20, "404": 30, "500": 27}
    summary = Summary(1000, 3, 200, 240, top, statuses, "msgspec")
    serializer = TypeSerializer()

    def by_serializer() -> dict[str, Any]:
        plain = {
            "request_id": "r",
            **summary.to_dict(),
            "top_endpoints": [list(pair) for pair in summary.top_endpoints],
            "stored_at": "2026-12-04T22:31:40.123Z",
            "expires_at": 1_765_000_000,
        }
        for key in ("aggregator", "parse_ms", "compute_ms"):
            del plain[key]
        return {key: serializer.serialize(value) for key, value in plain.items()}

    def by_hand() -> dict[str, Any]:
        return build_item(summary, "r", 1_764_888_700_123_456_789)

    return {
        name: min(timeit.repeat(run, number=number, repeat=rounds)) / number * 1e6
        for name, run in (("by hand", by_hand), ("TypeSerializer", by_serializer))
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", help="interpreters (default: this one)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    rows = [measure(python, args.rounds) for python in args.python or [sys.executable]]
    item = item_build_us()
    if args.json:
        print(json.dumps({"imports": rows, "item_build_us": item}, indent=2))
        return 0
    for row in rows:
        figures = ", ".join(f"{name} {ms:.1f} ms" for name, ms in row["best_ms"].items())
        print(f"Python {row['python']}: {figures}")
    ratio = item["TypeSerializer"] / item["by hand"]
    print(
        f"building the item: by hand {item['by hand']:.1f} us, through TypeSerializer "
        f"{item['TypeSerializer']:.1f} us ({ratio:.1f}x the time by hand)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
