"""Wide and deep dense networks: every command on networks with values, and printing a large
one, each in a new process (wall time, CPU time, peak memory).

Run from the repository root (see benchmarks/README.md)::

    python benchmarks/dense.py [--runs 1] [--shapes 2-5000-1,3000-1,200x1,784-1000-10]

The networks with values (sigmoid layers, ½ squared error) are written from a fixed seed:
2-5000-1, one unit with a fan-in of 3,000 (3000-1) and 200 layers of one unit (200x1, a
1-1-…-1 network); each is run through ``derive`` (the chain form with numbers), ``notes``
(the .tex output), ``eval`` and ``gradcheck``. 784-1000-10 (795,010 parameters, no values)
is printed with ``derive --form delta --format text -o FILE``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from pathlib import Path

from run import ROOT, cli_run, size_text, table

sys.path.insert(0, str(ROOT / "tests"))
from dense_specs import dense_spec  # the tests' writer

WITH_VALUES = {"2-5000-1": [2, 5000, 1], "3000-1": [3000, 1], "200x1": [1] * 201}
PRINTED = {"784-1000-10": ROOT / "benchmarks" / "specs" / "mlp-784-1000-10.yaml"}
COMMANDS = ("derive", "notes", "eval", "gradcheck")
TARGET_SECONDS = 5.0
PRINT_TARGET = (10.0, 800e6)  # seconds, bytes


def _params(sizes: list[int]) -> int:
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


def _args(command: str, spec: Path, folder: Path) -> list[str]:
    if command == "notes":
        return ["notes", str(spec), "-o", str(folder / f"{spec.stem}.tex")]
    if command == "derive":
        return ["derive", str(spec), "-o", str(folder / f"{spec.stem}.txt")]
    return [command, str(spec)]


def _cell(args: list[str], runs: int) -> tuple[float, float, int, str]:
    """Least wall and CPU time over ``runs``, the peak memory, and the outcome."""
    measured = []
    for _ in range(runs):
        try:
            measured.append(cli_run(args))
        except RuntimeError as exc:
            return 0.0, 0.0, 0, str(exc).strip().splitlines()[-1][:60]
    return (min(t for t, _, _ in measured), min(c for _, _, c in measured),
            max(m for _, m, _ in measured), "ok")


def dense_table(shapes: list[str], runs: int) -> str:
    folder = Path(tempfile.mkdtemp(prefix="symbackprop-dense-"))
    rows = []
    for name in shapes:
        if name in WITH_VALUES:
            sizes = WITH_VALUES[name]
            spec = dense_spec(folder, sizes, name=name)
            for command in COMMANDS:
                wall, cpu, peak, outcome = _cell(_args(command, spec, folder), runs)
                rows.append([name, f"{_params(sizes):,}", command, f"{wall:.2f} s",
                             f"{cpu:.2f} s", f"{peak / 1e6:.0f} MB", "", outcome,
                             f"≤ {TARGET_SECONDS:.0f} s"])
                print(f"  {name} {command}: {outcome}", file=sys.stderr)
        elif name in PRINTED:
            sizes = [int(n) for n in name.split("-")]
            target = folder / f"{name}.txt"
            wall, cpu, peak, outcome = _cell(
                ["derive", str(PRINTED[name]), "--form", "delta", "--format", "text", "-o",
                 str(target)], runs)
            params = _params(sizes)
            per_param = f"{peak / params:.0f} B" if peak else ""
            rows.append([name, f"{params:,}", "derive --form delta -o", f"{wall:.2f} s",
                         f"{cpu:.2f} s", f"{peak / 1e6:.0f} MB", per_param,
                         outcome if outcome != "ok" else
                         f"ok, {size_text(target.stat().st_size)}",
                         f"≤ {PRINT_TARGET[0]:.0f} s, ≤ {PRINT_TARGET[1] / 1e6:.0f} MB"])
            print(f"  {name} printed: {outcome}", file=sys.stderr)
        else:
            raise SystemExit(f"unknown shape {name}; known: "
                             f"{', '.join([*WITH_VALUES, *PRINTED])}")
    return table(["network", "params", "command", "wall min", "CPU min", "peak memory",
                  "peak / param", "outcome", "target"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of every command (least "
                                                             "time, largest memory)")
    parser.add_argument("--shapes", default=",".join([*WITH_VALUES, *PRINTED]),
                        help="networks to measure (comma-separated)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")
    print(f"\nWide and deep dense networks, a new process per command (least of {args.runs})\n")
    print(dense_table(args.shapes.split(","), args.runs))
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
