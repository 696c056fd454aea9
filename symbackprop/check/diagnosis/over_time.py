"""Mistakes of back-propagation through time, in a network with a recurrent layer.

W, U, V, b and c are shared by every step, and the state h^{(t)} feeds both the output of its
step and the next step. Three mistakes are named here, each by comparing values at the random
points with what the mistake gives, built from the network's own units:

* the sum over time left out (MISSING_SUM_OVER_TIME): a shared parameter's gradient is the
  term of one step, or of some steps only (Σ_t over every step where it is used belongs);
* the recurrent term left out (MISSING_RECURRENT_TERM): ∂L/∂h^{(t)} is the output's term
  Σ_k V_{k,i} ∂L/∂o^{(t)}_k alone, without Σ_k W_{k,i} δ^{(t+1)}_k through the next step;
* the activation's derivative at the wrong step (DERIVATIVE_AT_WRONG_STEP): 1 − (h^{(t−1)}_i)²
  where the derivative of the unit at step t, 1 − (h^{(t)}_i)², belongs.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..judging.sample_points import close
from .heads import output_gradient_unit

if TYPE_CHECKING:
    from ..judging.context import Context

MAX_SUBSETS_STEPS = 6  # up to this many steps, every proper subset of them is tried
NO_SUM = "the sum over time"
NO_RECURRENT = "the recurrent term is missing"
WRONG_STEP = "the activation's derivative is taken at the wrong step"


def _recurrent(ctx: Context, unit: Any) -> Any:
    """The recurrent geometry of a unit's layer (None outside a recurrent network)."""
    for layer in ctx.net.spec.layers:
        if layer.position == unit.layer:
            return layer.recurrent
    return None


def _matches(ctx: Context, expr: sp.Expr, values: list[Any]) -> bool:
    mine = ctx.points.compile(expr).everywhere()
    return all(v is not None and w is not None and close(v, w)
               for v, w in zip(values, mine, strict=True))


def over_time_mistakes(ctx: Context, head: Any, side: Any,
                       gradient_param: Callable[[Any], sp.Symbol | None],
                       uses: Callable[[Context, sp.Symbol], list[tuple[Any, sp.Expr]]]
                       ) -> list[str]:
    """The BPTT mistakes that explain ``side`` (compared with ``head``)."""
    if side.values is None or head.values is None or \
            not any(layer.recurrent is not None for layer in ctx.net.spec.layers):
        return []
    found: list[str] = []
    param = gradient_param(head)
    if param is not None:
        found += _sum_over_time(ctx, param, side.values, uses(ctx, param))
    found += _recurrent_term(ctx, head, side.values)
    return found + _wrong_step(ctx, side, head.values)


def _sum_over_time(ctx: Context, param: sp.Symbol, values: list[Any],
                   uses: list[tuple[Any, sp.Expr]]) -> list[str]:
    """MISSING_SUM_OVER_TIME: the side is the terms of some of the steps only."""
    terms: dict[int, sp.Expr] = {}
    for u, times in uses:
        if _recurrent(ctx, u) is None:
            return []
        terms[u.group] = terms.get(u.group, sp.S.Zero) + u.delta * times
    steps = sorted(terms)
    if len(steps) < 2:
        return []
    sizes = range(1, len(steps)) if len(steps) <= MAX_SUBSETS_STEPS else range(1, 2)
    name = ctx.text_of(param)
    every = ", ".join(map(str, steps))
    for size in sizes:
        for subset in combinations(steps, size):
            if not _matches(ctx, sp.Add(*[terms[t] for t in subset]), values):
                continue
            some = ", ".join(map(str, subset))
            if size == 1:
                what = f"is missing: the formula is the term of step t = {some} only"
            else:
                what = f"misses steps: the formula sums the terms of t = {some} only"
            return [f"{NO_SUM} {what}; {name} is shared by every step and used at t = "
                    f"{every}, so ∂L/∂{name} is the sum over time of the steps' terms"]
    return []


def _recurrent_term(ctx: Context, head: Any, values: list[Any]) -> list[str]:
    """MISSING_RECURRENT_TERM: ∂L/∂h^{(t)} written as its output's term alone."""
    unit = output_gradient_unit(ctx, head)
    geometry = _recurrent(ctx, unit) if unit is not None else None
    if unit is None or geometry is None or geometry.role != "hidden":
        return []
    output, following = sp.S.Zero, []
    for c in ctx.net.units:
        for source, w in c.incoming:
            if source != unit.name:
                continue
            if getattr(_recurrent(ctx, c), "role", None) == "hidden":
                following.append(c)
            else:
                output += c.delta * w
    if not following or output == 0 or not _matches(ctx, output, values):
        return []
    nxt = ", ".join(ctx.text_of(c.net) for c in following)
    return [f"{NO_RECURRENT}: {ctx.text_of(unit.out)} also feeds the next step ({nxt}), so "
            f"∂L/∂{ctx.text_of(unit.out)} adds Σ_k W_{{k,i}} (1 − (h^{{(t+1)}}_k)²) "
            f"∂L/∂h^{{(t+1)}}_k to the output's term"]


def _wrong_step(ctx: Context, side: Any, truth: list[Any]) -> list[str]:
    """DERIVATIVE_AT_WRONG_STEP: a factor 1 − (h^{(s)}_i)² whose step is one off."""
    raw, partials = side.side.raw, side.side.partials
    q = ctx.quantities
    if any(p.numerator == q.cost for p in partials.values()):
        return []
    states: dict[sp.Symbol, tuple[int, int, int]] = {}
    for u in ctx.net.units:
        g = _recurrent(ctx, u)
        if g is not None and g.role == "hidden":
            _, step, index = u.name.rsplit("_", 2)  # u{l}_{t}_{i}
            states[u.out] = (u.layer, int(step), int(index))
    by_place = {v: k for k, v in states.items()}
    factors = [a for a in sp.preorder_traversal(raw) if isinstance(a, sp.Add) and
               len(a.free_symbols) == 1 and next(iter(a.free_symbols)) in states]
    if not factors:
        return []
    values = {ph: ctx.graph.partial_value(p.numerator, p.denominator, p.text).value
              for ph, p in partials.items()}
    for shift in (1, -1):
        moved: dict[sp.Expr, sp.Expr] = {}
        for a in factors:
            s = next(iter(a.free_symbols))
            layer, step, index = states[s]
            other = by_place.get((layer, step + shift, index))
            if other is None and step + shift != 0:
                break
            moved[a] = a.xreplace({s: other if other is not None else sp.S.Zero})
        else:
            if _matches(ctx, raw.xreplace(moved).xreplace(values), truth):
                a = factors[0]
                s = next(iter(a.free_symbols))
                return [f"{WRONG_STEP}: {ctx.text_of(s)} is at step {states[s][1]}, and the "
                        f"term goes through the unit at step {states[s][1] + shift}; each "
                        f"step's term has the derivative of its own step, 1 − (h^{{(t)}})²"]
    return []
