"""Other readings of a wrong formula that a student may have meant.

``1/1+e^{-z}`` is (1/1) + e^{−z} as written; if 1/(1 + e^{−z}) holds, the mistake is the
missing brackets, not the mathematics. A sum whose terms use an index that does not run
with the sum (Σ_i … w_j) cannot pick a different weight for each i.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..reading.scripts import example_mark, index_letters
from ..reading.syntax import Add, Div, Mul, Name, Neg, Node, Pow, Statement, Sum, names_in, walk


def _regroup(node: Node, text: str) -> Iterator[tuple[str, Node]]:
    """Every ``a/b + c`` in ``node`` (written with a slash) read as ``a/(b + c)``."""
    if isinstance(node, Add) and isinstance(node.terms[0], Div) and \
            node.terms[0].pos < len(text) and text[node.terms[0].pos] == "/":
        first = node.terms[0]
        grouped = Div(first.top, Add((first.bottom, *node.terms[1:])), first.pos)
        yield "/", grouped
    children: list[tuple[int, Node]] = []
    if isinstance(node, (Add, Mul)):
        items = node.terms if isinstance(node, Add) else node.factors
        children = list(enumerate(items))
    for k, child in children:
        for how, new in _regroup(child, text):
            items = list(node.terms if isinstance(node, Add) else node.factors)
            items[k] = new
            yield how, (Add(tuple(items)) if isinstance(node, Add) else Mul(tuple(items)))
    if isinstance(node, Neg):
        for how, new in _regroup(node.arg, text):
            yield how, Neg(new)
    if isinstance(node, Pow):
        for how, new in _regroup(node.base, text):
            yield how, Pow(new, node.exp, node.pos)


def rereadings(node: Node, statement: Statement) -> list[tuple[str, Node]]:
    """Alternative trees for ``node`` with the words that explain each."""
    found = []
    for _, new in _regroup(node, statement.text):
        assert isinstance(new, (Add, Div, Mul, Neg, Pow))
        found.append(("`/` binds tighter than `+`: as written, a/b + c is (a/b) + c; with "
                      "brackets, a/(b + c), it holds", new))
    return found[:4]


def index_hints(statement: Statement, free: list[str]) -> list[str]:
    """Why no instance of an index formula can hold: a sum's terms use a fixed index."""
    hints = []
    for side in statement.sides:
        for s in walk(side):
            if not isinstance(s, Sum) or s.index is None:
                continue
            own = frozenset({s.index})  # Σ_{t=1}^{3} makes t an index letter in its body
            used = {c for n in names_in(s.body) for c in index_letters(n.written, own)}
            used |= {m[1] for n in names_in(s.body) if (m := example_mark(n.written))}
            if s.index not in used:
                examples = s.upper is not None and any(  # Σ_{k=0}^{m-1}: examples
                    isinstance(n, Name) for n in walk(s.upper))
                what = f"L^{{({s.index})}}" if examples else f"out_{{o{s.index}}}"
                hints.append(f"the terms of the sum over {s.index} do not use {s.index}, so "
                             f"they are all the same: write {s.index} on what changes from "
                             f"term to term (as in {what})")
                continue
            inside = {id(n) for n in names_in(s.body)}
            outside = {c for other in statement.sides for n in names_in(other)
                       if id(n) not in inside for c in index_letters(n.written)}
            fixed = sorted({c for n in names_in(s.body) for c in index_letters(n.written)
                            if c in free and c != s.index and c not in outside})
            if fixed:
                verb = "stays" if len(fixed) == 1 else "stay"
                hints.append(f"the terms of the sum over {s.index} use {', '.join(fixed)}, "
                             f"which {verb} the same for every {s.index}: each term needs "
                             f"its own (write it with {s.index})")
    return hints
