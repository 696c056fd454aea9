"""Dropout's backward pass without the 1/p scale (DROPOUT_SCALE_MISSING).

Inverted dropout multiplies a kept unit by 1/p on the way forward (ã_j = m_j a_j / p), so the
backward pass scales the δ through it by 1/p as well: ∂L/∂a_j = (m_j / p) ∂L/∂ã_j. A formula
that masks the δ but leaves out the 1/p gives p times the true value of every quantity below
the dropout layer. The written side is compared, at the random points, with p times the true
value of what its left side names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from ..judging.sample_points import close
from .heads import output_gradient_unit

if TYPE_CHECKING:
    from ..judging.context import Context

DROPOUT_SCALE_MISSING = "dropout's backward pass is without the 1/p scale"


def dropout_mistakes(ctx: Context, head: Any, side: Any, param: sp.Symbol | None
                     ) -> list[str]:
    """DROPOUT_SCALE_MISSING when ``side`` is p times the true value of ``head`` (nonzero at
    some point), ``head`` the gradient of a quantity below a dropout layer of keep
    probability p < 1: ∂L/∂a or δ of a unit, or ∂L/∂θ of a parameter ``param`` used there."""
    layer = _layer_of(ctx, head, param)
    keeps = {lay.dropout.keep for lay in ctx.net.spec.layers if lay.dropout is not None
             and lay.dropout.keep != 1 and layer is not None and layer < lay.position}
    if not keeps or side.values is None or head.values is None:
        return []
    truth, written = head.values, side.values
    if any(v is None for v in (*truth, *written)) or not any(v != 0 for v in truth):
        return []
    for p in sorted(keeps):
        if all(close(w, v * p.numerator / p.denominator) for v, w in
               zip(truth, written, strict=True)):
            return [f"{DROPOUT_SCALE_MISSING}: it equals p = {p} times the true value; "
                    f"inverted dropout scales a kept unit by 1/p = {1 / p} on the way "
                    f"forward, so its δ is scaled by 1/p on the way back: "
                    f"∂L/∂a_j = (m_j / p) ∂L/∂ã_j"]
    return []


def _layer_of(ctx: Context, head: Any, param: sp.Symbol | None) -> int | None:
    """The layer of the quantity ``head`` is the gradient of: the unit of ∂L/∂out_u or of
    δ_u, or the last unit that uses the parameter ``param``; None for anything else."""
    unit = output_gradient_unit(ctx, head)
    if unit is not None:
        return unit.layer
    raw = head.side.raw
    found = next((u for u in ctx.net.units if u.delta == raw), None)
    if found is not None:
        return found.layer
    if param is None:
        return None
    users = [u.layer for u in ctx.net.units
             if u.bias == param or any(w == param for _, w in u.incoming)]
    return max(users, default=None)
