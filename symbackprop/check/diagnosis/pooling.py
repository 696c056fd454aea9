"""A max-pooling gradient spread over the window (MAX_POOL_SPREAD).

Max pooling routes the δ of a pooling output to the (first) maximum of its window only: a
unit of the layer below gets the δ of the windows it is the maximum of, and 0 from the
others. A formula that gives a pooled-from unit the δ of every window it is in, or that δ
divided by the window's size k² as average pooling would, spreads the gradient over the
window. Both are built from the network's own pooling units and compared at the random points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from ..judging.sample_points import close
from .heads import output_gradient_unit

if TYPE_CHECKING:
    from ..judging.context import Context

MAX_POOL_SPREAD = "the max-pooling gradient is spread over the window"


def pool_mistakes(ctx: Context, head: Any, side: Any) -> list[str]:
    """MAX_POOL_SPREAD when ``side`` gives ∂L/∂a of a pooled-from unit as the pooling
    outputs' δ for every window member (or divided by the window's size)."""
    if side.values is None or not any(u.pool == "max" for u in ctx.net.units):
        return []
    unit = output_gradient_unit(ctx, head)
    if unit is None:
        return []
    pools = [c for c in ctx.net.units if c.pool == "max" and
             any(source == unit.name for source, _ in c.incoming)]
    if not pools:
        return []
    spread = sp.Add(*[c.delta for c in pools])
    size = len(pools[0].incoming)
    for what, expr in (("the δ of every window it is in", spread),
                       (f"the δ of every window it is in divided by {size}", spread / size)):
        mine = ctx.points.compile(expr).everywhere()
        if all(v is not None and w is not None and close(v, w)
               for v, w in zip(side.values, mine, strict=True)):
            return [f"{MAX_POOL_SPREAD}: {ctx.text_of(unit.out)} gets {what}; max pooling "
                    f"routes each window's δ to its (first) maximum only, and 0 to the "
                    f"other members of the window"]
    return []
