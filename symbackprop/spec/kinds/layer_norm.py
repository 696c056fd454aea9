"""The layer_norm layer kind (Ba, Kiros and Hinton 2016, "Layer Normalization").

Over the H units a_1, …, a_H of the dense layer below it, a layer_norm layer has H units

    μ = (1/H) Σ_k a_k,   σ² = (1/H) Σ_k (a_k − μ)²,   x̂_j = (a_j − μ)/√(σ² + ε),
    y_j = γ_j x̂_j + β_j,

with γ_j and β_j trainable per unit and ε > 0 a constant of the spec (``epsilon``, 1e-5 when
not given). μ, σ² and each y_j are formula nodes (:class:`~symbackprop.spec.model.FormulaSpec`): μ
of the layer below, σ² of it and μ, y_j of a_j, μ, σ², γ_j and β_j, so every formula is as
the paper writes it and the engine takes each local derivative (∂y_j/∂σ², ∂σ²/∂a_k, …) by
one ``diff``, as for the nodes of a ``nodes:`` spec: the derivation stays linear in H.
γ_j prints as ``\\gamma_{j}`` (``\\gamma^{[l]}_{j}``
when the spec has several layer_norm layers), β_j likewise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from ..confusables import skeleton
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
from ..naming import name_key, plain_name
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
    upper = f"^{{[{number}]}}" if several else ""
    statistics = [_statistic(name, pos, size + k, tex) for k, (name, tex) in enumerate(
        ((f"u{number}_mu", rf"\mu{upper}"),
         (f"u{number}_var", rf"(\sigma{upper})^{{2}}" if several else r"\sigma^{2}")),
        start=1)]
    for unit in statistics:
        if skeleton(name_key(unit.name)) in unit_keys:
            raise r.fail(lp, f"unit name `{unit.name}` of this layer is already used",
                         hint="every input and unit needs its own name")
        unit_keys[skeleton(name_key(unit.name))] = unit.name
        layer_of[unit.name] = pos
        claim(unit)
    made = made_units(r, lp, "kind", (size,), (number, pos), LINEAR, notation,
                      layer_of=layer_of, unit_keys=unit_keys, claim=claim)
    gammas = tuple(_param(rf"\gamma{upper}_{{{j}}}") for j in range(1, size + 1))
    betas = tuple(_param(rf"\beta{upper}_{{{j}}}") for j in range(1, size + 1))
    geometry = NormGeometry(size, epsilon, gammas, betas, statistics[0].name,
                            statistics[1].name)
    lay = LayerSpec(name, pos, number, tuple(u.name for u in made), LINEAR, norm=geometry)
    return lay, [*statistics, *made]


def _param(latex: str) -> tuple[str, str]:
    return plain_name(latex), latex


def _statistic(name: str, pos: int, index: int, latex: str) -> UnitSpec:
    """The unit of μ or σ², a node of the layer with its own name (as a ``nodes:`` spec
    names its nodes: z_{μ}, μ, δ_{μ})."""
    return UnitSpec(name, pos, index, LINEAR, latex, f"z_{{{latex}}}", "",
                    rf"\delta_{{{latex}}}")


def layer_norm_count(items: Sequence[Any]) -> int:
    """How many layers of ``items`` (the spec's ``layers``) are layer_norm layers."""
    return sum(1 for item in items
               if isinstance(item, dict) and item.get("kind") == LAYER_NORM_KIND)


def norm_formulas(lay: LayerSpec, inputs: Sequence[InputSpec], layers: Sequence[LayerSpec]
                  ) -> list[FormulaSpec]:
    """μ, σ² and every unit y_j of a layer_norm layer as formulas of the layer below, of μ
    and σ², and of γ_j, β_j."""
    norm = lay.norm
    assert norm is not None
    sources = [i.name for i in inputs] if lay.position == 1 \
        else list(layers[lay.position - 2].units)
    count = len(sources)
    mu, var = norm.mean, norm.variance

    def name(text: str, pos: int) -> Term:
        return Term("name", text=text, pos=pos)

    def num(value: Fraction) -> Term:
        return Term("num", text=str(value))

    def mean(parts: list[Term]) -> Term:
        return Term("div", (Term("add", tuple(parts)), num(Fraction(count))))

    def centred(k: int) -> Term:
        return Term("add", (name(sources[k], k), Term("neg", (name(mu, count),))))

    mean_term = mean([name(s, k) for k, s in enumerate(sources)])
    variance = mean([Term("pow", (centred(k), num(Fraction(2)))) for k in range(count)])
    out = [FormulaSpec(mu, " + ".join(sources), mean_term, tuple(sources), ()),
           FormulaSpec(var, "variance", variance, (*sources, mu), ())]
    for j, unit in enumerate(lay.units):
        gamma, beta = norm.gammas[j][0], norm.betas[j][0]
        root = Term("pow", (Term("add", (name(var, count + 1), num(norm.epsilon))),
                            num(Fraction(1, 2))))
        term = Term("add", (Term("mul", (name(gamma, count + 2),
                                         Term("div", (centred(j), root)))),
                            name(beta, count + 3)))
        text = f"{gamma}*({sources[j]} - {mu})/sqrt({var} + {norm.epsilon}) + {beta}"
        out.append(FormulaSpec(unit, text, term, (sources[j], mu, var), (gamma, beta)))
    return out
