"""The dropout layer kind: inverted dropout with its mask given as data.

A dropout layer with keep probability p over n source units has one unit per source,

    ã_j = m_j a_j / p,      m_j ∈ {0, 1},

(Srivastava et al. 2014 write the mask r_j, CS231n's ``U1 = (rand < p) / p`` folds the 1/p
into it). The mask is data, one 0 or 1 per unit, given in the spec's values under the layer's
name (``values: {mask: {drop: [1, 0, 1]}}``), and is the same for every example. A dropout
unit has no weights and no bias: like a pooling unit it is a node of the graph whose one
link carries the constant ∂ã_j/∂a_j = m_j / p (:class:`~symbackprop.spec.model.PoolSpec`),
so δ through a dropped unit is 0 and through a kept one is scaled by 1/p.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from math import prod
from typing import Any

from ..model import (
    ActivationSpec,
    DropoutGeometry,
    InputSpec,
    LayerSpec,
    Notation,
    PoolSpec,
    UnitSpec,
)
from ..reader import Reader, kind_of
from ..source import Path_
from .conv import made_units

DROPOUT_KIND = "dropout"
DROPOUT_KEYS = ("name", "kind", "p")
LINEAR = ActivationSpec("linear")  # a dropout unit's value is m_j a_j / p itself
MASK_HINT = "give one 0 or 1 per unit, e.g. `values: {mask: {drop: [1, 0, 1]}}`"


def read_dropout_layer(r: Reader, lp: Path_, place: tuple[str, int, int],
                       notation: Notation, top: dict[str, Any], source: tuple[int, ...], *,
                       layer_of: dict[str, int], unit_keys: dict[str, str],
                       claim: Callable[[UnitSpec], None]) -> tuple[LayerSpec, list[UnitSpec]]:
    """The layer's keep probability, mask and units (u{l}_{j}); ``source`` is the shape of
    the layer before it ((n,) for a dense layer or the inputs)."""
    name, pos, number = place
    layer: dict[str, Any] = r.get(lp)
    if "p" not in layer:
        raise r.fail(lp, "missing required key `p` (the keep probability)",
                     hint="e.g. `p: 0.5`: each unit is kept with probability p")
    keep = r.number((*lp, "p"))
    if not 0 < keep <= 1:
        raise r.fail((*lp, "p"), f"the keep probability p must be in (0, 1], got {keep}",
                     hint="p is the probability of keeping a unit (0.5 keeps half of them)")
    size = prod(source)
    mask = read_mask(r, name, size)
    shaped = source if len(source) > 1 else None
    made = made_units(r, lp, "p", source, (number, pos), LINEAR, notation,
                      layer_of=layer_of, unit_keys=unit_keys, claim=claim)
    geometry = DropoutGeometry(size, keep, mask, shaped)
    lay = LayerSpec(name, pos, number, tuple(u.name for u in made), LINEAR, dropout=geometry)
    return lay, made


def read_mask(r: Reader, name: str, size: int) -> tuple[int, ...]:
    """The mask of the dropout layer ``name`` from ``values.mask``: ``size`` entries, each 0
    or 1."""
    values = r.get(("values",)) if isinstance(r.src.data, dict) and "values" in r.src.data \
        else None
    masks = values.get("mask") if isinstance(values, dict) else None
    if not isinstance(masks, dict) or name not in masks:
        where: Path_ = ("values", "mask") if isinstance(masks, dict) else \
            ("values",) if isinstance(values, dict) else ()
        raise r.fail(where, f"the dropout layer `{name}` has no mask",
                     hint=f"give one 0 or 1 per unit, e.g. `values: {{mask: {{{name}: "
                          f"[{', '.join(['1'] * min(size, 4))}{', …' if size > 4 else ''}]}}}}`")
    path: Path_ = ("values", "mask", name)
    raw = masks[name]
    if not isinstance(raw, list):
        raise r.fail(path, f"expected a list of {size} zeros and ones, got {kind_of(raw)}",
                     hint=MASK_HINT)
    if len(raw) != size:
        raise r.fail(path, f"the mask has {len(raw)} entries for {size} units",
                     hint=f"give one 0 or 1 for each of the {size} units of `{name}`")
    mask = []
    for k, entry in enumerate(raw):
        value = r.number((*path, k)) if not isinstance(entry, bool) else None
        if value not in (Fraction(0), Fraction(1)):
            raise r.fail((*path, k), f"a mask entry is 0 (dropped) or 1 (kept), got {entry!r}",
                         hint=MASK_HINT)
        mask.append(int(value))
    return tuple(mask)


def check_masks(r: Reader, layers: Sequence[LayerSpec]) -> None:
    """Every entry of ``values.mask`` names a dropout layer."""
    values = r.src.data.get("values") if isinstance(r.src.data, dict) else None
    masks = values.get("mask") if isinstance(values, dict) else None
    if masks is None:
        return
    if not isinstance(masks, dict):
        raise r.fail(("values", "mask"), f"expected a mapping layer → mask, got "
                     f"{kind_of(masks)}", hint=MASK_HINT)
    dropped = [lay.name for lay in layers if lay.dropout is not None]
    for name in masks:
        if name not in dropped:
            raise r.fail(("values", "mask", name), f"no dropout layer called `{name}`",
                         hint="dropout layers: " + ", ".join(dropped) if dropped
                         else "the spec has no dropout layer (`kind: dropout`)")


def dropout_links(lay: LayerSpec, inputs: Sequence[InputSpec], layers: Sequence[LayerSpec]
                  ) -> list[PoolSpec]:
    """Every unit of a dropout layer with its one source and its scale m_j / p."""
    assert lay.dropout is not None
    sources = [i.name for i in inputs] if lay.position == 1 \
        else list(layers[lay.position - 2].units)
    keep = lay.dropout.keep
    return [PoolSpec(unit, "dropout", (source,), Fraction(m) / keep)
            for unit, source, m in zip(lay.units, sources, lay.dropout.mask, strict=True)]
