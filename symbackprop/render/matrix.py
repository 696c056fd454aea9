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
from ..spec.typesetting import upright
from .latex import align_block
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
            return [f"Matrix form: does not apply ({self.reason}); see the index form above."]
        out = ["Matrix form (per layer):"]
        for title, rows in self.sections:
            out.append(f"  {self.title(title, 'text')}:")
            out += [f"    {line}" for line in self.text_rows(rows)]
        return out

    def latex(self, env: str = "align*") -> str:
        if not self.applies:
            return f"% matrix form does not apply: {self.reason}"
        blocks = []
        for title, rows in self.sections:
            blocks.append(f"% {self.title(title, 'latex')}\n" +
                          align_block(self.latex_rows(rows), env))
        return "\n".join(blocks)

    def markdown(self) -> str:
        if not self.applies:
            return f"The matrix form does not apply: {self.reason}."
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


# ----------------------------------------------------------------------------- naming


def _head(template: str) -> str:
    """The base of a notation template, before its first sub- or superscript:
    ``z^{[{layer}]}_{{index}}`` → ``z``, ``\\hat{y}_{{unit}}`` → ``\\hat{y}``."""
    depth = 0
    for k, ch in enumerate(template):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch in "_^" and depth == 0:
            return template[:k] or template
    return template


def _layer_tag(net: Network) -> str:
    """How the notation writes a layer number: ``^{[l]}``, ``^{l}`` or (none given) ``^{(l)}``."""
    template = net.spec.notation.net
    if "[{layer}]" in template:
        return "^{[{layer}]}"
    if "{layer}" in template:
        return "^{{layer}}"
    return "^{({layer})}"


def _vector_name(template: str, tag: str, layer: int, *, capital: bool = False) -> str:
    head = _head(template)
    if capital:
        head = _capitalise(head)
    return head + tag.replace("{layer}", str(layer))


_GREEK_CAPITALS = frozenset(("gamma", "delta", "theta", "lambda", "xi", "pi", "sigma",
                             "upsilon", "phi", "psi", "omega"))


def _capitalise(latex: str) -> str:
    """The batch (matrix) name of a vector: z → Z, \\delta → \\Delta, \\hat{y} → \\hat{Y},
    out → \\mathbf{out}, \\alpha → \\boldsymbol{\\alpha}."""
    m = re.fullmatch(r"\\([A-Za-z]+)\{(.*)\}", latex, re.S)
    if m:  # an accent or a font around the name
        command, argument = m.groups()
        if command in ("mathrm", "text", "operatorname"):
            return rf"\mathbf{{{argument}}}"
        return rf"\{command}{{{_capitalise(argument)}}}"
    m = re.match(r"(\\[A-Za-z]+|[A-Za-z]+)(.*)", latex, re.S)
    if not m:
        return latex
    head, rest = m.groups()
    if head.startswith("\\"):
        if head[1:] in _GREEK_CAPITALS:
            return "\\" + head[1].upper() + head[2:] + rest
        return rf"\boldsymbol{{{head}}}" + rest
    if len(head) == 1:
        return head.upper() + rest
    return rf"\mathbf{{{head}}}" + rest


# ----------------------------------------------------------------------------- checks


def _not_layered(net: Network) -> str | None:
    """Why the network is not plain layered, or None when it is."""
    spec = net.spec
    counts: dict[sp.Symbol, int] = {}
    for u in net.units:
        for _s, w in u.incoming:
            counts[w] = counts.get(w, 0) + 1
    shared = sorted(w.name for w, c in counts.items() if c > 1)
    if shared:
        return f"the weight {shared[0]} is shared by several connections"
    bias_layers: dict[sp.Symbol, set[int]] = {}
    for u in net.units:
        if u.bias is not None:
            bias_layers.setdefault(u.bias, set()).add(u.layer)
    for b, layers in bias_layers.items():
        if len(layers) > 1:
            return f"the bias {b.name} is shared by several layers"
    previous = [i.name for i in spec.inputs]
    for lay in spec.layers:
        units = [net.unit_by_name[n] for n in lay.units]
        kinds = {(u.activation.kind, u.activation.alpha, u.activation.fname) for u in units}
        if len(kinds) > 1:
            return f"the units of the layer \"{lay.name}\" have different activations"
        for u in units:
            if [s for s, _ in u.incoming] != previous:
                return f"unit {u.name} is not fed by exactly the layer before it (skip edges)"
        biases = [u.bias for u in units]
        if any(b is None for b in biases) and any(b is not None for b in biases):
            return f"only some units of the layer \"{lay.name}\" have a bias"
        named = [b for b in biases if b is not None]
        if len(set(named)) not in (0, 1, len(named)):
            return f"the biases of the layer \"{lay.name}\" are partly shared"
        previous = list(lay.units)
    return None


# ----------------------------------------------------------------------------- building


def matrix_form(net: Network, grads: Gradients | None = None) -> MatrixForm:
    """The per-layer matrix equations of ``net`` (or why they do not apply).

    >>> form = matrix_form(net)  # doctest: +SKIP
    >>> form.text_lines()[:2]  # doctest: +SKIP
    ['Matrix form (per layer):', '  shapes:']
    """
    reason = _not_layered(net)
    if reason is not None:
        return MatrixForm(False, reason, network=net)
    return _Builder(net).build()


class _Builder:
    def __init__(self, net: Network) -> None:
        self.net = net
        self.spec = net.spec
        self.names: dict[sp.Basic, str] = {}
        self.words: dict[sp.Basic, str] = {}
        self.tag = _layer_tag(net)
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
            latex = _vector_name(template, self.tag, self.param_number(pos))
        else:
            latex = _vector_name(template, self.tag, self.number(pos), capital=batch)
        key = f"{kind.upper() if batch else kind}{pos}"
        return self.sym(key, latex, self.size(pos), cols)

    def input_name(self, batch: bool) -> str:
        head = _head(self.spec.inputs[0].latex) or "x"
        return _capitalise(head) if batch else head

    def weight(self, pos: int) -> sp.MatrixSymbol:
        """The matrix carrying layer ``pos`` − 1 to layer ``pos``."""
        latex = _vector_name(self.spec.notation.weight, self.tag, self.param_number(pos),
                             capital=True)
        return self.sym(f"W{pos}", latex, self.size(pos), self.size(pos - 1))

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
        shapes.append(MatrixRow(x, RealSpace(self.size(0), 1), "in"))
        for pos in range(1, L + 1):
            W, z = self.weight(pos), self.vec("z", pos)
            shapes.append(MatrixRow(W, RealSpace(self.size(pos), self.size(pos - 1)), "in"))
            shapes.append(MatrixRow(z, RealSpace(self.size(pos), 1), "in"))
            forward += self.forward_rows(pos, 1)
        for pos in range(L, 0, -1):
            backward += self.delta_rows(pos, 1)
        for pos in range(1, L + 1):
            grads_rows += self.gradient_rows(pos)
        # batch form: the m examples are the columns of X
        X = self.vec("a", 0, m)
        batch.append(MatrixRow(X, RealSpace(self.size(0), m), "in"))
        for pos in range(1, L + 1):
            batch += self.forward_rows(pos, m)
        for pos in range(L, 0, -1):
            batch += self.delta_rows(pos, m)
        cost = self.cost_symbol()
        for pos in range(1, L + 1):
            D = self.vec("d", pos, m)
            A = self.vec("a", pos - 1, m)
            batch.append(MatrixRow(Partial(cost, self.weight(pos)),
                                   sp.MatMul(1 / m, D, A.T)))
            bias = self.bias_kind(pos)
            if bias == "vector":
                batch.append(MatrixRow(Partial(cost, self.vec("b", pos)),
                                       sp.MatMul(1 / m, D, OneMatrix(m, 1))))
            elif bias == "shared":
                batch.append(MatrixRow(Partial(cost, self.shared_bias(pos)), sp.MatMul(
                    1 / m, sp.Transpose(OneMatrix(self.size(pos), 1)), D, OneMatrix(m, 1))))
        sections = [("shapes (b, a and δ have the shape of z)", shapes), ("forward pass", forward),
                    ("local gradients, from the output back", backward),
                    ("gradients", grads_rows),
                    ("batch of {m} examples (columns of {X}); cost {J}", batch)]
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
        product = sp.MatMul(W, prev)
        if kind == "none":
            return product
        if kind == "shared":
            ones = OneMatrix(self.size(pos), cols)
            return sp.MatAdd(product, sp.MatMul(self.shared_bias(pos), ones))
        if cols == 1:
            return sp.MatAdd(product, b)
        return sp.MatAdd(product, sp.MatMul(b, OneMatrix(1, cols)))

    def delta_rows(self, pos: int, cols: int | sp.Expr) -> list[MatrixRow]:
        L = len(self.spec.layers)
        d = self.vec("d", pos, cols)
        z = self.vec("z", pos, cols)
        a = self.vec("a", pos, cols)
        if pos == L:
            kind = self.unit(pos).activation.kind
            loss = self.spec.loss.kind
            if (kind, loss) in (("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")):
                y = self.sym(f"Y{cols}", "Y" if cols != 1 else "y", self.size(pos), cols)
                return [MatrixRow(d, sp.MatAdd(a, -y))]
            back: sp.MatrixExpr = self.sym(
                f"gradE{cols}", rf"\nabla_{{{self.names[a]}}} {self.net.latex_of(self.loss())}",
                self.size(pos), cols)
            self.words[back] = f"∂{self.net.loss_symbol.name}/∂{text_name(self.names[a])}"
        else:
            back = sp.MatMul(self.weight(pos + 1).T, self.vec("d", pos + 1, cols))
        if self.linear(pos):  # the identity's slope is 1: nothing to multiply by
            return [MatrixRow(d, back)]
        return [MatrixRow(d, sp.HadamardProduct(back, self.apply(pos, z, prime=True)))]

    def gradient_rows(self, pos: int) -> list[MatrixRow]:
        loss = self.loss()
        W = self.weight(pos)
        d = self.vec("d", pos)
        prev = self.vec("a", pos - 1)
        rows = [MatrixRow(Partial(loss, W), sp.MatMul(d, prev.T))]
        kind = self.bias_kind(pos)
        if kind == "vector":
            rows.append(MatrixRow(Partial(loss, self.vec("b", pos)), d))
        elif kind == "shared":
            rows.append(MatrixRow(Partial(loss, self.shared_bias(pos)),
                                  sp.MatMul(sp.Transpose(OneMatrix(self.size(pos), 1)), d)))
        return rows
