"""What the left side of a step names, for the diagnoses of the layer kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

if TYPE_CHECKING:
    from ...network.build import Unit
    from ..judging.context import Context


def output_gradient_unit(ctx: Context, head: Any) -> Unit | None:
    """The unit u when ``head`` is ∂L/∂out_u, the loss's gradient with respect to a unit's
    activation (a recurrent state h^{(t)}, a pooled-from a); None otherwise."""
    raw, partials = head.side.raw, head.side.partials
    if not (isinstance(raw, sp.Symbol) and raw in partials) or \
            partials[raw].numerator != ctx.quantities.loss:
        return None
    state = partials[raw].denominator
    return next((u for u in ctx.net.units if u.out == state), None)
