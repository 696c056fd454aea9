"""Conventions a spec declares beyond its wiring: constant, non-trainable biases.

``bias: {value: 1, trainable: false}`` on a layer adds the number to every unit's net input
(net = Σ w x + 1); it is not a parameter, so no gradient is derived for it and it prints as
its value.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .model import LayerSpec
from .reader import Reader
from .source import Path_

CONSTANT_BIAS_KEYS = ("value", "trainable")


def constant_biases(r: Reader, top: dict[str, Any], layers: list[LayerSpec]
                    ) -> tuple[tuple[str, Fraction], ...]:
    """(unit, value) for every unit of a layer whose bias is a constant."""
    out: list[tuple[str, Fraction]] = []
    for lay in layers:
        path: Path_ = ("layers", lay.position - 1, "bias")
        raw = r.get(path[:-1]).get("bias")
        if not isinstance(raw, dict):
            continue
        r.mapping(path, CONSTANT_BIAS_KEYS, required=("value", "trainable"))
        if r.get((*path, "trainable")) is not False:
            raise r.fail((*path, "trainable"), "a bias given as a mapping is a constant, so "
                         "`trainable` must be `false`",
                         hint="for a trainable bias give its name (`bias: b1`) or "
                              "`bias: per_unit`, and its value under `values.params`")
        value = r.number((*path, "value"))
        out += [(unit, value) for unit in lay.units]
    return tuple(out)
