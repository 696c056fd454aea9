"""The conv1d and conv2d layer kinds: keys, shapes, units and shared-weight edges.

A convolution layer with F filters of kernel k over a source of shape (C, H, W) has one unit
per output position (f, i, j), f ≤ F, i ≤ H', j ≤ W', H' = ⌊(H + 2p − k)/s⌋ + 1, and the
unit's net input is the cross-correlation (CS231n's convolution, every framework's)

    z_{f,i,j} = Σ_{c,m,n} w_{f,c,m,n} · a_{c, s(i−1)+m−p, s(j−1)+n−p} + b_f,

summed over the taps that fall inside the source (padding adds zeros, so no edge). Each
w_{f,c,m,n} and b_f is one parameter shared by every position, which the spec already
supports: the derivation sums δ · source over the parameter's edges, the sum over positions.
Units and sources are numbered (f, i, j) row-major, so a dense layer after a convolution
reads its units in the order ``numpy.reshape`` flattens them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from itertools import product
from math import prod
from typing import Any

from ...errors import did_you_mean
from ..confusables import skeleton
from ..model import ActivationSpec, ConvGeometry, EdgeSpec, InputSpec, Notation, UnitSpec
from ..naming import expand, name_key
from ..reader import Reader, kind_of
from ..source import Path_

CONV_KINDS = {"conv1d": 1, "conv2d": 2}  # kind → spatial dimensions
# max_pool and avg_pool: spec.kinds.pool; dropout, embedding, layer_norm, attention, batch_norm:
# their own modules
LAYER_KINDS = ("dense", *CONV_KINDS, "max_pool", "avg_pool", "recurrent", "dropout",
               "embedding", "layer_norm", "attention", "batch_norm", "lstm", "gru")
CONV_KEYS = ("name", "kind", "filters", "kernel", "stride", "padding", "activation", "bias")


def layer_kind(r: Reader, lp: Path_) -> str:
    """The kind a layer names (``dense`` when it names none)."""
    layer = r.get(lp)
    if not isinstance(layer, dict) or "kind" not in layer:
        return "dense"
    kind = r.string((*lp, "kind"))
    if kind not in LAYER_KINDS:
        raise r.fail((*lp, "kind"), f"unknown layer kind `{kind}`",
                     hint=did_you_mean(kind, LAYER_KINDS) or "kinds: " + ", ".join(LAYER_KINDS))
    return kind


def read_input_shape(r: Reader, path: Path_) -> tuple[int, ...]:
    """``inputs: {shape: [C, H, W]}`` (or ``[C, L]``): channels first, each size ≥ 1."""
    raw = r.get(path)
    if not isinstance(raw, list) or not 2 <= len(raw) <= 3:
        raise r.fail(path, f"expected a list of 2 or 3 sizes, got {kind_of(raw)}",
                     hint="[C, H, W] for conv2d, [C, L] for conv1d")
    shape = tuple(_whole(r, (*path, k), least=1) for k in range(len(raw)))
    if prod(shape) > r.limits.max_units:
        raise r.fail(path, f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")
    return shape


def input_shape(top: dict[str, Any]) -> tuple[int, ...] | None:
    """The shape of ``inputs: {shape: ...}`` once read (None for unshaped inputs)."""
    value = top["inputs"]
    if isinstance(value, dict) and set(value) == {"shape"}:
        return tuple(int(Fraction(str(n))) for n in value["shape"])  # checked when read
    return None


def shaped_inputs(shape: tuple[int, ...], notation: Notation) -> list[InputSpec]:
    """One input per entry, x_{c,i,j} (``x_1_2_3``), numbered (c, i, j) row-major from 1."""
    out = []
    for flat, pos in enumerate(positions(shape), start=1):
        out.append(InputSpec("x_" + "_".join(map(str, pos)),
                             expand(notation.input, index=",".join(map(str, pos))), flat))
    return out


def positions(shape: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every 1-based index tuple of ``shape`` in row-major order."""
    return product(*(range(1, n + 1) for n in shape))


def read_geometry(r: Reader, lp: Path_, kind: str, source: tuple[int, ...] | None
                  ) -> ConvGeometry:
    """The layer's filters, kernel, stride and padding, checked against its source shape."""
    dims = CONV_KINDS[kind]
    if source is None:
        raise r.fail((*lp, "kind"), f"a {kind} layer needs a shaped source",
                     hint="give `inputs: {shape: [C, H, W]}` (or [C, L] for conv1d), or put "
                          "it after another convolution layer")
    if len(source) != dims + 1:
        shape = "[C, H, W]" if dims == 2 else "[C, L]"
        raise r.fail((*lp, "kind"), f"a {kind} layer reads a source of shape {shape}, but "
                     f"its source has shape {list(source)}",
                     hint="conv2d" if len(source) == 3 else "conv1d")
    layer = r.get(lp)
    if "filters" not in layer:
        raise r.fail(lp, "missing required key `filters`", hint="e.g. `filters: 2`")
    if "kernel" not in layer:
        raise r.fail(lp, "missing required key `kernel`", hint="e.g. `kernel: 2`")
    filters = _whole(r, (*lp, "filters"), least=1)
    kernel = read_sizes(r, lp, "kernel", dims, least=1, default=None)
    stride = read_sizes(r, lp, "stride", dims, least=1, default=1)
    padding = read_sizes(r, lp, "padding", dims, least=0, default=0)
    for d in range(dims):
        n, k, s, p = source[1 + d], kernel[d], stride[d], padding[d]
        where: Path_ = (*lp, "kernel")
        if k > n + 2 * p:
            raise r.fail(where, f"a kernel of {k} does not fit a source of {n} with padding "
                         f"{p}", hint="use a smaller kernel or more padding")
        if p >= k:
            raise r.fail((*lp, "padding"), f"padding {p} is not below the kernel size {k}: "
                         "some outputs would see only padding", hint=f"use at most {k - 1}")
        size = (n + 2 * p - k) // s + 1
        idle = [m for m in range(1, k + 1)
                if not any(1 <= s * (i - 1) + m - p <= n for i in range(1, size + 1))]
        if idle:
            raise r.fail((*lp, "padding"), f"kernel position {idle[0]} never meets the source "
                         f"(size {n}, stride {s}, padding {p}): its weights would do nothing",
                         hint="use less padding or a smaller stride")
    return ConvGeometry(kind, source, filters, kernel, stride, padding)


def _whole(r: Reader, path: Path_, *, least: int) -> int:
    n = r.number(path)
    if n.denominator != 1 or n < least:
        raise r.fail(path, f"expected a whole number ≥ {least}")
    if n > r.limits.max_units:
        raise r.fail(path, f"more than {r.limits.max_units}",
                     hint="raise the bound with --max-units if this network is real")
    return int(n)


def read_sizes(r: Reader, lp: Path_, key: str, dims: int, *, least: int, default: int | None
           ) -> tuple[int, ...]:
    """One size for every spatial dimension: a number for all, or a list of ``dims``."""
    layer: dict[str, Any] = r.get(lp)
    if key not in layer and default is not None:
        return (default,) * dims
    raw = layer[key]
    if isinstance(raw, list):
        if len(raw) != dims:
            raise r.fail((*lp, key), f"expected {dims} sizes, got {len(raw)}",
                         hint=f"or one number for every dimension, e.g. `{key}: 2`")
        return tuple(_whole(r, (*lp, key, d), least=least) for d in range(dims))
    return (_whole(r, (*lp, key), least=least),) * dims


def shaped_units(shape: tuple[int, ...], number: int, activation: ActivationSpec,
                 notation: Notation, pos: int) -> list[UnitSpec]:
    """A shaped layer's units, u{l}_{f}_{i}_{j} for each position of ``shape`` (a
    convolution's or a pooling layer's output), named by the notation with index "f,i,j"."""
    units = []
    for flat, at in enumerate(positions(shape), start=1):
        name = f"u{number}_" + "_".join(map(str, at))
        fields = {"layer": number, "index": ",".join(map(str, at)), "unit": name}
        units.append(UnitSpec(
            name=name, layer=pos, index=flat, activation=activation,
            latex=expand(notation.activation, **fields),
            net_latex=expand(notation.net, **fields),
            target_latex=expand(notation.target, **fields),
            delta_latex=expand(notation.delta, **fields)))
    return units


def made_units(r: Reader, lp: Path_, field: str, shape: tuple[int, ...],
               place: tuple[int, int], activation: ActivationSpec, notation: Notation, *,
               layer_of: dict[str, int], unit_keys: dict[str, str],
               claim: Callable[[UnitSpec], None]) -> list[UnitSpec]:
    """A shaped layer's units at ``place`` (its number and position), counted against the
    bound on units (``field`` is the key blamed) before any is made, each name claimed."""
    number, pos = place
    if len(layer_of) + prod(shape) > r.limits.max_units:
        raise r.fail((*lp, field), f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")
    made = shaped_units(shape, number, activation, notation, pos)
    for unit in made:
        place_unit(r, lp, unit, pos, layer_of=layer_of, unit_keys=unit_keys)
        claim(unit)
    return made


def place_unit(r: Reader, lp: Path_, unit: UnitSpec, pos: int, *, layer_of: dict[str, int],
               unit_keys: dict[str, str]) -> None:
    """Put ``unit`` in the layer at ``pos``, its name's key taken among the spec's names
    (a name that clashes with one already taken, or is confusable with it, is an error)."""
    key = skeleton(name_key(unit.name))
    if key in unit_keys:
        raise r.fail(lp, f"unit name `{unit.name}` of this layer is already used",
                     hint="every input and unit needs its own name")
    unit_keys[key] = unit.name
    layer_of[unit.name] = pos


def connection_count(geometry: ConvGeometry, bias: bool) -> int:
    """Edges and biases the layer will make, counted before any is made."""
    taps = sum(len(_taps(geometry, at)) for at in positions(geometry.output[1:]))
    return taps * geometry.filters * geometry.source[0] + (prod(geometry.output) if bias
                                                             else 0)


def _taps(geometry: ConvGeometry, at: tuple[int, ...]
          ) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """(kernel position, source position) of every tap of output position ``at`` (without f
    and c, 1-based) that falls inside the source: s(i−1) + m − p."""
    out = []
    for tap in positions(geometry.kernel):
        src = tuple(s * (i - 1) + m - p for i, m, s, p in
                    zip(at, tap, geometry.stride, geometry.padding, strict=True))
        if all(1 <= x <= n for x, n in zip(src, geometry.source[1:], strict=True)):
            out.append((tap, src))
    return out


def conv_weights(geometry: ConvGeometry, layer: int, notation: Notation
                 ) -> list[tuple[tuple[int, ...], str]]:
    """((f, c, m, n), LaTeX) of every kernel weight, w^{[l]}_{f,c,m,n} by default."""
    out = []
    for f in range(1, geometry.filters + 1):
        for rest in positions((geometry.source[0], *geometry.kernel)):
            out.append(((f, *rest), expand(notation.weight, layer=layer, j=f,
                                           k=",".join(map(str, rest)))))
    return out


def conv_biases(geometry: ConvGeometry, layer: int, notation: Notation) -> list[str]:
    """LaTeX of every filter's bias, b^{[l]}_{f} by default."""
    return [expand(notation.bias, layer=layer, j=f, index=f)
            for f in range(1, geometry.filters + 1)]


def conv_edges(geometry: ConvGeometry, sources: Sequence[str], units: Sequence[str],
               weight: dict[tuple[int, ...], str]) -> list[EdgeSpec]:
    """Every edge source → unit with its shared weight's name, unit by unit, each unit's
    edges in (c, m, n) order as the sum Σ_{c,m,n} is written."""
    strides = _row_major(geometry.source)
    plane = strides[0]  # the sources of one channel
    # per output position: (kernel position, the source's place within its channel)
    taps = {at: [(tap, _flat((1, *src), strides)) for tap, src in _taps(geometry, at)]
            for at in positions(geometry.output[1:])}
    edges = []
    for unit, (f, *at) in zip(units, positions(geometry.output), strict=True):
        here = taps[tuple(at)]
        for c in range(1, geometry.source[0] + 1):
            base = (c - 1) * plane
            edges += [EdgeSpec(sources[base + place], unit, weight[(f, c, *tap)])
                      for tap, place in here]
    return edges


def _row_major(shape: Sequence[int]) -> tuple[int, ...]:
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    return tuple(strides)


def _flat(at: Sequence[int], strides: Sequence[int]) -> int:
    return sum((i - 1) * s for i, s in zip(at, strides, strict=True))
