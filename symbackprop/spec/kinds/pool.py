"""The max_pool and avg_pool layer kinds: keys, shapes, units and their windows.

A pooling layer of kernel k and stride s over a source of shape (C, H, W) has one unit per
output position (c, i, j), c ≤ C, i ≤ H' = ⌊(H − k)/s⌋ + 1, whose value is the maximum
(``max_pool``) or the mean (``avg_pool``) of its window

    a_{c, s(i−1)+m, s(j−1)+n},   m, n = 1..k,

all indices from 1. A pooling unit has no weights and no bias: it is a node of the graph
whose definition is not a weighted sum, and it is kept apart from the edges
(:class:`~symbackprop.spec.model.PoolSpec`). At a tie, the first maximum of the window in
(m, n) row-major order takes the whole gradient. The stride defaults to the kernel (windows
side by side, as every framework's default).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..model import (
    ActivationSpec,
    InputSpec,
    LayerSpec,
    Notation,
    PoolGeometry,
    PoolSpec,
    UnitSpec,
)
from ..reader import Reader
from ..source import Path_
from .conv import made_units, positions, read_sizes

POOL_KINDS = ("max_pool", "avg_pool")
POOL_KEYS = ("name", "kind", "kernel", "stride")
LINEAR = ActivationSpec("linear")  # a pooling unit's value is its pooled value


def read_pool_layer(r: Reader, lp: Path_, kind: str, place: tuple[str, int, int],
                    notation: Notation, source: tuple[int, ...] | None, *,
                    layer_of: dict[str, int], unit_keys: dict[str, str],
                    claim: Callable[[UnitSpec], None]) -> tuple[LayerSpec, list[UnitSpec]]:
    """The layer's geometry and units (u{l}_{c}_{i}_{j}); ``claim`` claims a unit's names.

    ``source`` is the shape of the layer before it (or of the shaped inputs), None when it
    has none.
    """
    name, pos, number = place
    if source is None:
        raise r.fail((*lp, "kind"), f"a pooling layer (`{kind}`) needs a shaped source",
                     hint="give `inputs: {shape: [C, H, W]}` (or [C, L]), or put it after a "
                          "convolution layer")
    dims = len(source) - 1
    layer: dict[str, Any] = r.get(lp)
    if "kernel" not in layer:
        raise r.fail(lp, "missing required key `kernel`", hint="e.g. `kernel: 2`")
    kernel = read_sizes(r, lp, "kernel", dims, least=1, default=None)
    stride = read_sizes(r, lp, "stride", dims, least=1, default=None) if "stride" in layer \
        else kernel
    for n, k in zip(source[1:], kernel, strict=True):
        if k > n:
            raise r.fail((*lp, "kernel"), f"a window of {k} does not fit a source of {n}",
                         hint="use a smaller kernel")
    geometry = PoolGeometry(kind, source, kernel, stride)
    made = made_units(r, lp, "kernel", geometry.output, (number, pos), LINEAR, notation,
                      layer_of=layer_of, unit_keys=unit_keys, claim=claim)
    lay = LayerSpec(name, pos, number, tuple(u.name for u in made), LINEAR, pool=geometry)
    return lay, made


def window(geometry: PoolGeometry, at: Sequence[int]) -> list[tuple[int, ...]]:
    """The source positions (c, i, j) of output ``at`` = (c, i, j), in (m, n) row-major order.

    >>> window(PoolGeometry("max_pool", (1, 3, 3), (2, 2), (1, 1)), (1, 2, 1))
    [(1, 2, 1), (1, 2, 2), (1, 3, 1), (1, 3, 2)]
    """
    c, *rest = at
    return [(c, *(s * (i - 1) + m for i, m, s in zip(rest, tap, geometry.stride, strict=True)))
            for tap in positions(geometry.kernel)]


def pool_links(lay: LayerSpec, inputs: Sequence[InputSpec], layers: Sequence[LayerSpec]
               ) -> list[PoolSpec]:
    """Every unit of a pooling layer with the sources of its window."""
    assert lay.pool is not None
    sources = [i.name for i in inputs] if lay.position == 1 \
        else list(layers[lay.position - 2].units)
    index = {at: k for k, at in enumerate(positions(lay.pool.source))}
    kind = "max" if lay.pool.kind == "max_pool" else "avg"
    return [PoolSpec(unit, kind, tuple(sources[index[src]] for src in window(lay.pool, at)))
            for unit, at in zip(lay.units, positions(lay.pool.output), strict=True)]


def refuse_edges_into_pools(r: Reader, top: dict[str, Any], layers: Sequence[LayerSpec]
                            ) -> None:
    """A pooling unit reads its window only, a dropout unit its one source, a layer_norm unit
    the layer below it: an entry of ``edges`` into one is refused."""
    pooled = {u: "a pooling unit: it reads its window only" for lay in layers
              if lay.pool is not None for u in lay.units}
    pooled |= {u: "a dropout unit: it reads its one source only" for lay in layers
               if lay.dropout is not None for u in lay.units}
    pooled |= {u: "a layer_norm unit: it reads the layer below it only" for lay in layers
               if lay.norm is not None
               for u in (*lay.units, lay.norm.mean, lay.norm.variance)}
    raw = top.get("edges")
    for k, entry in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(entry, dict) and entry.get("to") in pooled:
            raise r.fail(("edges", k, "to"), f"`{entry['to']}` is {pooled[entry['to']]}, "
                         "with no weights", hint="point the edge at a "
                         "convolution or dense unit")
