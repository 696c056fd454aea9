"""Benchmark: reading a spec is linear in its size, in every format.

Run from the repository root::

    python benchmarks/reading.py

For each format (YAML, JSON, TOML) a valid spec carrying a list of N random numbers is
written at several sizes and read with ``read_source``; the table shows the size, the time
and the time per megabyte, which stays flat when reading is linear. A last row reads a YAML
"billion laughs" file, refused after its few lines.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import time
from pathlib import Path

from symbackprop.errors import SpecError
from symbackprop.spec.source import read_source

HEAD = {"yaml": "inputs: [x]\nlayers: [{size: 1, activation: tanh}]\nloss: mse\n",
        "json": '{"inputs": ["x"], "layers": [{"size": 1, "activation": "tanh"}], '
                '"loss": "mse", ',
        "toml": 'inputs = ["x"]\nloss = "mse"\n'}


def spec_text(fmt: str, count: int) -> str:
    numbers = ", ".join(repr(random.random()) for _ in range(count))
    if fmt == "yaml":
        return HEAD[fmt] + f"description: [{numbers}]\n"
    if fmt == "json":
        return HEAD[fmt] + f'"description": [{numbers}]}}\n'
    return HEAD[fmt] + f"description = [{numbers}]\n" \
        + '[[layers]]\nsize = 1\nactivation = "tanh"\n'


def timed(path: Path) -> float:
    start = time.perf_counter()
    with contextlib.suppress(SpecError):  # the bomb is refused: that is the point
        read_source(path)
    return time.perf_counter() - start


def main() -> None:
    random.seed(0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("yaml", "json", "toml"):
            for count in (25_000, 100_000, 400_000):
                path = Path(tmp) / f"spec.{fmt}"
                path.write_text(spec_text(fmt, count))
                size = path.stat().st_size / 1e6
                seconds = timed(path)
                rows.append((fmt, f"{count:,}", f"{size:.2f}", f"{seconds:.2f}",
                             f"{seconds / size:.2f}"))
        bomb = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
        bomb += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 10)]
        path = Path(tmp) / "bomb.yaml"
        path.write_text("\n".join(bomb) + "\n")
        seconds = timed(path)
        rows.append(("yaml bomb", "9^10", f"{path.stat().st_size / 1e6:.4f}", f"{seconds:.3f}",
                     "refused"))
    header = ("format", "numbers", "MB", "seconds", "s per MB")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
