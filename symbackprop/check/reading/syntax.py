"""The syntax tree of a formula, before its names are given a meaning.

The parser (:mod:`symbackprop.check.reading.parser`) builds these nodes from tokens; the
meaning of a name (a network quantity, a free index, an example index, an update's new value,
a local definition) is decided later by :mod:`symbackprop.check.meaning.meaning`, which turns
a tree into SymPy objects. Keeping the two apart lets one tree be read once and instantiated
for every value of its free indices.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Num:
    """A number as written (``0.5``, ``2``): exact, and remembered as decimal or not."""

    text: str
    pos: int

    @property
    def decimal(self) -> bool:
        return "." in self.text


@dataclass(frozen=True)
class Name:
    """A name with its scripts as written (``out_{h1}``, ``w^{l}_{jk}``, ``w_{5}^{+}``)."""

    raw: str
    pos: int
    primes: int = 0

    @property
    def written(self) -> str:
        return self.raw + "'" * self.primes


@dataclass(frozen=True)
class Call:
    """A function applied to arguments; ``param`` is a subscript parameter (lrelu_{α})."""

    func: str
    args: tuple[Node, ...]
    pos: int
    primes: int = 0
    param: Node | None = None


@dataclass(frozen=True)
class Neg:
    arg: Node


@dataclass(frozen=True)
class Add:
    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Mul:
    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Div:
    top: Node
    bottom: Node
    pos: int


@dataclass(frozen=True)
class Pow:
    base: Node
    exp: Node
    pos: int


@dataclass(frozen=True)
class Deriv:
    """A factor ∂top/∂bottom (or dtop/dbottom) as written."""

    top: Name
    bottom: Name
    text: str
    pos: int


@dataclass(frozen=True)
class DerivOp:
    """The operator form ∂/∂bottom [body]: the derivative of a written expression."""

    bottom: Name
    body: Node
    pos: int


@dataclass(frozen=True)
class Sum:
    """Σ over ``index`` from ``lower`` to ``upper`` (bounds may be missing) of ``body``."""

    index: str | None
    lower: Node | None
    upper: Node | None
    body: Node
    pos: int


@dataclass(frozen=True)
class Compare:
    left: Node
    rel: str  # < > <= >= = !=
    right: Node
    pos: int


@dataclass(frozen=True)
class Indicator:
    """1 where the condition holds, else 0 (𝟙[z > 0], [z > 0])."""

    cond: Compare
    pos: int


@dataclass(frozen=True)
class Cases:
    """A brace of cases; a row without a condition is "otherwise"."""

    rows: tuple[tuple[Node, Compare | None], ...]
    pos: int


Node = Num | Name | Call | Neg | Add | Mul | Div | Pow | Deriv | DerivOp | Sum | Indicator | Cases


@dataclass(frozen=True)
class Statement:
    """Sides joined by relations: ``=`` (equal), ``<-`` (an update, ``←``/``:=``), ``~``."""

    sides: tuple[Node, ...]
    relations: tuple[str, ...]
    text: str
    spans: tuple[tuple[int, int], ...] = ()  # where each side is in ``text``

    def side_text(self, k: int) -> str:
        if not self.spans:
            return self.text
        start, end = self.spans[k]
        return self.text[start:end].strip()


def children(node: Node) -> Iterator[Node]:
    """The direct sub-trees of ``node``."""
    if isinstance(node, (Neg,)):
        yield node.arg
    elif isinstance(node, Add):
        yield from node.terms
    elif isinstance(node, Mul):
        yield from node.factors
    elif isinstance(node, Div):
        yield node.top
        yield node.bottom
    elif isinstance(node, Pow):
        yield node.base
        yield node.exp
    elif isinstance(node, Call):
        yield from node.args
        if node.param is not None:
            yield node.param
    elif isinstance(node, Deriv):
        yield node.top
        yield node.bottom
    elif isinstance(node, DerivOp):
        yield node.bottom
        yield node.body
    elif isinstance(node, Sum):
        yield from (n for n in (node.lower, node.upper) if n is not None)
        yield node.body
    elif isinstance(node, Indicator):
        yield node.cond.left
        yield node.cond.right
    elif isinstance(node, Cases):
        for value, cond in node.rows:
            yield value
            if cond is not None:
                yield cond.left
                yield cond.right


def walk(node: Node) -> Iterator[Node]:
    """``node`` and every node below it (iteratively: trees are bounded but may be deep)."""
    stack = [node]
    while stack:
        top = stack.pop()
        yield top
        stack.extend(children(top))


def names_in(node: Node) -> list[Name]:
    """Every name in the tree, including those of ∂ factors."""
    return [n for n in walk(node) if isinstance(n, Name)]
