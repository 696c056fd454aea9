"""Mistakes with weights shared over positions: a flipped kernel, a sum over positions left out.

A convolution's kernel weight w^{[l]}_{f,c,m,n} (and its bias b^{[l]}_f) is one parameter used
at every position (i, j) of the output, so its gradient is a sum over those positions:
∂L/∂w^{[l]}_{f,c,m,n} = Σ_{i,j} δ^{[l]}_{f,i,j} a^{[l−1]}_{c, s(i−1)+m−p, s(j−1)+n−p}. Two
mistakes are named here, each by comparing values at the random points:

* the kernel flipped (KERNEL_FLIPPED): the formula gives, for every instance, the gradient of
  the weight at the 180°-rotated kernel position (m, n) → (k + 1 − m, k + 1 − n), as the
  true convolution of signal processing would, where the forward pass is a cross-correlation;
* a shared weight's gradient not summed over its positions (SHARED_WEIGHT_NOT_SUMMED): the
  written side is the contribution of one position only, δ of one unit times what the
  weight multiplies there;
* the stride left out of the index map (STRIDE_MISSING,
  :mod:`symbackprop.check.diagnosis.index_maps`);
* in a recurrent network, the mistakes of back-propagation through time
  (:mod:`symbackprop.check.diagnosis.over_time`), named before the others, and a
  max-pooling gradient spread over its window (:mod:`symbackprop.check.diagnosis.pooling`)
  and dropout's backward pass without its 1/p scale
  (:mod:`symbackprop.check.diagnosis.dropout`); an embedding row's gradient from one
  occurrence of its token (:mod:`symbackprop.check.diagnosis.embedding`); self-attention's
  softmax Jacobian taken as elementwise and its 1/√d left out
  (:mod:`symbackprop.check.diagnosis.attention`); batch normalisation's backward pass with its
  statistics held constant, an unbiased variance or the sums over the wrong axis
  (:mod:`symbackprop.check.diagnosis.batch_norm`); an LSTM's cell-state path left out and σ′
  and tanh′ swapped between gates (:mod:`symbackprop.check.diagnosis.gated`); the mistakes
  of a layer_norm layer's backward pass (:mod:`symbackprop.check.diagnosis.normalisation`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..judging.sample_points import close
from ..meaning.unknown_names import family_of
from .attention import attention_mistakes
from .batch_norm import batch_norm_mistakes
from .dropout import dropout_mistakes
from .embedding import embedding_mistakes
from .gated import gated_mistakes
from .index_maps import index_map_mistakes
from .normalisation import norm_mistakes
from .over_time import over_time_mistakes
from .pooling import pool_mistakes

if TYPE_CHECKING:
    from ..judging.context import Context

MAX_USES = 64  # positions compared one by one (a larger layer is left to the other checks)
KERNEL_FLIPPED = "the kernel is flipped"
NOT_SUMMED = "the gradient of the shared weight"


def shared_weight_mistakes(ctx: Context, evaluated: list[tuple[Any, list[Any]]],
                           heads: list[Any], k: int, bad: int,
                           gradient_param: Callable[[Any], sp.Symbol | None]) -> list[str]:
    """The shared-weight mistakes that explain side ``k`` (``bad``: the failing instance)."""
    side = evaluated[bad][1][k]
    gated = gated_mistakes(ctx, heads[bad], side, gradient_param(heads[bad]), _uses)
    if gated:
        return gated
    over_time = over_time_mistakes(ctx, heads[bad], side, gradient_param, _uses)
    if over_time:
        return over_time
    param = gradient_param(heads[bad])
    pooled = pool_mistakes(ctx, heads[bad], side) or \
        dropout_mistakes(ctx, heads[bad], side, param) or \
        attention_mistakes(ctx, heads[bad], side, param) or \
        batch_norm_mistakes(ctx, heads[bad], side) or \
        norm_mistakes(ctx, heads[bad], side, param)
    if pooled:
        return pooled
    looked_up = embedding_mistakes(ctx, param, side.values)
    if looked_up:
        return looked_up
    found = _flipped(ctx, evaluated, heads, k, gradient_param)
    if param is not None and side.values is not None:
        found += _one_position(ctx, param, side.values)
        found += index_map_mistakes(ctx, param, side.values)
    return found


def _conv_position(ctx: Context, param: sp.Symbol) -> tuple[Any, tuple[int, ...]] | None:
    """The conv geometry and the numbers of a kernel weight's name (layer, f, c, m[, n])."""
    numbers = family_of(ctx.quantities.latex_of(param))[1]
    if not numbers:
        return None
    for layer in ctx.net.spec.layers:
        conv = layer.conv
        if conv is not None and layer.number == numbers[0] and \
                len(numbers) == 3 + len(conv.kernel):
            return conv, numbers
    return None


def _flipped_param(ctx: Context, param: sp.Symbol) -> sp.Symbol | None:
    found = _conv_position(ctx, param)
    if found is None:
        return None
    conv, numbers = found
    taps = numbers[3:]
    turned = tuple(size + 1 - t for size, t in zip(conv.kernel, taps, strict=True))
    want = (family_of(ctx.quantities.latex_of(param))[0], (*numbers[:3], *turned))
    for q in ctx.net.params:
        if family_of(ctx.quantities.latex_of(q)) == want:
            return q
    return None


def _flipped(ctx: Context, evaluated: list[tuple[Any, list[Any]]], heads: list[Any], k: int,
             gradient_param: Callable[[Any], sp.Symbol | None]) -> list[str]:
    """KERNEL_FLIPPED when every instance gives the rotated position's gradient."""
    example: tuple[sp.Symbol, sp.Symbol] | None = None
    for (_, sides), head in zip(evaluated, heads, strict=True):
        param = gradient_param(head)
        values = sides[k].values
        if param is None or values is None:
            return []
        turned = _flipped_param(ctx, param)
        if turned is None:
            return []
        truth = ctx.points.gradient(turned)[1]
        if not all(close(a, b) for a, b in zip(values, truth, strict=True)):
            return []
        if turned != param and example is None:
            example = (param, turned)
    if example is None:
        return []
    a, b = (ctx.text_of(s) for s in example)
    return [f"{KERNEL_FLIPPED}: every kernel weight gets the gradient of the weight at the "
            f"180°-rotated position (here {a} gets that of {b}); the forward pass is a "
            f"cross-correlation, so ∂L/∂w pairs δ at (i, j) with the source at "
            f"(s(i−1)+m−p, s(j−1)+n−p), with no flip"]


def _uses(ctx: Context, param: sp.Symbol) -> list[tuple[Any, sp.Expr]]:
    """Each unit that uses ``param`` and what the parameter multiplies there."""
    net = ctx.net
    sources: dict[str, sp.Expr] = {s.name: s for s in net.inputs}
    sources |= {u.name: u.out for u in net.units}
    found: list[tuple[Any, sp.Expr]] = []
    for u in net.units:
        times = sp.Add(*[sources.get(name, sp.S.Zero) for name, w in u.incoming if w == param])
        if u.bias == param:
            times += 1
        if times != 0:
            found.append((u, times))
    return found


def _one_position(ctx: Context, param: sp.Symbol, values: list[Any]) -> list[str]:
    """SHARED_WEIGHT_NOT_SUMMED when the side is one position's contribution only."""
    uses = _uses(ctx, param)
    if len(uses) < 2 or len(uses) > MAX_USES:
        return []
    for u, times in uses:
        one = ctx.points.compile(u.delta * times).everywhere()
        for sign in (1, -1):
            if all(v is not None and w is not None and close(v, sign * w)
                   for v, w in zip(values, one, strict=True)):
                name = ctx.text_of(param)
                return [f"{NOT_SUMMED} {name} is not summed over its positions: it is its "
                        f"contribution through {ctx.text_of(u.out)} only, one of the "
                        f"{len(uses)} positions where {name} is used; ∂L/∂{name} sums δ "
                        f"times what the weight multiplies over every position"]
    return []
