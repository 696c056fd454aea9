"""Dense sigmoid networks with values, written as YAML from a fixed seed: the wide and deep
networks of the tests (tests/numeric/test_wide_deep.py) and of benchmarks/dense.py."""

from __future__ import annotations

import itertools
import random
from pathlib import Path


def dense_spec(folder: Path, sizes: list[int], seed: int = 1, name: str | None = None) -> Path:
    """A sigmoid network of layer ``sizes`` (inputs first), ½ squared error, with values of
    two decimals: inputs and weights in ±[0.05, 1] (none 0, so that no gradient is 0 by a
    zero weight), targets in [0, 1]. Written to ``folder/<name>.yaml`` (``dense.yaml``
    unless named), titled ``name`` or the sizes joined by dashes.

    >>> import tempfile
    >>> dense_spec(Path(tempfile.mkdtemp()), [2, 1]).read_text().splitlines()[:2]
    ['title: 2-1', 'inputs: {size: 2}']
    """
    rng = random.Random(seed)

    def value() -> str:
        return f"{rng.choice((-1, 1)) * rng.uniform(0.05, 1):.2f}"

    params = []
    for layer, (fan_in, size) in enumerate(itertools.pairwise(sizes), 1):
        for j in range(1, size + 1):
            params += [f"w_{layer}_{j}_{k}: {value()}" for k in range(1, fan_in + 1)]
            params.append(f"b_{layer}_{j}: {value()}")
    title = name or "-".join(map(str, sizes))
    lines = [f"title: {title}", f"inputs: {{size: {sizes[0]}}}", "layers:",
             *(f"  - {{size: {n}, activation: sigmoid}}" for n in sizes[1:]),
             "loss: {kind: squared_error, factor: 1/2}", "values:",
             "  inputs: {" + ", ".join(f"x{k}: {value()}" for k in range(1, sizes[0] + 1)) + "}",
             "  targets: {" + ", ".join(f"y_{k}: {rng.uniform(0, 1):.2f}"
                                        for k in range(1, sizes[-1] + 1)) + "}",
             "  params: {" + ",\n    ".join(params) + "}"]
    path = folder / f"{name or 'dense'}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
