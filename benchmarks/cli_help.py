"""How long `telemetry-bench --help` and `telemetry-bench gen --help` take, against the same
command in a bare Typer app with the same commands and options (the price of Typer and Rich).

    .venv/bin/python benchmarks/cli_help.py [--rounds N]

Both apps run as fresh interpreters, rounds interleaved so that machine noise falls on both;
the table shows each one's median wall time and the ratio bench / bare. The bare app is generated
from the real app's own options (names and help, every one a string), so what differs is what
our modules import and do at start-up. Exit status 1 when a ratio is over 1.5 (the bar of
issue 9).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BAR = 1.5
BENCH = "from telemetry_agg.bench.cli import main; main()"


def bare_app(spec: dict[str, list[tuple[list[str], str]]]) -> str:
    """Source of a bare Typer app: the same commands, the same option names and help."""
    lines = ["import typer", 'app = typer.Typer(rich_markup_mode="rich", no_args_is_help=True)']
    for n, (name, params) in enumerate(spec.items()):
        args = []
        for k, (decls, text) in enumerate(params):
            names = ", ".join(repr(d.split("/")[0]) for d in decls)
            args.append(f"p{k}: str = typer.Option(None, {names}, help={text!r})")
        lines += [f"@app.command({name!r})", f"def c{n}({', '.join(args)}) -> None:", "    pass"]
    lines.append('app(prog_name="telemetry-bench")')
    return "\n".join(lines)


def spec() -> dict[str, list[tuple[list[str], str]]]:
    """Every command's options as (declarations, help), read from the real app."""
    import typer  # noqa: PLC0415

    from telemetry_agg.bench.cli import app  # noqa: PLC0415

    group = typer.main.get_command(app)
    out: dict[str, list[tuple[list[str], str]]] = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        out[name] = [
            (list(p.opts), str(getattr(p, "help", "") or ""))
            for p in command.params
            if p.param_type_name == "option"
        ]
    return out


def once(code: str, args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, check=False, timeout=60
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    rounds = parser.parse_args().rounds
    bare = bare_app(spec())
    worst = 0.0
    print(f"{'command':<12} {'bench (ms)':>11} {'bare (ms)':>10} {'ratio':>6}")
    for args in (["--help"], ["gen", "--help"]):
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(once(BENCH, args))
            theirs.append(once(bare, args))
        a, b = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
        worst = max(worst, a / b)
        print(f"{' '.join(args):<12} {a:>11.0f} {b:>10.0f} {a / b:>5.2f}x")
    return 1 if worst > BAR else 0


if __name__ == "__main__":
    sys.exit(main())
