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
from typing import Any

import sympy as sp
from sympy.matrices.expressions import OneMatrix

from ..network.build import Network, Unit
from ..network.derivation import Gradients
from ..network.functions import ACTIVATIONS
from ..spec.naming import plain_name
from ..spec.typesetting import upright
from .latex import align_block
from .printing import NetworkLatexPrinter, Partial, TextPrinter, as_expr


class RealSpace(sp.Expr):
    """ℝ^{n×m}: the set a vector or matrix belongs to."""

    def __new__(cls, rows: int | sp.Expr, cols: int | sp.Expr) -> RealSpace:
        return sp.Expr.__new__(cls, as_expr(rows), as_expr(cols))

    def _latex(self, printer: Any, exp: Any = None) -> str:
        rows, cols = self.args
        if cols == 1:
            return rf"\mathbb{{R}}^{{{printer._print(rows)}}}"
        return rf"\mathbb{{R}}^{{{printer._print(rows)} \times {printer._print(cols)}}}"

    def _sympystr(self, printer: Any) -> str:
        rows, cols = self.args
        if cols == 1:
            return f"R^{printer._print(rows)}"
        return f"R^({printer._print(rows)}×{printer._print(cols)})"


class Elementwise(sp.MatrixExpr):
    """An activation (or its derivative) applied to every entry of a matrix: f(z), f'(z)."""

    def __new__(cls, name: sp.Symbol, arg: sp.MatrixExpr) -> Elementwise:
        return sp.Basic.__new__(cls, name, arg)

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[1].shape

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return rf"{self.args[0].name}\left({printer._print(self.args[1])}\right)"

    def _sympystr(self, printer: Any) -> str:
        return f"{_plain_function(self.args[0].name)}({printer._print(self.args[1])})"


def _plain_function(latex: str) -> str:
    return re.sub(r"\\operatorname\{([^}]*)\}|\\", r"\1", latex).replace("^{", "").replace(
        "}", "")


class MatrixLatexPrinter(NetworkLatexPrinter):
    """LaTeX for matrix expressions: (W^l)^T with the layer tag kept apart, 1 as a bold one."""

    def _print_Transpose(self, expr: Any) -> str:
        inner = self._print(expr.arg)
        names = self._settings["symbol_names"]
        if isinstance(expr.arg, OneMatrix) or "^" not in names.get(expr.arg, "^"):
            return rf"{inner}^{{\top}}"
        return rf"\left({inner}\right)^{{\top}}"

    def _print_OneMatrix(self, expr: Any) -> str:
        return r"\mathbf{1}"


class MatrixTextPrinter(TextPrinter):
    """Plain text for matrix expressions: (W2)^T, ⊙ and 1 for the vector of ones."""

    def __init__(self, names: dict[sp.Basic, str]) -> None:
        super().__init__()
        self.names = {k: plain_name(v) for k, v in names.items()}

    def _print_MatrixSymbol(self, expr: Any) -> str:
        return self.names.get(expr, expr.name)

    def _print_Symbol(self, expr: Any) -> str:
        return self.names.get(expr, expr.name)

    def _print_Transpose(self, expr: Any) -> str:
        return f"({self._print(expr.arg)})^T"

    def _print_HadamardProduct(self, expr: Any) -> str:
        return " ⊙ ".join(self.parenthesize(a, 50, strict=True) for a in expr.args)

    def _print_OneMatrix(self, expr: Any) -> str:
        return "1"


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

    def latex_rows(self, rows: list[MatrixRow]) -> list[str]:
        printer = MatrixLatexPrinter(self.network, extra_names=self.names)
        rel = {"=": "&=", "in": r"&\in"}
        return [f"{printer.doprint(r.lhs)} {rel[r.relation]} {printer.doprint(r.rhs)}"
                for r in rows]

    def text_rows(self, rows: list[MatrixRow]) -> list[str]:
        printer = MatrixTextPrinter(self.names)
        rel = {"=": "=", "in": "∈"}
        return [f"{printer.doprint(r.lhs)} {rel[r.relation]} {printer.doprint(r.rhs)}"
                for r in rows]

    def text_lines(self) -> list[str]:
        if not self.applies:
            return [f"Matrix form: does not apply ({self.reason}); see the index form above."]
        out = ["Matrix form (per layer):"]
        for title, rows in self.sections:
            out.append(f"  {title}:")
            out += [f"    {line}" for line in self.text_rows(rows)]
        return out

    def latex(self, env: str = "align*") -> str:
        if not self.applies:
            return f"% matrix form does not apply: {self.reason}"
        blocks = []
        for title, rows in self.sections:
            blocks.append(f"% {title}\n" + align_block(self.latex_rows(rows), env))
        return "\n".join(blocks)

    def markdown(self) -> str:
        if not self.applies:
            return f"The matrix form does not apply: {self.reason}."
        out = []
        for title, rows in self.sections:
            out += [f"**{title}**", "", "$$", align_block(self.latex_rows(rows), "aligned"),
                    "$$", ""]
        return "\n".join(out).rstrip() + "\n"

    def json(self) -> dict[str, Any]:
        if not self.applies:
            return {"applies": False, "reason": self.reason}
        return {"applies": True, "sections": [
            {"title": title, "text": self.text_rows(rows), "latex": self.latex_rows(rows)}
            for title, rows in self.sections]}


# ----------------------------------------------------------------------------- naming


def _head(template: str) -> str:
    """The letter(s) a notation template starts with: ``z^{[{layer}]}_{{index}}`` → ``z``."""
    m = re.match(r"\\[A-Za-z]+|[A-Za-z]+", template)
    return m.group(0) if m else template


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


def _capitalise(latex: str) -> str:
    """The batch (matrix) name of a vector: z → Z, \\delta → \\Delta, out → \\mathbf{out}."""
    m = re.match(r"(\\[A-Za-z]+|[A-Za-z]+)(.*)", latex, re.S)
    if not m:
        return latex
    head, rest = m.groups()
    if head.startswith("\\"):
        return "\\" + head[1].upper() + head[2:] + rest
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
            return f"the units of layer {lay.name} have different activations"
        for u in units:
            if [s for s, _ in u.incoming] != previous:
                return f"unit {u.name} is not fed by exactly the layer before it (skip edges)"
        biases = [u.bias for u in units]
        if any(b is None for b in biases) and any(b is not None for b in biases):
            return f"only some units of layer {lay.name} have a bias"
        named = [b for b in biases if b is not None]
        if len(set(named)) not in (0, 1, len(named)):
            return f"the biases of layer {lay.name} are partly shared"
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
    def activation(self, pos: int, prime: bool) -> tuple[str, Unit]:
        unit = self.net.unit_by_name[self.spec.layers[pos - 1].units[0]]
        act = unit.activation
        if act.kind == "unspecified":
            name = act.fname or "f"
        elif act.kind == "linear":
            name = r"\operatorname{id}"
        else:
            name = ACTIVATIONS[act.kind].latex_name
        return (name + "'" if prime else name), unit

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
            W, b, z, a = self.weight(pos), self.vec("b", pos), self.vec("z", pos), \
                self.vec("a", pos)
            shapes.append(MatrixRow(W, RealSpace(self.size(pos), self.size(pos - 1)), "in"))
            shapes.append(MatrixRow(z, RealSpace(self.size(pos), 1), "in"))
            prev = self.vec("a", pos - 1)
            forward.append(MatrixRow(z, self.affine(pos, W, prev, b, 1)))
            fname, _unit = self.activation(pos, prime=False)
            forward.append(MatrixRow(a, Elementwise(sp.Symbol(fname), z)))
        for pos in range(L, 0, -1):
            backward += self.delta_rows(pos, 1)
        for pos in range(1, L + 1):
            grads_rows += self.gradient_rows(pos)
        # batch form: the m examples are the columns of X
        X = self.vec("a", 0, m)
        batch.append(MatrixRow(X, RealSpace(self.size(0), m), "in"))
        for pos in range(1, L + 1):
            Z = self.vec("z", pos, m)
            batch.append(MatrixRow(Z, self.affine(pos, self.weight(pos), self.vec("a", pos - 1, m),
                                                  self.vec("b", pos), m)))
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
        sections = [("shapes (b, a and δ have the shape of z)", shapes), ("forward pass", forward),
                    ("local gradients, from the output back", backward),
                    ("gradients", grads_rows),
                    (f"batch of {self.names[m]} examples (columns of "
                     f"{self.names[X]}); cost {self.cost_name()}", batch)]
        return MatrixForm(True, "", sections, self.names, self.net)

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
            shared = self.net.unit_by_name[self.spec.layers[pos - 1].units[0]].bias
            assert shared is not None
            ones = OneMatrix(self.size(pos), cols)
            return sp.MatAdd(product, sp.MatMul(shared, ones))
        if cols == 1:
            return sp.MatAdd(product, b)
        return sp.MatAdd(product, sp.MatMul(b, OneMatrix(1, cols)))

    def delta_rows(self, pos: int, cols: int | sp.Expr) -> list[MatrixRow]:
        L = len(self.spec.layers)
        d = self.vec("d", pos, cols)
        z = self.vec("z", pos, cols)
        a = self.vec("a", pos, cols)
        fprime, unit = self.activation(pos, prime=True)
        rows: list[MatrixRow] = []
        if pos == L:
            kind = unit.activation.kind
            loss = self.spec.loss.kind
            if (kind, loss) in (("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")):
                y = self.sym(f"Y{cols}", "Y" if cols != 1 else "y", self.size(pos), cols)
                return [MatrixRow(d, sp.MatAdd(a, -y))]
            grad = self.sym(f"gradE{cols}", rf"\nabla_{{{self.names[a]}}} "
                            rf"{self.net.latex_of(self.loss())}", self.size(pos), cols)
            rows.append(MatrixRow(d, sp.HadamardProduct(grad, Elementwise(sp.Symbol(fprime), z))))
        else:
            W = self.weight(pos + 1)
            nxt = self.vec("d", pos + 1, cols)
            rows.append(MatrixRow(d, sp.HadamardProduct(sp.MatMul(W.T, nxt),
                                                        Elementwise(sp.Symbol(fprime), z))))
        return rows

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
            shared = self.net.unit_by_name[self.spec.layers[pos - 1].units[0]].bias
            assert shared is not None
            rows.append(MatrixRow(Partial(loss, shared),
                                  sp.MatMul(sp.Transpose(OneMatrix(self.size(pos), 1)), d)))
        return rows
