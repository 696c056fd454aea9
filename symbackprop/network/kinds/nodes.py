"""Formula nodes as SymPy: a spec's :class:`~symbackprop.spec.formulas.Term` trees made into
expressions of the network's symbols.

Each node's net input is its formula; its local derivatives ∂formula/∂parent (which stand
where a weight stands for a dense unit) and ∂formula/∂θ (one use of a parameter θ) are
SymPy's ``diff`` of that one small expression, so deriving every gradient costs time linear
in the total size of the formulas. :func:`expression` gives the formula as the network
computes with it; ``written=True`` keeps the terms in the order the spec writes them, for
printing and for the operation graph (seed 001's y = mx + c: m·x first, then c).

>>> import sympy as sp
>>> from symbackprop.spec.formulas import Term
>>> m, x, c = sp.symbols("m x c")
>>> mx = Term("mul", (Term("name", text="m"), Term("name", text="x")))
>>> expression(Term("add", (mx, Term("name", text="c"))), {"m": m, "x": x, "c": c})
c + m*x
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

import sympy as sp

from ...spec.formulas import Term
from ..functions import sigmoid, softplus

FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sigmoid": sigmoid, "softplus": softplus,
}
"""What each function a formula may call is (``spec.formulas.FORMULA_FUNCTIONS``)."""


def expression(term: Term, symbols: Mapping[str, sp.Symbol], *, written: bool = False
               ) -> sp.Expr:
    """``term`` with every name replaced by its symbol (iteratively: formulas may be deep)."""
    done: dict[int, sp.Expr] = {}
    stack: list[tuple[Term, bool]] = [(term, False)]
    while stack:
        top, ready = stack.pop()
        if not ready:
            stack.append((top, True))
            stack.extend((a, False) for a in top.args)
            continue
        args = [done[id(a)] for a in top.args]
        done[id(top)] = _make(top, args, symbols, evaluate=not written)
    return done[id(term)]


def _make(term: Term, args: list[sp.Expr], symbols: Mapping[str, sp.Symbol], *,
          evaluate: bool) -> sp.Expr:
    op = term.op
    if op == "name":
        return symbols[term.text]
    if op == "num":
        value = Fraction(term.text)
        return sp.Rational(value.numerator, value.denominator)
    if op == "neg":
        return sp.Mul(sp.S.NegativeOne, args[0], evaluate=evaluate)
    if op == "add":
        return sp.Add(*args, evaluate=evaluate)
    if op == "mul":
        return sp.Mul(*args, evaluate=evaluate)
    if op == "div":
        return sp.Mul(args[0], sp.Pow(args[1], -1, evaluate=evaluate), evaluate=evaluate)
    if op == "pow":
        return sp.Pow(args[0], args[1], evaluate=evaluate)
    if op == "call":
        return FUNCTIONS[term.text](args[0], evaluate=evaluate)
    raise ValueError(f"unknown term {op}")  # pragma: no cover - the spec reads only these


def local_derivatives(formula: sp.Expr, by: Mapping[str, sp.Symbol],
                      named: Mapping[sp.Expr, sp.Symbol] | None = None
                      ) -> tuple[tuple[str, sp.Expr], ...]:
    """(name, ∂formula/∂symbol) for every name of ``by``, in its order; ``named`` writes
    subexpressions that are nodes of their own by their symbols."""
    return tuple((name, sp.diff(formula, sym).xreplace(named or {}))
                 for name, sym in by.items())
