"""The names code gives a layer's matrices, and ``d`` before them for a gradient.

A spec's dense layer may name its matrices as code does (``matrices: {net: scores,
activation: hidden_layer, weights: W2, bias: b2}``, CS231n's minimal network): ``scores``
is then the layer's net inputs over a batch, one example a row in the row layout (a column
in the column layout), ``W2`` its weight matrix, ``b2`` its bias vector. ``d`` before one
of them is the gradient of the cost by it (``dW2`` is ∂J/∂W2, ``dscores`` ∂J/∂scores, as
CS231n's code divides by the number of examples), read only when the spec has a cost over
its examples: code computes over a batch, and the gradient of one example's loss by a
batch's matrix would be a different quantity. The spec refuses a ``d`` name that also
names something else, so no name has two readings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import FormulaError
from ...spec.matrix_names import GRADIENT_PREFIX
from ...spec.model import NetworkSpec

_KINDS = {"net": "z", "activation": "a", "weights": "W", "bias": "b"}


@dataclass(frozen=True)
class CodeName:
    """A matrix name of layer ``pos``: its kind (z, a, W, b) and whether it is written with
    ``d`` (the gradient of the cost by that matrix)."""

    kind: str
    pos: int
    gradient: bool = False


def code_names(spec: NetworkSpec) -> dict[str, CodeName]:
    """Every matrix name the spec's layers give, and its ``d`` name: for a layer with
    ``matrices: {weights: W2}`` at position 2, ``W2`` → CodeName("W", 2) and ``dW2`` →
    CodeName("W", 2, gradient=True)."""
    out: dict[str, CodeName] = {}
    for layer in spec.layers:
        if layer.matrices is None:
            continue
        for role, kind in _KINDS.items():
            for name in getattr(layer.matrices, role):
                out[name] = CodeName(kind, layer.position)
                out[GRADIENT_PREFIX + name] = CodeName(kind, layer.position, gradient=True)
    return out


_WORD = re.compile(r"(?<![A-Za-z0-9_\\])[A-Za-z][A-Za-z0-9_]*")
_SCRIPTED = re.compile(r"\s*(?:_|\^(?!\s*(?:T(?![A-Za-z])|\{\s*(?:T|\\top|\\intercal)\s*\}|"
                       r"\\top|\\intercal)))")
"""A subscript or a superscript other than a transpose: ``b^{[2]}_{1}`` is no code name."""


def mentions_code_names(formula: str, names: dict[str, CodeName]) -> bool:
    """Whether ``formula`` names one of the spec's matrices as code does (then the line is
    read in matrix form): the name alone or transposed, not an entry's or a layer's
    (``b^{[2]}_{1}`` with a matrix ``b`` is the bias of unit 1 of layer 2)."""
    if not names:
        return False
    return any(m.group(0) in names and not _SCRIPTED.match(formula, m.end())
               for m in _WORD.finditer(formula))


def need_cost(written: str, has_cost: bool) -> None:
    """A ``d`` name is the gradient of the cost: without one, say so."""
    if not has_cost:
        raise FormulaError(f"`{written}` is the gradient of the cost over a batch, and the "
                           f"spec has no cost: add `cost: {{examples: m}}` (the mean over "
                           f"the examples, as code divides by their number)")
