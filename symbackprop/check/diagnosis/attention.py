"""Mistakes in the backward pass of self-attention: the row softmax's Jacobian taken as
elementwise (ATTENTION_SOFTMAX_ELEMENTWISE) and the 1/√d scale left out
(ATTENTION_SCALE_MISSING).

P_{t,·} is the softmax of the row S_{t,·}, so every P_{t,k} of the row depends on S_{t,u}:
∂L/∂S_{t,u} = P_{t,u} (∂L/∂P_{t,u} − Σ_k P_{t,k} ∂L/∂P_{t,k}). Keeping only the diagonal
term, P_{t,u} (1 − P_{t,u}) ∂L/∂P_{t,u}, treats the softmax as if it were a sigmoid of each
entry. The scores are S = Q Kᵀ/√d, so every gradient that reaches Q or K through S carries
the factor 1/√d; leaving it out gives √d times the true value of ∂L/∂Q, ∂L/∂K, ∂L/∂W^Q,
∂L/∂W^K (and of S itself, written without its scale). Both are compared, at the random
points, with the values the mistake would give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mpmath
import sympy as sp

from ...spec.kinds.attention import entry_name
from ..judging.sample_points import close
from .heads import output_gradient_unit

if TYPE_CHECKING:
    from ...network.build import Unit
    from ...spec.model import AttentionGeometry
    from ..judging.context import Context

SOFTMAX_ELEMENTWISE = "the softmax Jacobian of attention is taken as elementwise"
SCALE_MISSING = "the attention scale 1/√d is missing"


def attention_mistakes(ctx: Context, head: Any, side: Any, param: sp.Symbol | None
                       ) -> list[str]:
    """ATTENTION_SOFTMAX_ELEMENTWISE when ``side`` is P_{t,u} (1 − P_{t,u}) ∂L/∂P_{t,u} at
    every point and ``head`` is ∂L/∂S_{t,u}; ATTENTION_SCALE_MISSING when ``side`` is √d
    times the true value of ``head``, a quantity S, Q or K of the head, or of ∂L/∂W^Q or
    ∂L/∂W^K."""
    geometry = next((lay.attention for lay in ctx.net.spec.layers
                     if lay.attention is not None), None)
    if geometry is None or side.values is None or head.values is None:
        return []
    truth, written = head.values, side.values
    if any(v is None for v in (*truth, *written)) or not any(v != 0 for v in truth):
        return []
    entry, unit = _entry(ctx, head, geometry)
    if entry is not None and entry[0] == "S" and unit is not None and \
            unit.out != head.side.raw:
        found = _elementwise(ctx, entry, truth, written)
        if found:
            return found
    weights = {name for matrix in geometry.weights[:2] for name, _ in matrix}
    scaled = (entry is not None and entry[0] in "SQK") or \
        (param is not None and param.name in weights)
    if not scaled or geometry.width < 2:
        return []
    root = mpmath.sqrt(geometry.width)
    if all(close(w, v * root) for v, w in zip(truth, written, strict=True)):
        return [f"{SCALE_MISSING}: it equals √d = √{geometry.width} times the true value; "
                f"the scores are S = Q Kᵀ/√d, so ∂S_{{t,u}}/∂Q_{{t,j}} = K_{{u,j}}/√d and "
                f"∂L/∂Q_{{t,j}} = (1/√d) Σ_u ∂L/∂S_{{t,u}} K_{{u,j}}"]
    return []


def _entry(ctx: Context, head: Any, geometry: AttentionGeometry
           ) -> tuple[tuple[str, int, int] | None, Unit | None]:
    """(matrix, t, u) of the attention entry ``head`` is the gradient (∂L/∂S_{t,u}, δ) or
    the value of, and its unit."""
    unit = output_gradient_unit(ctx, head)
    raw = head.side.raw
    if unit is None:
        unit = next((u for u in ctx.net.units if raw in (u.delta, u.out)), None)
    if unit is None:
        return None, None
    for matrix in ("Q", "K", "S"):
        rows = geometry.tokens
        cols = geometry.tokens if matrix == "S" else geometry.width
        for t in range(1, rows + 1):
            for u in range(1, cols + 1):
                if entry_name(matrix, t, u) == unit.name:
                    return (matrix, t, u), unit
    return None, unit


def _elementwise(ctx: Context, entry: tuple[str, int, int], truth: list[Any],
                 written: list[Any]) -> list[str]:
    _, t, u = entry
    prob = ctx.net.unit_by_name.get(entry_name("P", t, u))
    if prob is None:
        return []
    p = ctx.points.compile(prob.out).everywhere()
    g = ctx.points.compile(prob.delta).everywhere()
    if any(v is None for v in (*p, *g)):
        return []
    diagonal = [a * (1 - a) * b for a, b in zip(p, g, strict=True)]
    if all(close(w, e) for w, e in zip(written, diagonal, strict=True)) and \
            not all(close(v, e) for v, e in zip(truth, diagonal, strict=True)):
        return [f"{SOFTMAX_ELEMENTWISE}: it is P_{{{t},{u}}} (1 − P_{{{t},{u}}}) "
                f"∂L/∂P_{{{t},{u}}}, the diagonal of the Jacobian only; every P_{{{t},k}} of "
                f"the row depends on S_{{{t},{u}}}, so ∂L/∂S_{{t,u}} = P_{{t,u}} (∂L/∂P_{{t,u}} "
                f"− Σ_k P_{{t,k}} ∂L/∂P_{{t,k}})"]
    return []
