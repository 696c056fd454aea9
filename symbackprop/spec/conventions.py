"""Conventions a spec declares beyond its wiring: constant biases, frozen parameters and
weight decay.

``bias: {value: 1, trainable: false}`` on a layer adds the number to every unit's net input
(net = Σ w x + 1); it is not a parameter, so no gradient is derived for it and it prints as
its value.

``frozen: [w3, b1]`` names parameters that are not trained: each keeps its symbol in every
formula and its value under ``values.params``, and no gradient or update is derived for it.

``weight_decay: {biases: false}`` makes the objective J = L + λ/2 Σ w² over the weights (the
biases too with ``biases: true``), λ printed as ``notation.weight_decay`` and valued by
``values.weight_decay``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..errors import did_you_mean
from .model import InputSpec, LayerSpec, Notation, ParamSpec, UnitSpec, WeightDecaySpec
from .naming import plain_name, shown
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


def frozen_parameters(r: Reader, top: dict[str, Any], params: list[ParamSpec],
                      units: list[UnitSpec], inputs: list[InputSpec]) -> tuple[str, ...]:
    """The parameters ``frozen: [w3, b1]`` names: constants with a name, not trained.

    A frozen parameter keeps its symbol and its value under ``values.params``; no gradient or
    update is derived for it. A shared name is one parameter, so it is frozen everywhere.
    """
    if "frozen" not in top:
        return ()
    path: Path_ = ("frozen",)
    entries = r.name_list(path)
    known = {p.name for p in params}
    roles = {q.name: q.describe() for q in r.names.names().quantities
             if q.role != "parameter"}
    roles |= {u.name: f"the unit `{u.name}`" for u in units}
    roles |= {i.name: f"the input `{i.name}`" for i in inputs}
    out: list[str] = []
    for k, _entry in enumerate(entries):
        name = r.string((*path, k))
        if name in known and name in out:
            raise r.fail((*path, k), f"`{name}` is frozen twice", hint="list it once")
        if name in known:
            out.append(name)
            continue
        if name in roles:
            raise r.fail((*path, k), f"`{shown(name)}` names {roles[name]}, not a parameter: "
                         "only a weight or a bias can be frozen",
                         hint=did_you_mean(name, known) or "list weights and biases by "
                              "the names `values.params` uses")
        raise r.fail((*path, k), f"no parameter called `{shown(name)}` to freeze",
                     hint=did_you_mean(name, known))
    if out and len(out) == len(known):
        raise r.fail(path, "every parameter is frozen: nothing is left to train",
                     hint="leave at least one weight or bias out of `frozen`")
    return tuple(out)
