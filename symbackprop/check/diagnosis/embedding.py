"""An embedding row's gradient taken from one occurrence of its token
(EMBEDDING_NOT_ACCUMULATED).

An embedding layer looks up the row E_{v,·} at every position whose token is v, so a token
that occurs twice accumulates both gradients, ∂L/∂E_{v,k} = Σ_{t : token_t = v} δ_{t,k}
(CS231n's ``np.add.at``). Writing the gradient of one position only, as an assignment
``dW[x[t]] = dout[t]`` overwrites the earlier occurrences, is compared at the random points
with each occurrence's δ on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from ..judging.sample_points import close

if TYPE_CHECKING:
    from ..judging.context import Context

NOT_ACCUMULATED = "the embedding gradient is not accumulated over the token's occurrences"


def embedding_mistakes(ctx: Context, param: sp.Symbol | None, values: list[Any] | None
                       ) -> list[str]:
    """EMBEDDING_NOT_ACCUMULATED when ``values`` are the δ of one position whose token
    looks up ``param``, a table entry used at two or more positions."""
    if param is None or values is None:
        return []
    lookups = [u for lay in ctx.net.spec.layers if lay.embedding is not None
               for u in (ctx.net.unit_by_name[n] for n in lay.units) if u.bias == param]
    if len(lookups) < 2:
        return []
    for u in lookups:
        one = ctx.points.compile(u.delta).everywhere()
        if all(v is not None and w is not None and close(v, w)
               for v, w in zip(values, one, strict=True)):
            name = ctx.text_of(param)
            return [f"{NOT_ACCUMULATED}: it is the gradient at {ctx.text_of(u.out)} only, one "
                    f"of the {len(lookups)} positions whose token looks up {name}; a token "
                    f"that occurs more than once adds the gradients of all its positions, "
                    f"∂L/∂E_{{v,k}} = Σ_{{t : token_t = v}} ∂L/∂e_{{t,k}}"]
    return []
