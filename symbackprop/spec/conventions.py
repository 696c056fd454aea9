"""Conventions a spec declares beyond its wiring: constant biases and weight decay.

``bias: {value: 1, trainable: false}`` on a layer adds the number to every unit's net input
(net = Σ w x + 1); it is not a parameter, so no gradient is derived for it and it prints as
its value.

``weight_decay: {biases: false}`` makes the objective J = L + λ/2 Σ w² over the weights (the
biases too with ``biases: true``), λ printed as ``notation.weight_decay`` and valued by
``values.weight_decay``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .model import LayerSpec, Notation, WeightDecaySpec
from .naming import plain_name
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


def weight_decay(r: Reader, top: dict[str, Any], notation: Notation) -> WeightDecaySpec | None:
    """The spec's weight decay, its λ claimed as a name of its own."""
    if "weight_decay" not in top:
        return None
    path: Path_ = ("weight_decay",)
    given = r.mapping(path, ("biases",))
    biases = False
    if "biases" in given:
        biases = r.get((*path, "biases"))
        if not isinstance(biases, bool):
            raise r.fail((*path, "biases"), "expected `true` or `false`",
                         hint="`biases: true` adds the biases to the sum of squares")
    where: Path_ = ("notation", "weight_decay") if "weight_decay" in top.get("notation", {}) \
        else path
    name = plain_name(notation.weight_decay)
    r.claim(where, "weight decay", "", name, notation.weight_decay)
    return WeightDecaySpec(notation.weight_decay, name, biases)
