"""Random layered network specs for the vectorised-path tests (seeded, written as YAML)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

HIDDEN = ("sigmoid", "tanh", "softplus", "linear", "leaky_relu")
OUTPUTS = (("sigmoid", "squared_error"), ("linear", "squared_error"),
           ("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy"),
           ("tanh", "squared_error"))


def write_spec(folder: Path, name: str, inputs: int, layers: list[tuple[int, str]],
               loss: str, bias: str = "per_unit") -> Path:
    """A spec file with ``inputs`` inputs and ``layers`` of (size, activation)."""
    lines = [f"title: {name}", f"inputs: {{size: {inputs}}}", "layers:"]
    for size, act in layers:
        lines.append(f"  - {{size: {size}, activation: {act}, bias: {bias}}}")
    lines.append(f"loss: {loss}")
    path = folder / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def random_layered(folder: Path, seed: int) -> Path:
    """A random 2–3 layer network of 2–7 units per layer with mixed activations and loss."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 3))
    layers = [(int(rng.integers(2, 8)), str(rng.choice(HIDDEN))) for _ in range(depth)]
    out_act, loss = OUTPUTS[int(rng.integers(len(OUTPUTS)))]
    layers.append((int(rng.integers(2, 5)), out_act))
    return write_spec(folder, f"random-{seed}", int(rng.integers(2, 7)), layers, loss)
