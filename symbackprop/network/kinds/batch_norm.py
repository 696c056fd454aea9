"""What a lecture writes for backpropagation through a batch_norm layer.

The layer's nodes μ_B, σ_B², x̂_i and y_i (:mod:`symbackprop.spec.kinds.batch_norm`) give the
engine Kratzert's staged backward pass, one δ per node; summed, the three ways into x_i are
Ioffe and Szegedy's compact results, which this module prints in the layer's own names:

    ∂L/∂x_i = γ/(m√(σ_B² + ε)) (m ∂L/∂y_i − Σ_{j=1}^{m} ∂L/∂y_j − x̂_i Σ_{j=1}^{m} ∂L/∂y_j x̂_j)
    ∂L/∂γ = Σ_{i=1}^{m} ∂L/∂y_i x̂_i,      ∂L/∂β = Σ_{i=1}^{m} ∂L/∂y_i

with m and ε of the spec beside them (over several units, for each unit k: x_{i,k}, γ_k, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ...spec.model import LayerSpec, NetworkSpec
from ...spec.naming import expand


@dataclass(frozen=True)
class BatchNormRule:
    """One of the layer's results in index form: LaTeX, and text (the same in symbols)."""

    latex: str
    text: str


def batch_norm_rules(spec: NetworkSpec) -> list[BatchNormRule]:
    """∂L/∂x_i, ∂L/∂γ and ∂L/∂β of every batch_norm layer, as the paper writes them.

    >>> batch_norm_rules(load_spec("specs/batchnorm.yaml"))[1].latex
    ... # doctest: +SKIP
    '\\\\frac{\\\\partial L}{\\\\partial \\\\gamma} = \\\\sum_{i=1}^{m} ...'
    """
    out: list[BatchNormRule] = []
    for lay in spec.layers:
        g = lay.batch
        if g is None or g.epsilon is None:
            continue
        below = spec.layers[lay.position - 2]
        out += _rules(lay, below, g.examples, g.epsilon, several=g.size > 1)
    return out


def _rules(lay: LayerSpec, below: LayerSpec, m: int, epsilon: Fraction, *, several: bool
           ) -> list[BatchNormRule]:
    assert lay.batch is not None and below.batch is not None
    mine, under = dict(lay.batch.templates), dict(below.batch.templates)
    unit = "k" if several else ""

    def name(template: str, example: str) -> str:
        return expand(template, example=example, index=unit or "1", j=unit, k=unit)

    def dl(what: str) -> str:
        return rf"\frac{{\partial L}}{{\partial {what}}}"

    x_i = name(under["activation"], "i")
    y_i, y_j = name(mine["activation"], "i"), name(mine["activation"], "j")
    hat_i, hat_j = name(mine["normalized"], "i"), name(mine["normalized"], "j")
    variance = expand(mine["variance"], index=unit or "1")
    gamma = expand(mine["gamma"], index=unit or "1", j=unit)
    beta = expand(mine["beta"], index=unit or "1", j=unit)
    over = r"\sum_{j=1}^{m}"
    data = rf", \quad m = {m},\ \epsilon = {_latex_number(epsilon)}"
    latex = [
        rf"{dl(x_i)} = \frac{{{gamma}}}{{m\sqrt{{{variance} + \epsilon}}}} \left( m {dl(y_i)} "
        rf"- {over} {dl(y_j)} - {hat_i} {over} {dl(y_j)} {hat_j} \right){data}",
        rf"{dl(gamma)} = \sum_{{i=1}}^{{m}} {dl(y_i)} {hat_i}",
        rf"{dl(beta)} = \sum_{{i=1}}^{{m}} {dl(y_i)}",
    ]
    return [BatchNormRule(tex, _text(tex)) for tex in latex]


def _latex_number(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else \
        rf"\frac{{{x.numerator}}}{{{x.denominator}}}"


def _text(latex: str) -> str:
    """The rule for a text derivation: its formula in LaTeX, which ``check`` reads back (m
    and ε are the spec's there)."""
    return latex.partition(r", \quad ")[0]
