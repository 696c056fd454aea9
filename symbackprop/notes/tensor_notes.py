"""The notes' tensor form of convolution, pooling and recurrent networks, and their forward
pass on whole tensors with the spec's numbers.

The tensor form is :func:`symbackprop.render.tensor.tensor_form`, the one ``derive`` prints,
set in the notes' displays. With the spec's values, each conv and pooling layer's channels
and each recurrent step are written out as matrices and vectors of numbers
(``Z^{[1]}_1 = W^{[1]}_{1,1} ∗ X_1 + b_1 = (…) ∗ (…) + 0.1 = (…)``) while they stay small
(:data:`MAX_SIDE` entries a side, :data:`MAX_SHOWN` channels or steps).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from ..network.build import Network, Unit
from ..network.derivation import Gradients
from ..render.latex import TEXT_WIDTH_EM, escape_text, latex_width
from ..render.matrix_layers import capitalise, head_of
from ..render.numbers import number_tex
from ..render.tensor import tensor_form
from .document import Block, Equations, Heading, Math, Para

MAX_SIDE = 6  # a matrix of numbers has at most this many rows and columns
MAX_SHOWN = 3  # channels (filters) or steps written out with numbers


def _title_parts(title: str, names: dict[str, tuple[str, str]]) -> tuple[str | Math, ...]:
    """A section title of the tensor form as text and math: its ``{key}`` names are math."""
    parts: list[str | Math] = []
    for piece in re.split(r"(\{[A-Za-z0-9_]+\})", title):
        key = piece[1:-1]
        if piece.startswith("{") and key in names:
            parts.append(Math(names[key][0]))
        elif piece:
            parts.append(piece)
    return tuple(parts)


def _fitted(row: str) -> list[str]:
    """A row, its ``for t = …`` on a line of its own when the row is wider than the page."""
    if latex_width(row) <= TEXT_WIDTH_EM or r" \quad \text{for } " not in row:
        return [row]
    main, _, free = row.partition(r" \quad \text{for } ")
    return [main, r"&\qquad \text{for } " + free]


def tensor_section(net: Network, grads: Gradients) -> list[Block]:
    """The tensor form, or why it does not apply; [] for a network without conv, pooling
    or recurrent layers."""
    form = tensor_form(net, grads)
    if form is None:
        return []
    out: list[Block] = [Heading("Tensor form", 2)]
    if not form.applies:
        out.append(Para((f"The tensor form does not apply to this network: {form.reason}. "
                         "The index form above holds for any network.",)))
        return out
    out.append(Para(("The same recurrences on whole tensors, in the spec's names, with every "
                     "shape given.",)))
    for title, rows in form.sections:
        parts = _title_parts(title[:1].upper() + title[1:], form.title_names)
        out.append(Para((*parts, ":"), into=True))
        lines = [line for r in form.latex_rows(rows) for line in _fitted(r)]
        out.append(Equations(tuple(lines), unbreakable=len(lines) <= 6))
    return out


# ----------------------------------------------------------------------------- numbers


def matrix_tex(entries: Sequence[Sequence[float]]) -> str:
    r"""``\begin{pmatrix} … \end{pmatrix}`` of numbers, each to four significant digits.

    >>> matrix_tex([[1.0, -0.5]])
    '\\begin{pmatrix} 1 & -0.5 \\end{pmatrix}'
    """
    body = r" \\ ".join(" & ".join(number_tex(v, 4) for v in row) for row in entries)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def _column(values: Sequence[float]) -> str:
    return matrix_tex([[v] for v in values])


def _grid(values: Sequence[float], h: int, w: int, channel: int) -> list[list[float]]:
    start = (channel - 1) * h * w
    return [list(values[start + r * w:start + (r + 1) * w]) for r in range(h)]


def _values(at: dict[sp.Symbol, float], symbols: Sequence[sp.Symbol]) -> list[float] | None:
    if any(s not in at for s in symbols):
        return None
    return [float(at[s]) for s in symbols]


def _source_symbols(net: Network, position: int) -> list[sp.Symbol]:
    if position == 1:
        return list(net.inputs)
    return [net.unit_by_name[n].out for n in net.spec.layers[position - 2].units]


def _conv_rows(net: Network, position: int, at: dict[sp.Symbol, float]) -> list[str]:
    """``Z_f = Σ_c W_{f,c} ∗ X_c + b_f = (numbers) = (numbers)`` and ``A_f = g(Z_f)`` for the
    first channels of a conv2d layer, from the units' own wiring and values."""
    lay = net.spec.layers[position - 1]
    g = lay.conv
    assert g is not None
    if len(g.source) != 3:
        return []
    c_n, h, w = g.source
    f_n, oh, ow = g.output
    k_r, k_c = g.kernel
    if max(h + 2 * g.padding[0], w + 2 * g.padding[1], oh, ow) > MAX_SIDE or c_n > 2:
        return []
    units: list[Unit] = [net.unit_by_name[n] for n in lay.units]
    source = _source_symbols(net, position)
    names = [*(i.name for i in net.spec.inputs)] if position == 1 else \
        list(net.spec.layers[position - 2].units)
    src = _values(at, source)
    if src is None:
        return []
    rows: list[str] = []
    for f in range(1, min(f_n, MAX_SHOWN) + 1):
        block = units[(f - 1) * oh * ow:f * oh * ow]
        z = _values(at, [u.net for u in block])
        a = _values(at, [u.out for u in block])
        if z is None or a is None:
            return []
        terms = []
        for c in range(1, c_n + 1):
            kernel = [[0.0] * k_c for _ in range(k_r)]
            for k, u in enumerate(block):
                i, j = k // ow, k % ow
                for name, weight in u.incoming:
                    idx = names.index(name)
                    if idx // (h * w) + 1 != c:
                        continue
                    r, q = (idx % (h * w)) // w, idx % w
                    m, n = r - g.stride[0] * i + g.padding[0], q - g.stride[1] * j + g.padding[1]
                    kernel[m][n] = float(at[weight]) if weight in at else float("nan")
            image = _grid(src, h, w, c)
            if max(g.padding) > 0:
                p_r, p_c = g.padding
                wide = [[0.0] * (w + 2 * p_c) for _ in range(p_r)]
                image = [*wide, *([0.0] * p_c + row + [0.0] * p_c for row in image), *wide]
            terms.append(rf"{matrix_tex(kernel)} \ast {matrix_tex(image)}")
        bias = block[0].bias
        lhs = rf"{_capital(net, block[0].net)}_{{{f}}}"
        rhs = " + ".join(terms)
        if bias is not None and bias in at:
            rhs += " + " + number_tex(float(at[bias]), 4)
        rows.append(rf"{lhs} &= {rhs} \\*")
        rows.append(rf"&= {matrix_tex(_grid(z, oh, ow, 1))}")
        act = block[0].activation.kind
        if act != "linear":
            rows.append(rf"{_capital(net, block[0].out)}_{{{f}}} &= "
                        rf"\operatorname{{{escape_text(act)}}}\left({lhs}\right) "
                        rf"= {matrix_tex(_grid(a, oh, ow, 1))}")
    return rows


def _pool_rows(net: Network, position: int, at: dict[sp.Symbol, float]) -> list[str]:
    lay = net.spec.layers[position - 1]
    g = lay.pool
    assert g is not None
    if len(g.source) != 3 or max(g.source[1:]) > MAX_SIDE:
        return []
    c_n, h, w = g.source
    _, oh, ow = g.output
    src = _values(at, _source_symbols(net, position))
    units = [net.unit_by_name[n] for n in lay.units]
    out = _values(at, [u.out for u in units])
    if src is None or out is None:
        return []
    op = r"\operatorname{maxpool}" if g.kind == "max_pool" else r"\operatorname{avgpool}"
    rows = []
    for c in range(1, min(c_n, MAX_SHOWN) + 1):
        lhs = rf"{_capital(net, units[0].out)}_{{{c}}}"
        rows.append(rf"{lhs} &= {op}_{{{g.kernel[0]},{g.stride[0]}}}\left("
                    rf"{matrix_tex(_grid(src, h, w, c))}\right) = "
                    rf"{matrix_tex(_grid(out, oh, ow, c))}")
    return rows


def _capital(net: Network, symbol: sp.Symbol) -> str:
    """The tensor's name from a unit's: ``z^{[1]}_{1,2,2}`` → ``Z^{[1]}``."""
    tex = _head(net, symbol)
    base = head_of(tex)
    return capitalise(base) + tex[len(base):]


def _head(net: Network, symbol: sp.Symbol) -> str:
    """A unit's name without its indices, up to its last subscript: ``h^{(2)}_{1}`` →
    ``h^{(2)}``."""
    tex = net.latex_of(symbol)
    depth = 0
    for k in range(len(tex) - 1, -1, -1):
        depth += {"}": 1, "{": -1}.get(tex[k], 0)
        if tex[k] == "_" and depth == 0:
            return tex[:k]
    return tex


def _recurrent_rows(net: Network, at: dict[sp.Symbol, float]) -> list[str]:
    """Each of the first steps: the net input, the state and the output with numbers."""
    hidden = next((lay for lay in net.spec.layers if lay.recurrent is not None
                   and lay.recurrent.role == "hidden"), None)
    if hidden is None:
        return []
    g = hidden.recurrent
    assert g is not None
    if max(g.size, g.inputs) > MAX_SIDE:
        return []
    units = [net.unit_by_name[n] for n in hidden.units]
    after = [lay for lay in net.spec.layers[hidden.position:] if lay.recurrent is not None
             and lay.recurrent.role == "output"]
    outs = [net.unit_by_name[n] for n in after[0].units] if after else []
    rows: list[str] = []
    for t in range(1, min(g.steps, MAX_SHOWN) + 1):
        step = [u for u in units if u.group == t] or units[(t - 1) * g.size:t * g.size]
        rows += _step_rows(net, step, at)
        out_step = [u for u in outs if u.group == t]
        rows += _step_rows(net, out_step, at)
    return rows


def _step_rows(net: Network, step: list[Unit], at: dict[sp.Symbol, float]) -> list[str]:
    """``net = (numbers of the bias and the products) = (numbers)``, ``out = g(net) = …``."""
    if not step:
        return []
    z = _values(at, [u.net for u in step])
    a = _values(at, [u.out for u in step])
    if z is None or a is None:
        return []
    # the sources in the order the first unit reads them, grouped by the name's head
    groups: dict[str, list[str]] = {}
    for name, _w in step[0].incoming:
        sym = net.unit_by_name[name].out if name in net.unit_by_name else next(
            s for s, i in zip(net.inputs, net.spec.inputs, strict=True) if i.name == name)
        groups.setdefault(_head(net, sym), []).append(name)
    terms = []
    bias = [u.bias for u in step]
    if all(b is not None and b in at for b in bias):
        terms.append(_column([float(at[b]) for b in bias if b is not None]))
    for names in groups.values():
        weights = []
        for u in step:
            read = dict(u.incoming)
            weights.append([float(at[read[n]]) if n in read and read[n] in at else 0.0
                            for n in names])
        values = [float(at[net.unit_by_name[n].out]) if n in net.unit_by_name else float(
            at[next(s for s, i in zip(net.inputs, net.spec.inputs, strict=True)
                    if i.name == n)]) for n in names]
        terms.append(rf"{matrix_tex(weights)} {_column(values)}")
    lhs_net, lhs_out = _head(net, step[0].net), _head(net, step[0].out)
    rows = [rf"{lhs_net} &= {' + '.join(terms)} = {_column(z)}"]
    act = step[0].activation.kind
    if act != "linear":
        rows.append(rf"{lhs_out} &= \operatorname{{{escape_text(act)}}}\left({lhs_net}\right) "
                    rf"= {_column(a)}")
    return rows


def tensor_numbers(net: Network, at: dict[sp.Symbol, float] | None) -> list[Block]:
    """The forward pass on tensors with the spec's numbers (small layers only)."""
    if at is None:
        return []
    rows: list[str] = []
    for lay in net.spec.layers:
        if lay.conv is not None:
            rows += _conv_rows(net, lay.position, at)
        elif lay.pool is not None:
            rows += _pool_rows(net, lay.position, at)
    rows += _recurrent_rows(net, at)
    if not rows:
        return []
    rows = [r.removesuffix(r" \\*") for r in rows]
    # a heading of its own, which check reads as a tensor form's (the matrices are not read)
    return [Heading("The forward pass in tensor form", 2),
            Para(("The same forward pass on whole tensors, one channel (or step) at a time, "
                  "with the spec's numbers (rounded to four digits; the index form above has "
                  "them exact):",), into=True),
            Equations(tuple(rows))]
