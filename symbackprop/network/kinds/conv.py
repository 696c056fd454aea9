"""A convolution layer's gradients in index form, as the lecture writes them:

    ∂L/∂w^{[l]}_{f,c,m,n} = Σ_i Σ_j δ^{[l]}_{f,i,j} a^{[l−1]}_{c, s(i−1)+m−p, s(j−1)+n−p}
    ∂L/∂b^{[l]}_{f}       = Σ_i Σ_j δ^{[l]}_{f,i,j}

with the ranges of i and j cut to the positions whose tap falls inside the source (padding
reads zeros). The sum is worked out from the layer's geometry alone; :meth:`IndexSum.terms`
lists the (unit, source) pairs it stands for, which equal the parameter's uses in the
derivation, so the printed sum and the δ-form gradient are one expression.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...spec.kinds.conv import conv_biases, conv_weights
from ...spec.model import ConvGeometry, LayerSpec, NetworkSpec
from ...spec.naming import expand, plain_name
from ...spec.typesetting import upright

LETTERS = ("i", "j")  # the output position's indices, one per spatial dimension


@dataclass(frozen=True)
class IndexSum:
    """∂L/∂θ for a convolution parameter θ as one sum over output positions."""

    latex: str  # the right-hand side: \sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j} …
    text: str  # the same with Σ and δ
    terms: tuple[tuple[str, str | None], ...]  # (unit, source or None for a bias) per term


@dataclass(frozen=True)
class _Owner:
    layer: LayerSpec
    weight_layer: int
    indices: tuple[int, ...]  # (f, c, m, n) of a weight, (f,) of a bias


class IndexForms:
    """The index forms of one spec's convolution parameters, worked out on request.

    >>> forms = IndexForms(load_spec("specs/conv2d-3x3.yaml"))  # doctest: +SKIP
    >>> forms.of("w_1_1_1_2_1").latex  # doctest: +SKIP
    '\\\\sum_{i=1}^{2}\\\\sum_{j=1}^{2} \\\\delta^{[1]}_{1,i,j} x_{1,i+1,j}'
    """

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec
        self.owners = _owners(spec)

    def of(self, param: str) -> IndexSum | None:
        """The index form of ``param``'s gradient, or None when no convolution owns it."""
        owner = self.owners.get(param)
        return None if owner is None else _index_sum(self.spec, owner)


def _index_sum(spec: NetworkSpec, owner: _Owner) -> IndexSum:
    geometry = owner.layer.conv
    assert geometry is not None
    f, *rest = owner.indices
    spatial = len(geometry.kernel)
    letters = LETTERS[:spatial]
    if not rest:  # a bias: every position of the filter
        ranges = [(1, n) for n in geometry.output[1:]]
        maps: list[tuple[int, int]] = []
    else:
        c, *taps = rest
        ranges = [_inside(geometry, d, m) for d, m in enumerate(taps)]
        # source index s(i − 1) + m − p = s·i + (m − p − s)
        maps = [(s, m - p - s) for s, m, p in zip(geometry.stride, taps, geometry.padding,
                                                  strict=True)]
    fixed = [str(lo) if lo == hi else letter for letter, (lo, hi) in zip(letters, ranges,
                                                                          strict=True)]
    notation = spec.notation
    delta = upright(expand(notation.delta, layer=owner.layer.number,
                           index=",".join([str(f), *fixed])))
    factors = [delta]
    if rest:
        position = [_index(s, k, v) for (s, k), v in zip(maps, fixed, strict=True)]
        factors.append(upright(_source_latex(spec, owner.layer, [str(c), *position])))
    sums = [rf"\sum_{{{v}={lo}}}^{{{hi}}}" for v, (lo, hi) in zip(letters, ranges, strict=True)
            if lo != hi]
    latex = "".join(sums) + (" " if sums else "") + " ".join(factors)
    text = " ".join([*(f"Σ_{{{v}={lo}}}^{{{hi}}}" for v, (lo, hi) in zip(letters, ranges,
                                                                         strict=True)
                       if lo != hi), " · ".join(factors)]).replace(r"\delta", "δ")
    return IndexSum(latex, text, _terms(spec, owner, ranges, maps))


def _inside(geometry: ConvGeometry, d: int, m: int) -> tuple[int, int]:
    """The output positions i whose tap m reads the source: 1 ≤ s(i − 1) + m − p ≤ n."""
    s, p, n = geometry.stride[d], geometry.padding[d], geometry.source[1 + d]
    lo = max(1, 1 + -((m - p - 1) // s))  # i ≥ 1 + ⌈(1 − m + p)/s⌉
    hi = min(geometry.output[1 + d], 1 + (n - m + p) // s)
    return lo, hi


def _index(stride: int, offset: int, value: str) -> str:
    """s·i + k as a subscript: ``i+1``, ``2i-1``, ``i``; a number when i is fixed."""
    if value.isdigit():
        return str(stride * int(value) + offset)
    head = f"{stride if stride != 1 else ''}{value}"
    return head + (f"+{offset}" if offset > 0 else f"-{-offset}" if offset < 0 else "")


def _source_latex(spec: NetworkSpec, layer: LayerSpec, index: list[str]) -> str:
    if layer.position == 1:
        return expand(spec.notation.input, index=",".join(index))
    before = spec.layers[layer.position - 2]
    return expand(spec.notation.activation, layer=before.number, index=",".join(index))


def _terms(spec: NetworkSpec, owner: _Owner, ranges: list[tuple[int, int]],
           maps: list[tuple[int, int]]) -> tuple[tuple[str, str | None], ...]:
    """The (unit, source) pair of every position the sum runs over, from the index map."""
    from ...spec.kinds.conv import positions

    f, *rest = owner.indices
    number = owner.layer.number
    out: list[tuple[str, str | None]] = []
    for at in positions([hi - lo + 1 for lo, hi in ranges]):
        place = [lo + k - 1 for (lo, _), k in zip(ranges, at, strict=True)]
        unit = f"u{number}_" + "_".join(map(str, [f, *place]))
        if not rest:
            out.append((unit, None))
            continue
        c = rest[0]
        src = [s * i + k for (s, k), i in zip(maps, place, strict=True)]
        if owner.layer.position == 1:
            source = "x_" + "_".join(map(str, [c, *src]))
        else:
            source = f"u{spec.layers[owner.layer.position - 2].number}_" + \
                "_".join(map(str, [c, *src]))
        out.append((unit, source))
    return tuple(out)


def _owners(spec: NetworkSpec) -> dict[str, _Owner]:
    """The convolution layer and indices of every kernel weight and filter bias, by name."""
    out: dict[str, _Owner] = {}
    notation = spec.notation
    for lay in spec.layers:
        if lay.conv is None:
            continue
        wl = notation.first_layer + (lay.position if notation.weight_layer == "target"
                                     else lay.position - 1)
        for key, latex in conv_weights(lay.conv, wl, notation):
            out[plain_name(latex)] = _Owner(lay, wl, key)
        if any(b for u, b in spec.biases if u == lay.units[0]):
            for f, latex in enumerate(conv_biases(lay.conv, wl, notation), start=1):
                out[plain_name(latex)] = _Owner(lay, wl, (f,))
    return out
