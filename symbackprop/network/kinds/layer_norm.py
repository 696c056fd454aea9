"""What a lecture writes for backpropagation through a layer normalisation layer.

A layer_norm layer (:mod:`symbackprop.spec.kinds.layer_norm`) compiles into the formula
nodes μ, σ² and y_j = γ_j x̂_j + β_j, so the engine's δ of a unit a_j below it is the sum over
the three ways through the layer. Collected, that sum is the rule of Ba, Kiros and Hinton
(2016), the batch-norm rule of Ioffe and Szegedy (2015, §3) with its sums over the H units:

    ∂L/∂a_j = 1/√(σ² + ε) (∂L/∂x̂_j − (1/H) Σ_k ∂L/∂x̂_k − x̂_j (1/H) Σ_k ∂L/∂x̂_k x̂_k),
    x̂_j = (a_j − μ)/√(σ² + ε),  ∂L/∂x̂_k = γ_k ∂L/∂y_k.

This module prints that rule with the names of each layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ...spec.model import NetworkSpec
from ...spec.naming import expand


@dataclass(frozen=True)
class NormRule:
    """The backward step of one layer_norm layer, in index form, with x̂ and ∂L/∂x̂ named."""

    latex: str
    text: str


def norm_rules(spec: NetworkSpec) -> list[NormRule]:
    """The rule of every layer_norm layer: ∂L/∂a_j of the layer below by its x̂ and ∂L/∂x̂.

    >>> norm_rules(load_spec("specs/layernorm.yaml"))[0].text  # doctest: +SKIP
    '∂L/∂a^{[1]}_{j} = 1/√(σ² + ε) (∂L/∂x̂_j − (1/H) Σ_k ∂L/∂x̂_k − x̂_j (1/H) Σ_k ∂L/∂x̂_k x̂_k), …'
    """
    notation = spec.notation
    latex_of = {u.name: u.latex for u in spec.units}
    rules = []
    for lay in spec.layers:
        norm = lay.norm
        if norm is None:
            continue
        upper = f"^{{[{lay.number}]}}" if sum(1 for x in spec.layers if x.norm) > 1 else ""
        source = expand(notation.activation, layer=lay.number - 1, index="j")
        source_k = expand(notation.activation, layer=lay.number - 1, index="k")
        delta_k = expand(notation.delta, layer=lay.number, index="k")
        mu, var = latex_of[norm.mean], latex_of[norm.variance]
        root = rf"\sqrt{{{var} + \epsilon}}"
        xhat = {i: rf"\hat{{x}}{upper}_{{{i}}}" for i in "jk"}
        dx = {i: rf"\frac{{\partial L}}{{\partial {xhat[i]}}}" for i in "jk"}
        gamma_k = norm.gammas[0][1].replace("_{1}", "_{k}")
        mean = r"\frac{1}{H} \sum_{k=1}^{H}"
        latex = (rf"\frac{{\partial L}}{{\partial {source}}} = \frac{{1}}{{{root}}} \left("
                 rf"{dx['j']} - {mean} {dx['k']} - {xhat['j']} {mean} {dx['k']} {xhat['k']}"
                 rf"\right), \quad {xhat['k']} = \frac{{{source_k} - {mu}}}{{{root}}},\ "
                 rf"{dx['k']} = {gamma_k} {delta_k},\ H = {norm.size},\ "
                 rf"\epsilon = {_latex_number(norm.epsilon)}")
        text = (f"∂L/∂{source} = 1/√({var} + ε) (∂L/∂x̂_j − (1/H) Σ_k ∂L/∂x̂_k − x̂_j (1/H) "
                f"Σ_k ∂L/∂x̂_k x̂_k), x̂_k = ({source_k} − {mu})/√({var} + ε), "
                f"∂L/∂x̂_k = {gamma_k} {delta_k}, H = {norm.size}, ε = {norm.epsilon}")
        for tex, plain in ((r"\delta", "δ"), (r"\gamma", "γ"), (r"\mu", "μ"),
                           (r"\sigma^{2}", "σ²"), (r"\sigma", "σ")):
            text = text.replace(tex, plain)
        rules.append(NormRule(latex, text))
    return rules


def _latex_number(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else \
        rf"\frac{{{x.numerator}}}{{{x.denominator}}}"
