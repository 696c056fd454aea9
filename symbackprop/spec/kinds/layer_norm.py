"""The layer_norm layer kind (Ba, Kiros and Hinton 2016, "Layer Normalization").

Over the H units a_1, …, a_H of the dense layer below it, a layer_norm layer has H units

    μ = (1/H) Σ_k a_k,   σ² = (1/H) Σ_k (a_k − μ)²,   x̂_j = (a_j − μ)/√(σ² + ε),
    y_j = γ_j x̂_j + β_j,

with γ_j and β_j trainable per unit and ε > 0 a constant of the spec (``epsilon``, 1e-5 when
not given). Each y_j is a formula node (:class:`~symbackprop.spec.model.FormulaSpec`) of the
layer below and its γ_j, β_j: the engine takes ∂y_j/∂a_k and ∂y_j/∂γ_j by one ``diff`` each,
as for the nodes of a ``nodes:`` spec. γ_j prints as ``\\gamma_{j}`` (``\\gamma^{[l]}_{j}``
when the spec has several layer_norm layers), β_j likewise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from ..formulas import Term
from ..model import (
    ActivationSpec,
    FormulaSpec,
    InputSpec,
    LayerSpec,
    NormGeometry,
    Notation,
    UnitSpec,
)
from ..naming import plain_name
from ..reader import Reader
from ..source import Path_
from .conv import made_units

LAYER_NORM_KIND = "layer_norm"
LAYER_NORM_KEYS = ("name", "kind", "epsilon")
DEFAULT_EPSILON = Fraction(1, 100000)  # PyTorch's and Keras's 1e-5
LINEAR = ActivationSpec("linear")  # a layer_norm unit's value is y_j itself
_PLACE_HINT = ("put it between two dense layers, e.g. dense → layer_norm → dense → softmax")


def read_layer_norm_layer(r: Reader, lp: Path_, place: tuple[str, int, int],
                          notation: Notation, layers: Sequence[LayerSpec], *, last: bool,
                          several: bool, layer_of: dict[str, int], unit_keys: dict[str, str],
                          claim: Callable[[UnitSpec], None]) -> tuple[LayerSpec, list[UnitSpec]]:
    """The layer's ε, its γ_j and β_j names and its units (u{l}_{j}), one per unit of the
    dense layer before it; ``several``: the spec has more than one layer_norm layer."""
    name, pos, number = place
    layer: dict[str, Any] = r.get(lp)
    if pos == 1:
        raise r.fail((*lp, "kind"), "a layer_norm layer cannot be the first layer: it "
                     "normalises the units of the dense layer below it", hint=_PLACE_HINT)
    if last:
        raise r.fail((*lp, "kind"), "a layer_norm layer cannot be the last layer: the loss "
                     "reads a dense output layer", hint=_PLACE_HINT)
    below = layers[-1]
    if below.conv or below.pool or below.recurrent or below.dropout or below.embedding \
            or below.norm:
        raise r.fail((*lp, "kind"), f"a layer_norm layer reads a dense layer, and "
                     f"`{below.name}` is not one", hint=_PLACE_HINT)
    size = len(below.units)
    if size < 2:
        raise r.fail((*lp, "kind"), f"a layer_norm layer over the {size} unit of "
                     f"`{below.name}` always outputs β: a − μ is 0, and every gradient "
                     "through it would be 0", hint=f"give `{below.name}` two units or more")
    epsilon = DEFAULT_EPSILON
    if "epsilon" in layer:
        epsilon = r.number((*lp, "epsilon"))
        if epsilon <= 0:
            raise r.fail((*lp, "epsilon"), f"epsilon must be positive, got {epsilon}",
                         hint="ε keeps √(σ² + ε) away from 0, e.g. `epsilon: 1e-5`")
    made = made_units(r, lp, "kind", (size,), (number, pos), LINEAR, notation,
                      layer_of=layer_of, unit_keys=unit_keys, claim=claim)
    upper = f"^{{[{number}]}}" if several else ""
    gammas = tuple(_param(rf"\gamma{upper}_{{{j}}}") for j in range(1, size + 1))
    betas = tuple(_param(rf"\beta{upper}_{{{j}}}") for j in range(1, size + 1))
    geometry = NormGeometry(size, epsilon, gammas, betas)
    lay = LayerSpec(name, pos, number, tuple(u.name for u in made), LINEAR, norm=geometry)
    return lay, made


def _param(latex: str) -> tuple[str, str]:
    return plain_name(latex), latex


def layer_norm_count(items: Sequence[Any]) -> int:
    """How many layers of ``items`` (the spec's ``layers``) are layer_norm layers."""
    return sum(1 for item in items
               if isinstance(item, dict) and item.get("kind") == LAYER_NORM_KIND)


def norm_formulas(lay: LayerSpec, inputs: Sequence[InputSpec], layers: Sequence[LayerSpec]
                  ) -> list[FormulaSpec]:
    """Every unit of a layer_norm layer as a formula of the layer below and its γ_j, β_j."""
    assert lay.norm is not None
    sources = [i.name for i in inputs] if lay.position == 1 \
        else list(layers[lay.position - 2].units)
    out = []
    for j, unit in enumerate(lay.units):
        gamma, beta = lay.norm.gammas[j][0], lay.norm.betas[j][0]
        term = _formula(sources, j, gamma, beta, lay.norm.epsilon)
        text = f"{gamma}*({sources[j]} - mu)/sqrt(sigma^2 + {lay.norm.epsilon}) + {beta}"
        out.append(FormulaSpec(unit, text, term, tuple(sources), (gamma, beta)))
    return out


def _formula(sources: Sequence[str], j: int, gamma: str, beta: str, epsilon: Fraction
             ) -> Term:
    """γ_j (a_j − μ)/√(σ² + ε) + β_j with μ and σ² written out over ``sources``; names
    carry increasing positions so that a_1, …, a_H come first, then γ_j, then β_j."""
    count = len(sources)

    def name(text: str, pos: int) -> Term:
        return Term("name", text=text, pos=pos)

    def num(value: Fraction) -> Term:
        return Term("num", text=str(value))

    def mean(parts: list[Term]) -> Term:
        return Term("div", (Term("add", tuple(parts)), num(Fraction(count))))

    mu = mean([name(s, k) for k, s in enumerate(sources)])
    square = [Term("pow", (Term("add", (name(s, k), Term("neg", (mu,)))), num(Fraction(2))))
              for k, s in enumerate(sources)]
    variance = mean(square)
    root = Term("pow", (Term("add", (variance, num(epsilon))), num(Fraction(1, 2))))
    centred = Term("add", (name(sources[j], j), Term("neg", (mu,))))
    scaled = Term("mul", (name(gamma, count), Term("div", (centred, root))))
    return Term("add", (scaled, name(beta, count + 1)))
