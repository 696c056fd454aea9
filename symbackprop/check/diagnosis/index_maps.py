"""The stride left out of a convolution's index map.

The gradient of a kernel weight pairs δ at output position (i, j) with the source at
(s(i−1)+m−p, s(j−1)+n−p). A formula that writes the map without the stride (i+m−1−p) gives
another sum; this module builds that sum for one kernel weight, from the network's own units
and sources, and compares its values at the random points with the written side's:
STRIDE_MISSING. (A map without the padding, s(i−1)+m over every output position, always
reaches past the padded source: it is the error of a name outside its family, not a verdict.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from ..judging.sample_points import close
from ..meaning.unknown_names import family_of

if TYPE_CHECKING:
    from ..judging.context import Context

STRIDE_MISSING = "the stride is missing from the index map"


def _layer_of(ctx: Context, param: sp.Symbol) -> tuple[Any, tuple[int, ...]] | None:
    numbers = family_of(ctx.quantities.latex_of(param))[1]
    for layer in ctx.net.spec.layers:
        conv = layer.conv
        if conv is not None and numbers and layer.number == numbers[0] and \
                len(numbers) == 3 + len(conv.kernel):
            return layer, numbers
    return None


def _grid(ctx: Context, syms: list[sp.Symbol], dims: int) -> dict[tuple[int, ...], sp.Symbol]:
    """Quantities by their last ``dims`` indices (c, i, j) or (f, i, j)."""
    return {family_of(ctx.quantities.latex_of(s))[1][-dims:]: s for s in syms}


def _mapped_sum(ctx: Context, layer: Any, numbers: tuple[int, ...], stride: tuple[int, ...],
                padding: tuple[int, ...]) -> sp.Expr:
    """Σ over output positions of δ times the source at s(i−1)+m−p (outside: 0)."""
    conv = layer.conv
    dims = len(conv.source)
    units = [u for u in ctx.net.units if u.layer == layer.position]
    if layer.position == 1:
        sources = list(ctx.net.inputs)
    else:
        sources = [u.out for u in ctx.net.units if u.layer == layer.position - 1]
    source = _grid(ctx, sources, dims)
    deltas = _grid(ctx, [u.delta for u in units], dims)
    f, c, taps = numbers[1], numbers[2], numbers[3:]
    total = sp.S.Zero
    for (g, *where), delta in deltas.items():
        if g != f:
            continue
        at = tuple(s * (i - 1) + t - p for i, t, s, p in
                   zip(where, taps, stride, padding, strict=True))
        found = source.get((c, *at))
        if found is not None:
            total += delta * found
    return total


def index_map_mistakes(ctx: Context, param: sp.Symbol, values: list[Any]) -> list[str]:
    """STRIDE_MISSING when the side is the sum with the stride left out."""
    found = _layer_of(ctx, param)
    if found is None:
        return []
    layer, numbers = found
    conv = layer.conv
    if all(s == 1 for s in conv.stride):
        return []
    tries = [(tuple(1 for _ in conv.stride), conv.padding, STRIDE_MISSING, "i+m−1−p")]
    out = []
    for stride, padding, words, written in tries:
        expr = _mapped_sum(ctx, layer, numbers, stride, padding)
        if expr == 0:
            continue
        mine = ctx.points.compile(expr).everywhere()
        if all(close(a, b) for a, b in zip(values, mine, strict=True)):
            out.append(f"{words}: the formula pairs δ at (i, j) with the source at "
                       f"({written}, …); the layer has stride {conv.stride[0]} and padding "
                       f"{conv.padding[0]}, so the source index is s(i−1)+m−p")
    return out
