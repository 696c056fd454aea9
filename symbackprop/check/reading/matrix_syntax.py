"""The syntax tree of a step in matrix form, and its text as a diagnosis quotes it.

A matrix-form step names whole layers: ``\\delta^{l} = ((w^{l+1})^T \\delta^{l+1}) \\odot
\\sigma'(z^{l})`` (Nielsen's BP2), ``z^{[1]} = W^{[1]} x + b^{[1]}``, ``∂L/∂W^[2] =
δ^[2]·(a^[1])^T`` (as ``derive`` prints it), ``h = XW + b`` in the row layout. The tree keeps
what was written: a name with its layer script (a number, or ``l``, ``l+1``, ``L``, ``L-1``),
transposes, matrix products, elementwise products, sums, scalars, functions applied to every
entry, gradients, Σ over a batch's examples, a vector of ones and a set of shapes. It is built
by :mod:`symbackprop.check.reading.matrix_parser`; the names get their meaning in
:mod:`symbackprop.check.meaning.matrix_names`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tok:
    """A token of a matrix-form step as the parser reads it."""

    kind: str  # font, space, cmd, num, word, sym
    text: str
    pos: int


@dataclass(frozen=True)
class LayerRef:
    """A layer script: a number (``letter`` None), or ``l``/``L`` plus an offset."""

    letter: str | None
    offset: int

    def at(self, values: dict[str, int]) -> int:
        return self.offset + (values[self.letter] if self.letter is not None else 0)


@dataclass(frozen=True)
class MName:
    """A name as written: its head (``W``, ``\\delta``, ``\\mathbf{out}``) and layer."""

    head: str
    layer: LayerRef | None
    raw: str
    pos: int
    example: str | None = None  # Δ_i under Σ_i: the i-th example's vector of a batch


@dataclass(frozen=True)
class MNum:
    value: str


@dataclass(frozen=True)
class MOnes:
    """``\\mathbf{1}`` (or ``1`` beside a matrix): a vector of ones of the shape it needs."""


@dataclass(frozen=True)
class MTranspose:
    arg: MNode


@dataclass(frozen=True)
class MProduct:
    args: tuple[MNode, ...]


@dataclass(frozen=True)
class MHadamard:
    args: tuple[MNode, ...]


@dataclass(frozen=True)
class MSum:
    terms: tuple[tuple[int, MNode], ...]  # (sign, term)


@dataclass(frozen=True)
class MDivide:
    arg: MNode
    by: MNode


@dataclass(frozen=True)
class MCall:
    """A function of every entry (``\\sigma'(z)``), ``softmax`` of a vector, ``diag``."""

    func: str
    primes: int
    arg: MNode
    param: str | None = None  # a leaky ReLU's slope as written: lrelu_{0.2}(z)


@dataclass(frozen=True)
class MGrad:
    """∂C/∂X or ∇_X C: the gradient of a loss or cost with respect to a whole layer's X."""

    of: str
    wrt: MName


@dataclass(frozen=True)
class MExampleSum:
    """Σ_i over the examples of a batch, of a body whose batch names carry ``_i``; written
    bounds (Σ_{i=2}^{m}) are kept: ``start`` the first example, ``end`` the last as written."""

    index: str
    body: MNode
    start: int = 1
    end: str | None = None


@dataclass(frozen=True)
class MSpace:
    """ℝ^{rows×cols}; a count such as ``m`` is kept as written."""

    rows: str
    cols: str


@dataclass(frozen=True)
class MAxisSum:
    """``np.sum(A, axis=0, keepdims=True)``: the sums down A's columns (axis 0, a row) or
    along its rows (axis 1, a column), as NumPy computes them."""

    arg: MNode
    axis: int


@dataclass(frozen=True)
class MMask:
    """``dhidden[hidden_layer <= 0] = 0``: the entries of ``target`` where ``left op
    right`` holds set to ``value`` (None on the left side of the line that sets them)."""

    target: MNode
    left: MNode
    op: str  # "<=", "<", ">=", ">"
    right: MNode
    value: MNode | None = None
    name: str | None = None  # the name that holds it on the lines after the one setting it


MNode = MName | MNum | MOnes | MTranspose | MProduct | MHadamard | MSum | MDivide | MCall | \
    MGrad | MSpace | MExampleSum | MAxisSum | MMask


@dataclass(frozen=True)
class MStatement:
    sides: tuple[MNode, ...]
    relations: tuple[str, ...]  # "=" or "in"
    texts: tuple[str, ...]  # each side as written


_GREEK = {r"\delta": "δ", r"\Delta": "Δ", r"\sigma": "σ", r"\nabla": "∇", r"\phi": "φ",
          r"\varphi": "φ", r"\partial": "∂"}


def written(node: MNode) -> str:
    """A node as it reads: ``(W^{[2]})^T δ^{[2]}``, ``δ^{[1]} ⊙ σ'(z^{[1]})``."""
    if isinstance(node, MName):
        text = node.raw
        for command, mark in _GREEK.items():
            text = text.replace(command, mark)
        return text
    if isinstance(node, MNum):
        return node.value
    if isinstance(node, MOnes):
        return "1"
    if isinstance(node, MTranspose):
        inner = written(node.arg)
        plain = (isinstance(node.arg, MName) and "^" not in node.arg.raw) or \
            isinstance(node.arg, MOnes | MNum)
        return f"{inner}^T" if plain else f"({inner})^T"
    if isinstance(node, MProduct):
        return " ".join(_wrapped(a, (MSum, MHadamard)) for a in node.args)
    if isinstance(node, MHadamard):
        return " ⊙ ".join(_wrapped(a, (MSum,)) for a in node.args)
    if isinstance(node, MSum):
        out = ""
        for k, (sign, term) in enumerate(node.terms):
            out += (" − " if sign < 0 else " + ") if k else ("−" if sign < 0 else "")
            out += _wrapped(term, (MSum,))
        return out
    if isinstance(node, MDivide):
        return f"{_wrapped(node.arg, (MSum, MHadamard))}/{_wrapped(node.by, (MSum, MProduct))}"
    if isinstance(node, MCall):
        return f"{_GREEK.get(chr(92) + node.func, node.func)}{chr(39) * node.primes}" \
            f"({written(node.arg)})"
    if isinstance(node, MGrad):
        return f"∂{node.of}/∂{written(node.wrt)}"
    if isinstance(node, MExampleSum):
        bounds = node.index if node.start == 1 and node.end is None else \
            f"{{{node.index}={node.start}}}" + (f"^{{{node.end}}}" if node.end else "")
        return f"Σ_{bounds} {_wrapped(node.body, (MSum, MHadamard))}"
    if isinstance(node, MAxisSum):
        return f"np.sum({written(node.arg)}, axis={node.axis})"
    if isinstance(node, MMask):
        if node.name is not None:
            return node.name
        where = f"{written(node.left)} {node.op} {written(node.right)}"
        if node.value is None:
            return f"{written(node.target)}[{where}]"
        return f"{written(node.target)} with {written(node.value)} where {where}"
    assert isinstance(node, MSpace)
    return f"ℝ^({node.rows}×{node.cols})"


def _wrapped(node: MNode, kinds: tuple[type, ...]) -> str:
    text = written(node)
    return f"({text})" if isinstance(node, kinds) else text
