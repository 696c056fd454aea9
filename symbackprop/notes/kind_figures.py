"""The notes' pictures of convolution, pooling and recurrent layers, one per layer, drawn from
the layer's own geometry and labelled with the spec's names.

A conv layer shows one output's receptive field on its (padded) source, the kernel and the
output grid (:func:`symbackprop.render.tikz_grid.conv_tikz`); a pooling layer the window of
one output and where its δ goes (to the window's first maximum at the spec's values, or
spread as δ/k²); a recurrent layer the network unrolled over its steps
(:func:`symbackprop.render.tikz_unrolled.unrolled_tikz`).
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod

import sympy as sp

from ..network.build import Network, Unit
from ..render.latex import escape_text
from ..render.numbers import number_tex
from ..render.tikz_grid import GridLayer, conv_tikz, pool_tikz, receptive_field
from ..render.tikz_unrolled import Unrolled, unrolled_tikz
from ..spec.model import ConvGeometry, LayerSpec, PoolGeometry
from .document import Block, Figure


def _plane(shape: tuple[int, ...]) -> tuple[int, int]:
    """(H, W) of one channel; a one-dimensional layer is one row."""
    return (shape[1], shape[2]) if len(shape) == 3 else (1, shape[1])


def _pair(sizes: tuple[int, ...], one: int) -> tuple[int, int]:
    return (sizes[0], sizes[1]) if len(sizes) == 2 else (one, sizes[0])


class _Source:
    """The names and values of a layer's source, entry (c, r, q) channels first."""

    def __init__(self, net: Network, lay: LayerSpec, shape: tuple[int, ...]) -> None:
        pos = lay.position
        if pos == 1:
            self.symbols = list(net.inputs)
        else:
            before = net.spec.layers[pos - 2]
            self.symbols = [net.unit_by_name[n].out for n in before.units]
        self.names = self._names(net, lay)
        self.order = {name: k for k, name in enumerate(self.names)}
        self.plane = _plane(shape)
        self.net = net

    @staticmethod
    def _names(net: Network, lay: LayerSpec) -> list[str]:
        if lay.position == 1:
            return [i.name for i in net.spec.inputs]
        return list(net.spec.layers[lay.position - 2].units)

    def index(self, c: int, r: int, q: int) -> int:
        h, w = self.plane
        return (c - 1) * h * w + (r - 1) * w + (q - 1)

    def position(self, name: str) -> tuple[int, int, int]:
        h, w = self.plane
        k = self.order[name]
        return k // (h * w) + 1, (k % (h * w)) // w + 1, k % w + 1

    def latex(self, r: int, q: int) -> str:
        return self.net.latex_of(self.symbols[self.index(1, r, q)])


def _units(net: Network, lay: LayerSpec) -> list[Unit]:
    return [net.unit_by_name[n] for n in lay.units]


def _output_label(net: Network, lay: LayerSpec, out: tuple[int, int], pick: Callable[
        [Unit], sp.Symbol]) -> Callable[[int, int], str]:
    units = _units(net, lay)
    return lambda i, j: net.latex_of(pick(units[(i - 1) * out[1] + (j - 1)]))


def _kernel_weights(net: Network, lay: LayerSpec, g: ConvGeometry, source: _Source
                    ) -> dict[tuple[int, int], sp.Expr]:
    """Filter 1's weight on channel 1 at kernel tap (m, n), read off the units' wiring."""
    out_h, out_w = _plane(g.output)
    (s_r, s_c), (p_r, p_c) = _pair(g.stride, 1), _pair(g.padding, 0)
    weights: dict[tuple[int, int], sp.Expr] = {}
    for k, u in enumerate(_units(net, lay)[:out_h * out_w]):
        i, j = k // out_w + 1, k % out_w + 1
        for name, w in u.incoming:
            c, r, q = source.position(name)
            if c == 1:
                weights.setdefault((r - s_r * (i - 1) + p_r, q - s_c * (j - 1) + p_c), w)
        if len(weights) == prod(_pair(g.kernel, 1)):
            break  # every tap found: a large layer's other units add nothing
    return weights


def conv_figure(net: Network, lay: LayerSpec) -> Figure:
    g = lay.conv
    assert g is not None
    source = _Source(net, lay, g.source)
    out = _plane(g.output)
    kernel, stride, padding = _pair(g.kernel, 1), _pair(g.stride, 1), _pair(g.padding, 0)
    at = (1, 1) if max(padding) > 0 else (min(2, out[0]), 1)
    weights = _kernel_weights(net, lay, g, source)
    name = escape_text(lay.name)
    layer = GridLayer(_plane(g.source), kernel, stride, padding, out, at, source.latex,
                      _output_label(net, lay, out, lambda u: u.net),
                      f"source of {name}, channel 1", f"{name}, filter 1")
    tikz = conv_tikz(layer, lambda m, n: net.latex_of(weights[(m, n)])
                     if (m, n) in weights else "", "kernel, filter 1, channel 1")
    field = receptive_field(*at, kernel, stride, padding)
    caption = (f"The layer {lay.name}: output {at} of filter 1 is the kernel times the "
               f"shaded window of channel 1 of its source (rows {field.rows[0]} to "
               f"{field.rows[1]}, columns {field.cols[0]} to {field.cols[1]}: rows "
               f"s(i − 1) + 1 − p to s(i − 1) + k − p with stride s = {stride[0]}, "
               f"padding p = {padding[0]}, kernel k = {kernel[0]}), summed over the "
               f"{g.source[0]} channel{'s' if g.source[0] > 1 else ''}, plus the filter's "
               "bias.")
    if at[1] < out[1]:
        caption += f" The dashed window is that of output ({at[0]}, {at[1] + 1})."
    return Figure(tikz, "", caption, network=False)


def pool_figure(net: Network, lay: LayerSpec, values: dict[sp.Symbol, float] | None
                ) -> Figure:
    g = lay.pool
    assert g is not None
    source = _Source(net, lay, g.source)
    out = _plane(g.output)
    kernel, stride = _pair(g.kernel, 1), _pair(g.stride, 1)
    at = (1, 1)
    field = receptive_field(*at, kernel, stride)
    cells = [(r, q) for r in range(field.rows[0], field.rows[1] + 1)
             for q in range(field.cols[0], field.cols[1] + 1)]
    unit = _units(net, lay)[0]
    delta = net.latex_of(unit.delta)
    numbered = values is not None and all(
        source.symbols[source.index(1, r, q)] in values for r, q in cells)

    def label(r: int, q: int) -> str:
        sym = source.symbols[source.index(1, r, q)]
        if numbered and values is not None and sym in values:
            return number_tex(values[sym], 3)
        return source.latex(r, q)

    name = escape_text(lay.name)
    layer = GridLayer(_plane(g.source), kernel, stride, (0, 0), out, at, label,
                      _output_label(net, lay, out, lambda u: u.out),
                      f"source of {name}, channel 1", f"{name}, channel 1")
    area = kernel[0] * kernel[1]
    if g.kind == "avg_pool":
        tikz = pool_tikz(layer, cells, rf"\frac{{1}}{{{area}}}\, {delta}")
        how = f"spread evenly over its window, {delta_words(area)}"
    elif numbered and values is not None:
        window = [values[source.symbols[source.index(1, r, q)]] for r, q in cells]
        first = cells[window.index(max(window))]  # the first maximum, row by row
        tikz = pool_tikz(layer, [first], delta)
        how = (f"routed to the window's first maximum, at row {first[0]}, column "
               f"{first[1]}; the window's other cells get 0")
    else:
        tikz = pool_tikz(layer, [], delta)
        how = "routed to the window's first maximum, the other cells get 0"
    caption = (f"The layer {lay.name} ({g.kind.replace('_', ' ')}, {kernel[0]}×{kernel[1]} "
               f"windows, stride {stride[0]}): output {at} pools the shaded window; going "
               f"back, its δ is {how}.")
    if numbered:
        caption += " The numbers are the source's values at the spec's example."
    return Figure(tikz, "", caption, network=False)


def delta_words(area: int) -> str:
    return f"each of its {area} cells getting δ/{area}"


def recurrent_figure(net: Network, lay: LayerSpec) -> Figure | None:
    from ..render.tensor_recurrent import RecurrentBuilder

    g = lay.recurrent
    if g is None or g.role != "hidden":
        return None
    names = RecurrentBuilder(net)

    def head(geometry: object, role: str) -> str:
        return names.names[names.vector(geometry, role)]  # type: ignore[arg-type]

    after = net.spec.layers[lay.position] if lay.position < len(net.spec.layers) else None
    go = after.recurrent if after is not None and after.recurrent is not None \
        and after.recurrent.role == "output" else None
    u = Unrolled(g.steps, head(g, "input"), head(g, "activation"),
                 head(go, "net") if go is not None else None,
                 head(g, "input_weight"), head(g, "recurrent_weight"),
                 head(go, "weight") if go is not None else None,
                 "0" if g.initial == "zero" else "")
    shared = "and ".join(p for p in ("U, W ", "V " if go is not None else "") if p)
    caption = (f"The layer {lay.name} unrolled over its {g.steps} steps: each step reads "
               "its input and the state before it; the same matrices (" + shared.strip()
               + " in the figure, named as the spec names them) act at every step, so each "
               "gradient sums over the steps.")
    if g.steps > 5:
        caption += " The middle steps are left out."
    mermaid = _unrolled_mermaid(g.steps, go is not None)
    return Figure(unrolled_tikz(u), mermaid, caption, network=False)


def _unrolled_mermaid(steps: int, output: bool) -> str:
    """The unrolled layer as a Mermaid flowchart, in plain names (h0 → h1 → …)."""
    lines = ["flowchart LR", "  h0((h0))"]
    for t in range(1, min(steps, 5) + 1):
        lines += [f"  x{t}[x{t}] -->|U| h{t}((h{t}))", f"  h{t - 1} -->|W| h{t}"]
        if output:
            lines.append(f"  h{t} -->|V| o{t}[o{t}]")
    return "\n".join(lines)


def kind_figures(net: Network, values: dict[sp.Symbol, float] | None) -> list[Block]:
    """A figure for each convolution, pooling and recurrent layer, in the layers' order."""
    out: list[Block] = []
    for lay in net.spec.layers:
        if isinstance(lay.conv, ConvGeometry):
            out.append(conv_figure(net, lay))
        elif isinstance(lay.pool, PoolGeometry):
            out.append(pool_figure(net, lay, values))
        elif lay.recurrent is not None:
            fig = recurrent_figure(net, lay)
            if fig is not None:
                out.append(fig)
    return out
