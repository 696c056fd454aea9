"""Mistakes in the backward pass of a normalisation layer (layer_norm): its statistics taken
as constants, the unbiased variance, and the statistics taken over the wrong axis.

With ∂L/∂x̂_k = γ_k ∂L/∂y_k, the gradient by a unit a_j of the H units a layer_norm layer
normalises is (Ba, Kiros and Hinton 2016; the batch-norm form of Ioffe and Szegedy 2015, §3,
taken over the units instead of the examples)

    ∂L/∂a_j = 1/√(σ² + ε) · (∂L/∂x̂_j − (1/H) Σ_k ∂L/∂x̂_k − x̂_j (1/H) Σ_k ∂L/∂x̂_k x̂_k).

Each mistake gives another value of this sum, computed here at the random points from the
network's own μ, σ², γ_k and ∂L/∂y_k:

* NORM_STATISTICS_CONSTANT: μ, σ² or both held constant, so the mean term, the x̂ term or
  both are missing;
* NORM_UNBIASED_VARIANCE: σ² with 1/(H − 1), in the variance (and so in x̂) or in its
  derivative only;
* NORM_WRONG_AXIS: the statistics of each unit taken on their own (over the examples, as
  batch normalisation takes them), so each sum over the H units is the unit's own term.

A gradient of a quantity that reaches the layer through one unit a_j only (a_j, its δ, the
weights and bias into it) is ∂L/∂a_j times a factor of its own, which the true gradient
gives: the mistaken value is the true one scaled by mistaken ∂L/∂a_j over true ∂L/∂a_j.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..judging.sample_points import close
from .heads import output_gradient_unit

if TYPE_CHECKING:
    from ...network.build import Unit
    from ...spec.model import LayerSpec
    from ..judging.context import Context

STATISTICS_CONSTANT = "the layer normalisation's statistics are taken as constants"
UNBIASED_VARIANCE = "the layer normalisation's variance divides by H − 1"
WRONG_AXIS = "the layer normalisation's statistics are taken over the wrong axis"
_RULE = ("∂L/∂a_j = 1/√(σ² + ε) (∂L/∂x̂_j − (1/H) Σ_k ∂L/∂x̂_k − x̂_j (1/H) Σ_k ∂L/∂x̂_k x̂_k) "
         "with ∂L/∂x̂_k = γ_k ∂L/∂y_k")

# a mistaken ∂L/∂a_j from (g_k = ∂L/∂x̂_k, centred a_k − μ, σ², ε, H, j)
Form = Callable[[list[sp.Expr], list[sp.Expr], sp.Expr, sp.Expr, int, int], sp.Expr]


def _gradient(g: list[sp.Expr], c: list[sp.Expr], var: sp.Expr, eps: sp.Expr, j: int, *,
              mean: bool = True, spread: bool = True, divisor: int | None = None,
              own: bool = False) -> sp.Expr:
    """∂L/∂a_j by the rule above, with its mean term (``mean``) and its x̂ term (``spread``)
    or without, the x̂ sum divided by ``divisor`` (H when None), each sum only the unit's own
    term when ``own``."""
    h = len(g)
    root = sp.sqrt(var + eps)
    xhat = [ck / root for ck in c]
    keep = [j] if own else list(range(h))
    count = 1 if own else h
    out = g[j]
    if mean:
        out -= sp.Add(*[g[k] for k in keep]) / count
    if spread:
        out -= xhat[j] * sp.Add(*[g[k] * xhat[k] for k in keep]) / (divisor or count)
    return out / root


_MISTAKES: tuple[tuple[str, str, Form], ...] = (
    (STATISTICS_CONSTANT, "μ and σ² are constants of a_j, so both sums over the units are "
     "missing", lambda g, c, v, e, h, j: _gradient(g, c, v, e, j, mean=False, spread=False)),
    (STATISTICS_CONSTANT, "μ is a constant of a_j, so the term −(1/H) Σ_k ∂L/∂x̂_k is missing",
     lambda g, c, v, e, h, j: _gradient(g, c, v, e, j, mean=False)),
    (STATISTICS_CONSTANT, "σ² is a constant of a_j, so the term −x̂_j (1/H) Σ_k ∂L/∂x̂_k x̂_k is "
     "missing", lambda g, c, v, e, h, j: _gradient(g, c, v, e, j, spread=False)),
    (UNBIASED_VARIANCE, "σ² = (1/(H − 1)) Σ_k (a_k − μ)², the sample variance, where layer "
     "normalisation divides by H", lambda g, c, v, e, h, j: _gradient(
         g, c, v * sp.Rational(h, h - 1), e, j, divisor=h - 1)),
    (UNBIASED_VARIANCE, "the x̂ term divides by H − 1, the derivative of a variance over "
     "H − 1, where layer normalisation divides by H",
     lambda g, c, v, e, h, j: _gradient(g, c, v, e, j, divisor=h - 1)),
    (WRONG_AXIS, "each unit is normalised by statistics of its own, as batch normalisation "
     "takes them over the examples, so each sum over the H units is the unit's own term",
     lambda g, c, v, e, h, j: _gradient(g, c, v, e, j, own=True)),
)


def norm_mistakes(ctx: Context, head: Any, side: Any, param: sp.Symbol | None) -> list[str]:
    """The normalisation mistake whose value ``side`` has, ``head`` the gradient of a
    quantity that reaches a layer_norm layer through one of its units only."""
    if side.values is None or head.values is None:
        return []
    found = _through(ctx, head, param)
    if found is None:
        return []
    lay, j = found
    truth = list(head.values)
    correct = _values(ctx, lay, j, lambda g, c, v, e, h, k: _gradient(g, c, v, e, k))
    if any(v is None for v in (*truth, *correct, *side.values)) or \
            not any(v != 0 for v in truth) or any(v == 0 for v in correct):
        return []
    for code, why, form in _MISTAKES:
        wrong = _values(ctx, lay, j, form)
        if any(w is None for w in wrong):
            continue
        if all(close(s, t * w / c) for s, t, w, c in
               zip(side.values, truth, wrong, correct, strict=True)) and \
                not all(close(w, c) for w, c in zip(wrong, correct, strict=True)):
            return [f"{code}: {why}; {_RULE}"]
    return []


def _values(ctx: Context, lay: LayerSpec, j: int, form: Form) -> list[Any]:
    norm = lay.norm
    assert norm is not None
    net = ctx.net
    units = [net.unit_by_name[n] for n in lay.units]
    below = [net.unit_by_name[n] for n in net.spec.layers[lay.position - 2].units]
    mu = net.unit_by_name[norm.mean].out
    var = net.unit_by_name[norm.variance].out
    gains = [net.symbol_by_name[name] for name, _ in norm.gammas]
    g = [gain * u.delta for gain, u in zip(gains, units, strict=True)]
    c = [u.out - mu for u in below]
    expr = form(g, c, var, sp.Rational(norm.epsilon.numerator, norm.epsilon.denominator), len(g), j)
    return ctx.points.compile(expr).everywhere()


def _through(ctx: Context, head: Any, param: sp.Symbol | None) -> tuple[LayerSpec, int] | None:
    """The layer_norm layer and the place j of the unit below it through which alone the
    quantity of ``head`` reaches it (∂L/∂a_j, δ_j, a weight or bias into unit j)."""
    unit: Unit | None = output_gradient_unit(ctx, head)
    if unit is None:
        unit = next((u for u in ctx.net.units if u.delta == head.side.raw), None)
    if unit is None and param is not None:
        users = [u for u in ctx.net.units
                 if u.bias == param or any(w == param for _, w in u.incoming)]
        unit = users[0] if len(users) == 1 else None
    if unit is None:
        return None
    layers = ctx.net.spec.layers
    for lay in layers:
        if lay.norm is not None and lay.position >= 2 and \
                unit.name in layers[lay.position - 2].units:
            return lay, layers[lay.position - 2].units.index(unit.name)
    return None
