"""The mistakes of batch normalisation's backward pass, named by their values.

Over a batch of m examples a batch_norm unit y_i = γ x̂_i + β, x̂_i = (x_i − μ_B)/√(σ_B² + ε)
reads x_i three ways: through x̂_i, and through μ_B and σ_B², which every example's x
feeds. The three ways summed give Ioffe and Szegedy's result

    ∂L/∂x_i = γ/(m√(σ_B² + ε)) (m ∂L/∂y_i − Σ_j ∂L/∂y_j − x̂_i Σ_j ∂L/∂y_j x̂_j).

A written ∂L/∂x_i (x a unit of the layer the batch norm reads) is compared, at the random
points, with three wrong answers, each built from the network's own values of ∂L/∂y, x̂,
σ_B² and γ there:

* BATCH_NORM_STATISTICS_CONSTANT: μ_B and σ_B² treated as constants, the path through x̂_i
  only: γ/√(σ_B² + ε) ∂L/∂y_i;
* BATCH_NORM_UNBIASED_VARIANCE: 1/(m − 1) where the batch's (biased) variance has 1/m, in the
  variance's term or in both sums;
* BATCH_NORM_WRONG_AXIS: a layer norm's answer, the sums taken over the H units of example i
  instead of over the m examples of unit j.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from ..judging.sample_points import close
from .heads import output_gradient_unit

if TYPE_CHECKING:
    from ...network.build import Network
    from ..judging.context import Context

STATISTICS_CONSTANT = "the batch statistics are treated as constants"
UNBIASED_VARIANCE = "the batch variance is taken with 1/(m − 1)"
WRONG_AXIS = "the sums run over the wrong axis"


def batch_norm_mistakes(ctx: Context, head: Any, side: Any) -> list[str]:
    """The named mistake ``side`` makes when ``head`` is ∂L/∂x_i of a unit x_i that a
    batch_norm layer reads and ``side`` equals one of the wrong answers at every point."""
    if side.values is None or any(v is None for v in side.values):
        return []
    unit = output_gradient_unit(ctx, head)
    if unit is None:
        return []
    for name, expr in wrong_answers(ctx.net, unit.name):
        mine = ctx.points.compile(expr).everywhere()
        truth = head.values
        if truth is not None and all(t is not None and close(t, w)
                                     for t, w in zip(truth, mine, strict=True)):
            continue  # the wrong answer is right here (a degenerate point): names nothing
        if all(v is not None and close(v, w) for v, w in zip(side.values, mine, strict=True)):
            return [_WORDS[name]]
    return []


_WORDS = {
    "constant": f"{STATISTICS_CONSTANT}: it is the path through x̂_i only, "
                "γ/√(σ_B² + ε) ∂L/∂y_i; μ_B and σ_B² depend on every x_j of the batch, so "
                "∂L/∂x_i also sums the paths through them: ∂L/∂x_i = γ/(m√(σ_B² + ε)) "
                "(m ∂L/∂y_i − Σ_j ∂L/∂y_j − x̂_i Σ_j ∂L/∂y_j x̂_j)",
    "unbiased": f"{UNBIASED_VARIANCE}: batch normalisation divides by m, the batch's biased "
                "variance σ_B² = (1/m) Σ_j (x_j − μ_B)², so ∂σ_B²/∂x_i = 2(x_i − μ_B)/m",
    "axis": f"{WRONG_AXIS}: it sums over the units of one example, as layer normalisation "
            "does; batch normalisation takes μ_B and σ_B² of one unit over the m examples "
            "of the batch, so the sums run over the examples j = 1, …, m",
}


def wrong_answers(net: Network, name: str) -> list[tuple[str, sp.Expr]]:
    """(mistake, its value of ∂L/∂x) for the unit ``name`` read by a batch_norm layer, in
    the network's own symbols; empty for any other unit."""
    spec = net.spec
    found = next((lay for lay in spec.layers if lay.batch is not None
                  and lay.batch.epsilon is not None and lay.position >= 2
                  and name in spec.layers[lay.position - 2].units), None)
    if found is None:
        return []
    g = found.batch
    assert g is not None and g.epsilon is not None
    below = spec.layers[found.position - 2].units
    at = below.index(name)
    i, j, m, size = at // g.size, at % g.size, g.examples, g.size
    units = net.unit_by_name
    eps = sp.Rational(g.epsilon.numerator, g.epsilon.denominator)

    def dy(e: int, k: int) -> sp.Expr:
        return units[found.units[e * size + k]].delta  # a linear y: ∂L/∂y is its δ

    def hat(e: int, k: int) -> sp.Expr:
        return units[g.normalized[e * size + k]].out

    def scale(k: int) -> sp.Expr:
        gamma = net.symbol_by_name[g.gammas[k][0]]
        return gamma / sp.sqrt(units[g.variances[k]].out + eps)

    total = sp.Add(*[dy(e, j) for e in range(m)])
    dotted = sp.Add(*[dy(e, j) * hat(e, j) for e in range(m)])
    across = sp.Add(*[dy(i, k) for k in range(size)])
    across_dotted = sp.Add(*[dy(i, k) * hat(i, k) for k in range(size)])
    return [
        ("constant", scale(j) * dy(i, j)),
        ("unbiased", scale(j) * (dy(i, j) - total / m - hat(i, j) * dotted / (m - 1))),
        ("unbiased", scale(j) * (dy(i, j) - (total + hat(i, j) * dotted) / (m - 1))),
        ("axis", scale(j) / size * (size * dy(i, j) - across - hat(i, j) * across_dotted)),
    ]
