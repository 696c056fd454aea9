"""The same backpropagation per layer, with matrices and vectors and their shapes.

For a plain layered network (every layer fully connected to the one before it, one
activation per layer, no parameter used twice except one bias shared by a whole layer) the
index-form recurrences collapse into Nielsen's four equations::

    δ^L = ∇_a E ⊙ f'(z^L)        δ^l = ((W^{l+1})^T δ^{l+1}) ⊙ f'(z^l)
    ∂E/∂b^l = δ^l                 ∂E/∂W^l = δ^l (a^{l-1})^T

and, over a batch of m examples in the columns of X, into the same products of matrices.
Names follow the spec's notation: the vector of ``z^{[l]}_{j}`` is ``z^{[l]}``, and with
``weight_layer: source`` (seed 002) ``W^l`` carries layer l to layer l + 1.
Shapes are SymPy's own: building a product of mismatched shapes raises ``ShapeError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.matrices.expressions import OneMatrix

from ..network.build import Network, Unit
from ..network.derivation import Gradients
from ..network.functions import ACTIVATIONS, function_latex
from ..network.losses import loss_scale
from ..spec.typesetting import upright
from .latex import align_block
from .matrix_layers import (
    capitalise,
    head_of,
    not_layered,
    notation_tag,
    target_head,
    vector_name,
)
from .matrix_printing import (
    Elementwise,
    MatrixLatexPrinter,
    MatrixTextPrinter,
    RealSpace,
    text_name,
)
from .printing import Partial


@dataclass(frozen=True)
class MatrixRow:
    """``lhs relation rhs``, e.g. W^{[1]} ∈ ℝ^{2×2} or δ^{[2]} = …"""

    lhs: sp.Basic
    rhs: sp.Basic
    relation: str = "="  # "=" or "in"


@dataclass
class MatrixForm:
    """Per-layer matrix equations, or the reason they do not apply."""

    applies: bool
    reason: str = ""
    sections: list[tuple[str, list[MatrixRow]]] = field(default_factory=list)
    names: dict[sp.Basic, str] = field(default_factory=dict)
    network: Network | None = None
    words: dict[sp.Basic, str] = field(default_factory=dict)  # text names where LaTeX's differ
    # names in section titles: {key} in a title → (LaTeX, text), printed as each format needs
    title_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    heading = "Matrix form"  # the section's heading in LaTeX and Markdown

    def title(self, title: str, fmt: str) -> str:
        """A section title with its names as ``fmt`` (text, latex or markdown) writes them."""
        for key, (latex, text) in self.title_names.items():
            shown = {"text": text, "latex": latex, "markdown": f"${latex}$"}[fmt]
            title = title.replace("{" + key + "}", shown)
        return title

    def latex_rows(self, rows: list[MatrixRow]) -> list[str]:
        printer = MatrixLatexPrinter(self.network, extra_names=self.names)
        rel = {"=": "&=", "in": r"&\in"}
        return [f"{printer.doprint(r.lhs)} {rel[r.relation]} {printer.doprint(r.rhs)}"
                for r in rows]

    def text_rows(self, rows: list[MatrixRow]) -> list[str]:
        printer = MatrixTextPrinter(self.names, self.words)
        rel = {"=": "=", "in": "∈"}
        return [f"{printer.doprint(r.lhs)} {rel[r.relation]} {printer.doprint(r.rhs)}"
                for r in rows]

    def text_lines(self) -> list[str]:
        if not self.applies:
            return [f"{self.heading}: does not apply ({self.reason}); see the index form above."]
        out = [f"{self.heading} (per layer):"]
        for title, rows in self.sections:
            out.append(f"  {self.title(title, 'text')}:")
            out += [f"    {line}" for line in self.text_rows(rows)]
        return out

    def latex(self, env: str = "align*") -> str:
        if not self.applies:
            return f"% {self.heading.lower()} does not apply: {self.reason}"
        blocks = []
        for title, rows in self.sections:
            blocks.append(f"% {self.title(title, 'latex')}\n" +
                          align_block(self.latex_rows(rows), env))
        return "\n".join(blocks)

    def markdown(self) -> str:
        if not self.applies:
            return f"The {self.heading.lower()} does not apply: {self.reason}."
        out = []
        for title, rows in self.sections:
            out += [f"**{self.title(title, 'markdown')}**", "", "$$",
                    align_block(self.latex_rows(rows), "aligned"),
                    "$$", ""]
        return "\n".join(out).rstrip() + "\n"

    def json(self) -> dict[str, Any]:
        if not self.applies:
            return {"applies": False, "reason": self.reason}
        return {"applies": True, "sections": [
            {"title": self.title(title, "text"), "text": self.text_rows(rows),
             "latex": self.latex_rows(rows)}
            for title, rows in self.sections]}


# ----------------------------------------------------------------------------- building


def matrix_form(net: Network, grads: Gradients | None = None) -> MatrixForm:
    """The per-layer matrix equations of ``net`` (or why they do not apply).

    >>> form = matrix_form(net)  # doctest: +SKIP
    >>> form.text_lines()[:2]  # doctest: +SKIP
    ['Matrix form (per layer):', '  shapes:']
    """
    reason = not_layered(net)
    if reason is not None:
        return MatrixForm(False, reason, network=net)
    if grads is None:
        from ..network.derivation import derive
        grads = derive(net)
    return _Builder(net, grads).build()


class _Builder:
    def __init__(self, net: Network, grads: Gradients) -> None:
        self.net = net
        self.grads = grads
        self.spec = net.spec
        self.names: dict[sp.Basic, str] = {}
        self.words: dict[sp.Basic, str] = {}
        self.tag = notation_tag(self.spec.notation)
        self.row = self.spec.notation.layout == "row"
        notation = self.spec.notation
        self.first = notation.first_layer
        self.source_weights = notation.weight_layer == "source"
        m = self.spec.cost.examples if self.spec.cost is not None else "m"
        self.m = sp.Symbol(m, positive=True, integer=True)
        self.names[self.m] = m

    # -- symbols --------------------------------------------------------------------
    def sym(self, key: str, latex: str, rows: int | sp.Expr, cols: int | sp.Expr
            ) -> sp.MatrixSymbol:
        s = sp.MatrixSymbol(key, rows, cols)
        self.names[s] = upright(latex)
        return s

    def size(self, pos: int) -> int:
        return len(self.spec.inputs) if pos == 0 else len(self.spec.layers[pos - 1].units)

    def number(self, pos: int) -> int:
        return self.first + pos

    def param_number(self, pos: int) -> int:
        """The layer number printed on W and b of layer ``pos`` (seed 002: the source's)."""
        return self.number(pos - 1 if self.source_weights else pos)

    def vec(self, kind: str, pos: int, cols: int | sp.Expr = 1) -> sp.MatrixSymbol:
        """z, a, δ, b (or their batch matrices with ``cols`` = m) of layer ``pos``."""
        notation = self.spec.notation
        template = {"z": notation.net, "a": notation.activation, "d": notation.delta,
                    "b": notation.bias}[kind]
        batch = cols != 1 and kind != "b"
        if pos == 0 and kind == "a":
            latex = self.input_name(batch)
        elif kind == "b":
            latex = vector_name(template, self.tag, self.param_number(pos))
        else:
            latex = vector_name(template, self.tag, self.number(pos), capital=batch)
        key = f"{kind.upper() if batch else kind}{pos}"
        return self.sym(key, latex, *self.shaped(self.size(pos), cols))

    def shaped(self, n: int, cols: int | sp.Expr) -> tuple[int | sp.Expr, int | sp.Expr]:
        """The shape of n values for ``cols`` examples: n×cols, or cols×n in the row layout."""
        return (cols, n) if self.row else (n, cols)

    def mul(self, W: sp.MatrixExpr, v: sp.MatrixExpr) -> sp.MatrixExpr:
        """W applied to v: W v, or v W in the row layout."""
        return sp.MatMul(v, W) if self.row else sp.MatMul(W, v)

    def outer(self, d: sp.MatrixExpr, prev: sp.MatrixExpr) -> sp.MatrixExpr:
        """∂/∂W from δ and the activations before: δ aᵀ, or aᵀ δ in the row layout."""
        return sp.MatMul(prev.T, d) if self.row else sp.MatMul(d, prev.T)

    def ones_row(self, cols: int | sp.Expr) -> sp.MatrixExpr:
        """A vector of ones that repeats a layer's bias for ``cols`` examples."""
        return OneMatrix(cols, 1) if self.row else sp.Transpose(OneMatrix(cols, 1))

    def input_name(self, batch: bool) -> str:
        """The input vector's name: the first input's name without its index (x_{1} → x),
        keeping a layer script (Nielsen's a^{1}_{1} → a^{1})."""
        latex = self.spec.inputs[0].latex
        kept = re.sub(r"_\s*(\{[^{}]*\}|\w)\s*$", "", latex).strip()
        head = kept if "^" in kept and kept.startswith(head_of(latex)) else head_of(latex)
        head = head or "x"
        return capitalise(head) if batch else head

    def weight(self, pos: int) -> sp.MatrixSymbol:
        """The matrix carrying layer ``pos`` − 1 to layer ``pos``."""
        latex = vector_name(self.spec.notation.weight, self.tag, self.param_number(pos),
                             capital=True)
        shape = (self.size(pos - 1), self.size(pos)) if self.row else \
            (self.size(pos), self.size(pos - 1))
        return self.sym(f"W{pos}", latex, *shape)

    def loss(self) -> sp.Symbol:
        return self.net.loss_symbol

    # -- rows -----------------------------------------------------------------------
    def unit(self, pos: int) -> Unit:
        return self.net.unit_by_name[self.spec.layers[pos - 1].units[0]]

    def linear(self, pos: int) -> bool:
        return self.unit(pos).activation.kind == "linear"

    def apply(self, pos: int, z: sp.MatrixExpr, *, prime: bool) -> Elementwise:
        """The layer's activation (or its derivative) applied to every entry of ``z``."""
        act = self.unit(pos).activation
        if act.kind == "unspecified":
            word = act.fname or "f"
            name = function_latex(word)
        else:
            name, word = ACTIVATIONS[act.kind].latex_name, act.kind
        if act.kind == "leaky_relu":  # with its slope, as every other line prints it
            alpha = Fraction(1, 100) if act.alpha is None else act.alpha
            name += "_{" + sp.latex(sp.Rational(alpha.numerator, alpha.denominator)) + "}"
        mark = "'" if prime else ""
        return Elementwise(sp.Symbol(name + mark), z, sp.Symbol(word + mark))

    def build(self) -> MatrixForm:
        L = len(self.spec.layers)
        shapes: list[MatrixRow] = []
        forward: list[MatrixRow] = []
        backward: list[MatrixRow] = []
        grads_rows: list[MatrixRow] = []
        batch: list[MatrixRow] = []
        m = self.m
        x = self.vec("a", 0)
        shapes.append(MatrixRow(x, RealSpace(*x.shape), "in"))
        for pos in range(1, L + 1):
            W, z = self.weight(pos), self.vec("z", pos)
            shapes.append(MatrixRow(W, RealSpace(*W.shape), "in"))
            shapes.append(MatrixRow(z, RealSpace(*z.shape), "in"))
            forward += self.forward_rows(pos, 1)
        for pos in range(L, 0, -1):
            backward += self.delta_rows(pos, 1)
        for pos in range(1, L + 1):
            grads_rows += self.gradient_rows(pos)
        # batch form: the m examples are the columns of X (its rows in the row layout)
        X = self.vec("a", 0, m)
        batch.append(MatrixRow(X, RealSpace(*X.shape), "in"))
        for pos in range(1, L + 1):
            batch += self.forward_rows(pos, m)
        for pos in range(L, 0, -1):
            batch += self.delta_rows(pos, m)
        cost = self.cost_symbol()
        for pos in range(1, L + 1):
            D = self.vec("d", pos, m)
            A = self.vec("a", pos - 1, m)
            batch.append(MatrixRow(Partial(cost, self.weight(pos)),
                                   sp.MatMul(1 / m, self.outer(D, A))))
            bias = self.bias_kind(pos)
            ones = OneMatrix(m, 1)
            if bias == "vector":
                summed = sp.MatMul(sp.Transpose(ones), D) if self.row else sp.MatMul(D, ones)
                batch.append(MatrixRow(Partial(cost, self.vec("b", pos)),
                                       sp.MatMul(1 / m, summed)))
            elif bias == "shared":
                units = OneMatrix(self.size(pos), 1)
                total = sp.MatMul(sp.Transpose(ones), D, units) if self.row else \
                    sp.MatMul(sp.Transpose(units), D, ones)
                batch.append(MatrixRow(Partial(cost, self.shared_bias(pos)),
                                       sp.MatMul(1 / m, total)))
        where = "rows" if self.row else "columns"
        sections = [("shapes (b, a and δ have the shape of z)", shapes), ("forward pass", forward),
                    ("local gradients, from the output back", backward),
                    ("gradients", grads_rows),
                    (f"batch of {{m}} examples ({where} of {{X}}); cost {{J}}", batch)]
        named = {"m": self.names[m], "X": self.names[X], "J": self.cost_name()}
        return MatrixForm(True, "", sections, self.names, self.net, self.words,
                          {k: (latex, text_name(latex)) for k, latex in named.items()})

    def forward_rows(self, pos: int, cols: int | sp.Expr) -> list[MatrixRow]:
        """z = W a + b and a = f(z) (a linear layer's a is its z)."""
        z, a = self.vec("z", pos, cols), self.vec("a", pos, cols)
        affine = self.affine(pos, self.weight(pos), self.vec("a", pos - 1, cols),
                             self.vec("b", pos), cols)
        return [MatrixRow(z, affine),
                MatrixRow(a, z if self.linear(pos) else self.apply(pos, z, prime=False))]

    def shared_bias(self, pos: int) -> sp.Symbol:
        shared = self.unit(pos).bias
        assert shared is not None
        return shared

    def cost_symbol(self) -> sp.Symbol:
        c = self.spec.cost
        latex = c.latex if c is not None else self.spec.notation.cost
        s = sp.Symbol("cost_" + re.sub(r"\W", "", latex))
        self.names[s] = upright(latex)
        return s

    def cost_name(self) -> str:
        c = self.spec.cost
        return upright(c.latex if c is not None else self.spec.notation.cost)

    def bias_kind(self, pos: int) -> str:
        units = [self.net.unit_by_name[n] for n in self.spec.layers[pos - 1].units]
        biases = [u.bias for u in units]
        if all(b is None for b in biases):
            return "none"
        if len(units) > 1 and len(set(biases)) == 1:
            return "shared"
        return "vector"

    def affine(self, pos: int, W: sp.MatrixSymbol, prev: sp.MatrixExpr, b: sp.MatrixSymbol,
               cols: int | sp.Expr) -> sp.MatrixExpr:
        kind = self.bias_kind(pos)
        product = self.mul(W, prev)
        if kind == "none":
            return product
        if kind == "shared":
            ones = OneMatrix(*self.shaped(self.size(pos), cols))
            return sp.MatAdd(product, sp.MatMul(self.shared_bias(pos), ones))
        if cols == 1:
            return sp.MatAdd(product, b)
        repeat = self.ones_row(cols)
        return sp.MatAdd(product, sp.MatMul(repeat, b) if self.row else sp.MatMul(b, repeat))

    def delta_rows(self, pos: int, cols: int | sp.Expr) -> list[MatrixRow]:
        L = len(self.spec.layers)
        d = self.vec("d", pos, cols)
        z = self.vec("z", pos, cols)
        a = self.vec("a", pos, cols)
        if pos == L:
            kind = self.unit(pos).activation.kind
            loss = self.spec.loss.kind
            target = target_head(self.net)
            y = self.sym(f"Y{cols}", capitalise(target) if cols != 1 else target,
                         *self.shaped(self.size(pos), cols))
            if (kind, loss) in (("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")):
                # the factor and a mean over the outputs scale a − y as they scale the loss
                scale = loss_scale(self.spec.loss, self.size(pos))
                error = sp.MatAdd(a, -y)
                return [MatrixRow(d, error if scale == 1 else sp.MatMul(scale, error))]
            scale = self.error_scale()
            if scale is not None:  # ∇_a E = c (a − y), as the index form writes it
                back: sp.MatrixExpr = sp.MatAdd(a, -y) if scale == 1 else \
                    sp.MatMul(scale, sp.MatAdd(a, -y))
            else:
                back = self.sym(
                    f"gradE{cols}",
                    rf"\nabla_{{{self.names[a]}}} {self.net.latex_of(self.loss())}",
                    *self.shaped(self.size(pos), cols))
                self.words[back] = f"∂{self.net.loss_symbol.name}/∂{text_name(self.names[a])}"
        else:
            later = self.weight(pos + 1).T
            d_next = self.vec("d", pos + 1, cols)
            back = sp.MatMul(d_next, later) if self.row else sp.MatMul(later, d_next)
        if self.linear(pos):  # the identity's slope is 1: nothing to multiply by
            return [MatrixRow(d, back)]
        return [MatrixRow(d, sp.HadamardProduct(back, self.apply(pos, z, prime=True)))]

    def gradient_rows(self, pos: int) -> list[MatrixRow]:
        loss = self.loss()
        W = self.weight(pos)
        d = self.vec("d", pos)
        prev = self.vec("a", pos - 1)
        rows = [MatrixRow(Partial(loss, W), self.outer(d, prev))]
        kind = self.bias_kind(pos)
        if kind == "vector":
            rows.append(MatrixRow(Partial(loss, self.vec("b", pos)), d))
        elif kind == "shared":
            units = OneMatrix(self.size(pos), 1)
            rows.append(MatrixRow(Partial(loss, self.shared_bias(pos)),
                                  sp.MatMul(d, units) if self.row else
                                  sp.MatMul(sp.Transpose(units), d)))
        return rows

    def error_scale(self) -> sp.Expr | None:
        """c when ∂E/∂a = c (a − y) for every output (½ squared error: 1), else None."""
        outputs = [u for u in self.net.units if u.layer == self.unit(len(self.spec.layers)).layer]
        scales = set()
        for u in outputs:
            if u.target is None:
                return None
            ratio = sp.simplify(self.grads.dE_dout[u.name] / (u.out - u.target))
            if ratio.free_symbols:
                return None
            scales.add(ratio)
        return scales.pop() if len(scales) == 1 else None
