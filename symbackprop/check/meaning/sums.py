"""Sums in a formula: over units (expanded), over training examples (kept as a Σ), or over
the output units when no index is written (``½ Σ (target − out)²``).

* ``\\sum_k w^{l+1}_{kj} \\delta^{l+1}_k``: k runs over every value for which the summand's
  names exist (within the bounds, when they are numbers);
* ``\\frac{1}{m}\\sum_{i=1}^{m} \\partial L^{(i)}/\\partial\\theta``: a sum over the m examples
  of the cost; per-example quantities are entries of arrays (example i of the batch), m is
  the number of examples at each random point;
* ``\\sum (target - out)^2``: over the output units, with the notation's bare names (out,
  target) standing for each output's quantity in turn.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sympy as sp

from ..reading.scripts import example_mark
from ..reading.syntax import Node, Sum, names_in, walk
from ..reading.tokens import formula_error
from .index_ranges import bounded_values
from .names import MAX_SUM_TERMS, MissingInstance

_Reader = Any  # the reader of meaning.py: read(node), scope, reading; another for a sub-scope


def array_name(sym: sp.Symbol) -> str:
    """The per-example array of a quantity (values of examples 1 … m)."""
    return f"ex:{sym.name}"


def gradient_array_name(param: sp.Symbol) -> str:
    """The per-example array of ∂L/∂param."""
    return f"grad:{param.name}"


def bound_letters(node: Node) -> set[str]:
    """The index letters bound by the sums of ``node``."""
    return {n.index for n in walk(node) if isinstance(n, Sum) and n.index is not None}


def is_example_sum(r: _Reader, node: Sum) -> bool:
    """Whether ``node`` sums over the training examples."""
    q = r.scope.table.quantities
    if node.upper is not None:
        bound = r.read(node.upper)
        if q.count in bound.free_symbols:
            return True
    letter = node.index
    for name in names_in(node.body):
        mark = example_mark(name.written)
        if mark is None or mark[1] != letter:
            continue
        found = r.scope.table.lookup(mark[0]) or r.scope.table.generic(mark[0])
        if found is not None and (q.per_example(found[0]) or found[0] == q.cost):
            return True
    return False


def read_sum(r: _Reader, node: Sum) -> sp.Expr:
    if node.index is None:
        return _over_outputs(r, node)
    if is_example_sum(r, node):
        return _over_examples(r, node)
    return _over_index(r, node)


def _over_examples(r: _Reader, node: Sum) -> sp.Expr:
    q = r.scope.table.quantities
    assert node.index is not None
    letter = node.index
    counter = sp.Symbol(f"example_{letter}", integer=True)
    lower = r.read(node.lower) if node.lower is not None else sp.S.One
    upper = r.read(node.upper) if node.upper is not None else q.count
    for bound in (lower, upper):
        if bound.free_symbols - {q.count}:
            raise formula_error("the bounds of a sum over examples must be numbers or the "
                                "number of examples", node.pos)
    if not lower.is_Integer or abs(lower) > 1 or not (upper - q.count).is_Integer or \
            abs(upper - q.count) > 1:
        raise formula_error(f"a sum over the examples runs from 1 (or 0) to "
                            f"{q.latex_of(q.count)} (or {q.latex_of(q.count)} − 1)", node.pos)
    inner = replace(r.scope, examples={**r.scope.examples,
                                       letter: (counter, counter - lower + 1)},
                    cost_context=True)
    body = type(r)(inner, r.reading).read(node.body)
    r.reading.examples = True
    return sp.Sum(body, (counter, lower, upper))


def _integer(r: _Reader, node: Node | None) -> int | None:
    if node is None:
        return None
    value = r.read(node)
    return int(value) if value.is_Integer else None


def _over_index(r: _Reader, node: Sum) -> sp.Expr:
    assert node.index is not None
    low, high = _integer(r, node.lower), _integer(r, node.upper)
    bounded = low is not None and high is not None
    values = bounded_values(low, high, node.pos) if low is not None and high is not None \
        else [v for v in r.scope.table.index_values
              if (low is None or v >= low) and (high is None or v <= high)]
    terms: list[sp.Expr] = []
    misses: list[MissingInstance] = []
    for v in values:
        try:
            terms.append(type(r)(r.scope.with_index(node.index, v), r.reading).read(node.body))
        except MissingInstance as missing:
            if bounded:  # every term of Σ_{i=1}^{3} must exist: none is left out unsaid
                raise
            misses.append(missing)
            continue
        if len(terms) > MAX_SUM_TERMS:
            raise formula_error(f"a sum of more than {MAX_SUM_TERMS} terms", node.pos)
    if not terms:
        raise MissingInstance(f"\\sum_{node.index}", tuple(misses))
    return sp.Add(*terms)


def _over_outputs(r: _Reader, node: Sum) -> sp.Expr:
    outputs = r.scope.table.quantities.net.outputs
    terms = [type(r)(replace(r.scope, unit=u), r.reading).read(node.body) for u in outputs]
    if len(outputs) > 1 and all(t == terms[0] for t in terms):
        raise formula_error("a sum needs an index (\\sum_k …) or the bare names of the "
                            "notation (out, target) to run over the outputs", node.pos)
    r.reading.notes.append("read Σ without an index as the sum over the output units")
    return sp.Add(*terms)
