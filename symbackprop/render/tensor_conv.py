"""The tensor form of a network of conv2d and pooling layers followed by dense layers.

Shapes are channels first (C×H×W); ∗ is the cross-correlation a conv2d layer computes, its
filter bank W^{[l]} ∈ ℝ^{F×C×k×k} summed over the source's channels. Backward, with stride s
and padding p (the stride dilates δ: s − 1 zeros between its entries)::

    ∂L/∂W^{[l]}_{f,c} = dil_s(δ^{[l]}_f) ∗ pad_p(A^{[l−1]}_c)
    ∂L/∂b^{[l]}_f = Σ_{i,j} δ^{[l]}_{f,i,j}
    δ^{[l−1]}_c = crop_p(Σ_f dil_s(δ^{[l]}_f) ∗_full rot180(W^{[l]}_{f,c})) ⊙ g′(Z^{[l−1]}_c)

A max-pooling layer routes δ to the first maximum of each window (``M ⊙ up_k(δ)`` when the
windows tile their source), an average-pooling layer spreads it evenly (``(1/k²) up_k(δ)``).
A dense layer after them reads ``vec(A)``, the tensor flattened (c, i, j) row-major.
"""

from __future__ import annotations

from math import prod

import sympy as sp

from ..spec.model import ConvGeometry, LayerSpec, PoolGeometry
from .matrix import MatrixRow
from .matrix_layers import capitalise, head_of, target_head
from .printing import Partial
from .tensor_builder import TensorBuilder, TensorRow
from .tensor_nodes import (
    AvgPool,
    Correlate,
    Crop,
    Dilate,
    Flatten,
    FullCorrelate,
    Hadamard,
    Mask,
    MaxPool,
    Pad,
    Plus,
    Product,
    Rot180,
    Space,
    Sub,
    Total,
    Transpose,
    Upsample,
    Window,
)

f_, c_, i_, j_ = sp.symbols("f c i j")


def _one(sizes: tuple[int, ...]) -> tuple[int, ...]:
    """A size per axis, or one size for a square window."""
    return sizes[:1] if len(set(sizes)) == 1 else sizes


def _leftover(source: tuple[int, ...], kernel: tuple[int, ...], stride: tuple[int, ...],
              padding: tuple[int, ...]) -> bool:
    """Whether the last rows (or columns) of the padded source meet no window."""
    return any((n + 2 * p - k) % s for n, k, s, p in
               zip(source[1:], kernel, stride, padding, strict=True))


_GLOSSARY = ((Hadamard, "⊙ is the elementwise product"),
             (Rot180, "rot180 turns a kernel by 180°"),
             (FullCorrelate, "∗_full zero-pads its left side by the kernel's size − 1 around"),
             (Dilate, "dil_s puts s − 1 zeros between neighbouring entries"),
             (Crop, "crop_p cuts p entries from each border"),
             (Pad, "pad_p puts p zeros around"),
             (Flatten, "vec lists a tensor's entries (c, i, j) row-major"))


def _glossary(rows: list[MatrixRow]) -> list[str]:
    """What each operation the rows use means, in the order of :data:`_GLOSSARY`."""
    used = {type(node) for r in rows for node in sp.preorder_traversal(r.rhs)} | \
        {type(node) for r in rows for node in sp.preorder_traversal(r.lhs)}
    return [words for kind, words in _GLOSSARY if kind in used]


def _titled(title: str, notes: list[str]) -> str:
    return f"{title} ({'; '.join(notes)})" if notes else title


class ConvBuilder(TensorBuilder):
    """Rows for conv2d, pooling and dense layers, in this order from the input."""

    def reason(self) -> str | None:
        refused = self.output_refused()
        if refused is not None:
            return refused
        previous = [i.name for i in self.spec.inputs]
        shaped = True
        for lay in self.spec.layers:
            geometry = lay.conv or lay.pool
            if geometry is not None:
                if len(geometry.source) != 3:
                    return (f"the layer \"{lay.name}\" is one-dimensional: the tensor form is "
                            "written for conv2d and two-dimensional pooling")
                if not shaped:
                    return f"the layer \"{lay.name}\" follows a dense layer"
                padding = lay.conv.padding if lay.conv is not None else (0, 0)
                if lay.conv is not None and _leftover(geometry.source, geometry.kernel,
                                                      geometry.stride, padding):
                    return (f"the stride of the layer \"{lay.name}\" leaves rows or columns "
                            "of its source that no window meets")
                if lay.conv is not None:
                    biases = {self.net.unit_by_name[u].bias is None for u in lay.units}
                    if len(biases) > 1:
                        return f"only some units of the layer \"{lay.name}\" have a bias"
            else:
                shaped = False
                why = self.dense_reason(lay, previous)
                if why is not None:
                    return why
            previous = list(lay.units)
        return None

    def dense_reason(self, lay: LayerSpec, previous: list[str]) -> str | None:
        units = [self.net.unit_by_name[n] for n in lay.units]
        kinds = {(u.activation.kind, u.activation.alpha) for u in units}
        if len(kinds) > 1:
            return f"the units of the layer \"{lay.name}\" have different activations"
        weights: set[sp.Symbol] = set()
        for u in units:
            if [s for s, _ in u.incoming] != previous:
                return f"unit {u.name} is not fed by exactly the layer before it"
            weights |= {w for _, w in u.incoming}
        if len(weights) != len(units) * len(previous):
            return f"the layer \"{lay.name}\" shares a weight between connections"
        biases = [u.bias for u in units]
        if any(b is None for b in biases) and any(b is not None for b in biases):
            return f"only some units of the layer \"{lay.name}\" have a bias"
        named = [b for b in biases if b is not None]
        if len(set(named)) != len(named):
            return f"the biases of the layer \"{lay.name}\" are shared"
        return None

    # -- names --------------------------------------------------------------------------
    def shape_of(self, pos: int) -> tuple[int, ...]:
        """The (C, H, W) of layer ``pos`` (0: the input), or (n,) for a dense layer."""
        if pos == 0:
            source = next(lay.conv or lay.pool for lay in self.spec.layers[:1])
            assert source is not None
            return source.source
        lay = self.spec.layers[pos - 1]
        return lay.shape or (len(lay.units),)

    def shaped(self, pos: int) -> bool:
        return len(self.shape_of(pos)) == 3

    def tensor(self, kind: str, pos: int) -> sp.Symbol:
        """Z, A or δ of layer ``pos`` (capital Z and A for a C×H×W tensor, z and a for a
        dense layer's vector; A of layer 0 is the input X)."""
        notation = self.spec.notation
        if pos == 0:
            return self.sym("A0", capitalise(head_of(notation.input)))
        number = self.spec.layers[pos - 1].number
        template = {"z": notation.net, "a": notation.activation, "d": notation.delta}[kind]
        capital = kind != "d" and self.shaped(pos)
        return self.sym(f"{kind.upper()}{pos}", self.layer_name(template, number,
                                                                 capital=capital))

    def weight(self, pos: int) -> sp.Symbol:
        number = self.spec.layers[pos - 1].number
        return self.sym(f"W{pos}", self.layer_name(self.spec.notation.weight, number,
                                                   capital=True))

    def bias(self, pos: int) -> sp.Symbol | None:
        lay = self.spec.layers[pos - 1]
        if self.net.unit_by_name[lay.units[0]].bias is None:
            return None
        return self.sym(f"b{pos}", self.layer_name(self.spec.notation.bias, lay.number,
                                                   capital=False))

    def z_of(self, pos: int) -> sp.Symbol:
        """The net input of layer ``pos``: a pooling layer's is its output."""
        lay = self.spec.layers[pos - 1]
        return self.tensor("a" if lay.pool is not None else "z", pos)

    # -- rows -----------------------------------------------------------------------------
    def build(self) -> list[tuple[str, list[MatrixRow]]]:
        L = len(self.spec.layers)
        shapes: list[MatrixRow] = [MatrixRow(self.tensor("a", 0), Space(*self.shape_of(0)), "in")]
        forward: list[MatrixRow] = []
        backward: list[MatrixRow] = []
        gradients: list[MatrixRow] = []
        strides: list[str] = []
        for pos, lay in enumerate(self.spec.layers, start=1):
            shapes += self.shape_rows(pos, lay)
            forward += self.forward_rows(pos, lay)
            if lay.conv is not None:
                g = lay.conv
                strides.append(f"{self.title_name(f'W{pos}', self.names[self.weight(pos)])}: "
                               f"stride {','.join(map(str, _one(g.stride)))}, "
                               f"padding {','.join(map(str, _one(g.padding)))}")
        backward += self.output_rows(L)
        for pos in range(L - 1, 0, -1):
            backward += self.delta_rows(pos)
        for pos, lay in enumerate(self.spec.layers, start=1):
            gradients += self.gradient_rows(pos, lay)
        masks = [self.mask_note(pos, lay) for pos, lay in enumerate(self.spec.layers, start=1)
                 if lay.pool is not None and pos < L]
        sections = [("shapes, channels first (A and δ have the shape of Z; b_f is added to every "
                     "entry of channel f)", shapes),
                    (_titled("forward pass", [
                        "∗ is cross-correlation summed over channels", *strides]), forward),
                    (_titled("local gradients, from the output back",
                             [*_glossary(backward), *masks]), backward),
                    (_titled("gradients", ["∗ with stride 1 and no padding",
                                           *_glossary(gradients)]), gradients)]
        return sections

    def shape_rows(self, pos: int, lay: LayerSpec) -> list[MatrixRow]:
        shape = self.shape_of(pos)
        if lay.conv is not None:
            g = lay.conv
            rows = [MatrixRow(self.weight(pos), Space(g.filters, g.source[0], *g.kernel), "in")]
            b = self.bias(pos)
            if b is not None:
                rows.append(MatrixRow(b, Space(g.filters), "in"))
            return [*rows, MatrixRow(self.tensor("z", pos), Space(*shape), "in")]
        if lay.pool is not None:
            return [MatrixRow(self.tensor("a", pos), Space(*shape), "in")]
        n_in = prod(self.shape_of(pos - 1))
        return [MatrixRow(self.weight(pos), Space(len(lay.units), n_in), "in"),
                MatrixRow(self.tensor("z", pos), Space(len(lay.units), 1), "in")]

    def source(self, pos: int) -> sp.Basic:
        """What layer ``pos`` reads: the tensor before it, flattened for a dense layer."""
        prev = self.tensor("a", pos - 1)
        return Flatten(prev) if self.shaped(pos - 1) and not self.shaped(pos) else prev

    def forward_rows(self, pos: int, lay: LayerSpec) -> list[MatrixRow]:
        a, prev = self.tensor("a", pos), self.tensor("a", pos - 1)
        if lay.pool is not None:
            g = lay.pool
            op = MaxPool if g.kind == "max_pool" else AvgPool
            return [MatrixRow(a, op(prev, *_one(g.kernel), *_one(g.stride)))]
        z, b = self.tensor("z", pos), self.bias(pos)
        if lay.conv is not None:
            g = lay.conv
            product: sp.Basic = Correlate(self.weight(pos), prev, sp.Tuple(*g.stride),
                                          sp.Tuple(*g.padding))
        else:
            product = Product(self.weight(pos), self.source(pos))
        rows = [MatrixRow(z, product if b is None else Plus(product, b))]
        rows.append(MatrixRow(a, z if self.linear(lay) else self.apply(lay, z, prime=False)))
        return rows

    def output_rows(self, L: int) -> list[MatrixRow]:
        lay = self.spec.layers[-1]
        d, a, z = self.tensor("d", L), self.tensor("a", L), self.tensor("z", L)
        y = self.sym("Y", target_head(self.net))
        if lay.conv is not None or lay.pool is not None:
            raise AssertionError("a shaped output layer is refused when the spec is read")
        return [MatrixRow(d, self.output_delta(lay, a, z, y))]

    def delta_rows(self, pos: int) -> list[MatrixRow]:
        """δ of layer ``pos`` from the δ of the layer after it."""
        lay, after = self.spec.layers[pos - 1], self.spec.layers[pos]
        d, d_next = self.tensor("d", pos), self.tensor("d", pos + 1)
        z = self.z_of(pos)
        if after.conv is None and after.pool is None:  # a dense layer reads it
            back = Product(Transpose(self.weight(pos + 1)), d_next)
            if self.shaped(pos):
                return [MatrixRow(Flatten(d), self.times_slope(lay, back, Flatten(z)))]
            return [MatrixRow(d, self.times_slope(lay, back, z))]
        if after.conv is not None:
            return [self.conv_back(pos, lay, after.conv)]
        assert after.pool is not None
        return [self.pool_back(pos, lay, after.pool)]

    def conv_back(self, pos: int, lay: LayerSpec, g: ConvGeometry) -> MatrixRow:
        d_next = Sub(self.tensor("d", pos + 1), f_)
        spread: sp.Basic = Dilate(d_next, *_one(g.stride)) if max(g.stride) > 1 else d_next
        kernel = Rot180(Sub(self.weight(pos + 1), f_, c_))
        back: sp.Basic = Total(FullCorrelate(spread, kernel), sp.Tuple(f_, 1, g.filters))
        if max(g.padding) > 0:
            back = Crop(back, *_one(g.padding))
        d, z = Sub(self.tensor("d", pos), c_), Sub(self.z_of(pos), c_)
        return TensorRow(d, self.times_slope(lay, back, z), free=((c_, 1, g.source[0]),))

    def pool_back(self, pos: int, lay: LayerSpec, g: PoolGeometry) -> MatrixRow:
        d_next = self.tensor("d", pos + 1)
        d, z = self.tensor("d", pos), self.z_of(pos)
        k, s = g.kernel, g.stride
        area = prod(k)
        tiled = k == s and not _leftover(g.source, k, s, (0, 0))
        name = self.pool_name(pos + 1, g)
        if tiled:
            up = Upsample(d_next, *_one(k))
            if g.kind == "max_pool":
                back: sp.Basic = Hadamard(Mask(name, self.tensor("a", pos), sp.Tuple(*k),
                                               sp.Tuple(*s)), up)
            else:
                back = Product(sp.Rational(1, area), up)
            return MatrixRow(d, self.times_slope(lay, back, z))
        out = g.output
        entry = Sub(d_next, c_, i_, j_)
        if g.kind == "max_pool":
            where: sp.Basic = Mask(name, self.tensor("a", pos), sp.Tuple(*k), sp.Tuple(*s),
                                   c_, i_, j_)
        else:
            where = Window(name, sp.Tuple(*g.source), sp.Tuple(*k), sp.Tuple(*s), c_, i_, j_)
        back = Total(Product(entry, where), sp.Tuple(i_, 1, out[1]), sp.Tuple(j_, 1, out[2]))
        if g.kind == "avg_pool":
            back = Product(sp.Rational(1, area), back)
        return TensorRow(Sub(d, c_), self.times_slope(lay, back, Sub(z, c_)),
                         free=((c_, 1, g.source[0]),))

    def pool_name(self, pos: int, g: PoolGeometry) -> sp.Symbol:
        number = self.spec.layers[pos - 1].number
        letter = "M" if g.kind == "max_pool" else "E"
        return self.sym(f"{letter}{pos}", letter + self.tag.replace("{layer}", str(number)))

    def mask_note(self, pos: int, lay: LayerSpec) -> str:
        g = lay.pool
        assert g is not None
        name = self.pool_name(pos, g)
        shown = self.title_name(name.name, self.names[name])
        tiled = g.kernel == g.stride and not _leftover(g.source, g.kernel, g.stride, (0, 0))
        k = "×".join(map(str, g.kernel))
        if g.kind == "max_pool":
            what = "1 at the first maximum of each window, 0 elsewhere" if tiled else \
                "1 at the first maximum of window (i, j) of channel c, 0 elsewhere"
            return f"{shown} is {what}" + (f"; up_k repeats each entry over a {k} block"
                                             if tiled else "")
        if tiled:
            return f"up_k repeats each entry over a {k} block"
        return f"{shown}_(c,i,j) is 1 on window (i, j) of channel c, 0 elsewhere"

    def gradient_rows(self, pos: int, lay: LayerSpec) -> list[MatrixRow]:
        if lay.pool is not None:
            return []
        d, b = self.tensor("d", pos), self.bias(pos)
        if lay.conv is None:
            rows = [MatrixRow(Partial(self.loss, self.weight(pos)),
                              Product(d, Transpose(self.source(pos))))]
            if b is not None:
                rows.append(MatrixRow(Partial(self.loss, b), d))
            return rows
        g = lay.conv
        spread: sp.Basic = Dilate(Sub(d, f_), *_one(g.stride)) if max(g.stride) > 1 \
            else Sub(d, f_)
        prev: sp.Basic = Sub(self.tensor("a", pos - 1), c_)
        if max(g.padding) > 0:
            prev = Pad(prev, *_one(g.padding))
        one = sp.Tuple(1, 1)
        rows: list[MatrixRow] = [TensorRow(
            Partial(self.loss, Sub(self.weight(pos), f_, c_)),
            Correlate(spread, prev, one, sp.Tuple(0, 0)),
            free=((f_, 1, g.filters), (c_, 1, g.source[0])))]
        if b is not None:
            out = g.output
            rows.append(TensorRow(
                Partial(self.loss, Sub(b, f_)),
                Total(Sub(d, f_, i_, j_), sp.Tuple(i_, 1, out[1]), sp.Tuple(j_, 1, out[2])),
                free=((f_, 1, g.filters),)))
        return rows
