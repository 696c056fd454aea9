"""The rows of one chain-rule derivation: factors, their expansion, values, numbers.

Built from :func:`symbackprop.network.chains.chain_terms`, so the rows split the chain the way
the spec's source does. Every row is a SymPy expression (sums of :class:`Chain` products of
:class:`Partial` factors or their values), printed by the printers, never glued from strings::

    ∂E/∂w1 = ∂E/∂out_h1 · ∂out_h1/∂in_h1 · ∂in_h1/∂w1                        factors
           = (∂E/∂out_o1 · ∂out_o1/∂in_o1 · ∂in_o1/∂out_h1 + …) · …           expanded
           = ((out_o1 − target_o1) · out_o1(1 − out_o1) · w5 + …) · …         values
           = (0.741365 · 0.186816 · 0.4 + …) · 0.241301 · 0.05                 numbers
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from ..network.chains import Link, Term
from .printing import Chain, Partial


def _sum(terms: Sequence[sp.Expr]) -> sp.Expr:
    return sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]


def _chain(factors: Sequence[sp.Expr], *, drop_ones: bool) -> sp.Expr:
    kept = [f for f in factors if not (drop_ones and f == 1)]
    if not kept:
        return sp.S.One
    return Chain(*kept) if len(kept) > 1 else kept[0]


def factors_expr(terms: Sequence[Term]) -> sp.Expr:
    """Σ ∂·/∂· · ∂·/∂· …: the chain of each term."""
    return _sum([_chain([Partial(f.numerator, f.denominator) for f in t], drop_ones=False)
                 for t in terms])


def has_expansion(terms: Sequence[Term]) -> bool:
    return any(f.expansion for t in terms for f in t)


def expanded_expr(terms: Sequence[Term]) -> sp.Expr:
    """The factors, with each hidden unit's ∂E/∂out written as its sum of chains."""
    def factor(f: Link) -> sp.Expr:
        if f.expansion:
            return factors_expr(f.expansion)
        return Partial(f.numerator, f.denominator)

    return _sum([_chain([factor(f) for f in t], drop_ones=False) for t in terms])


def values_expr(terms: Sequence[Term]) -> sp.Expr:
    """Each factor's value; a factor known from elsewhere stays a symbol (δ, ∂E/∂out)."""
    return _leaves(terms, _value)


def numbers_expr(terms: Sequence[Term], number: Callable[[sp.Expr], sp.Expr]) -> sp.Expr:
    """Each factor's value as a (rounded) number: ``number`` maps a value to its number."""
    return _leaves(terms, lambda f: number(f.value))


def has_given(terms: Sequence[Term]) -> bool:
    """True when some factor is known from elsewhere (the row of values is not closed)."""
    def given(t: Term) -> bool:
        return any(f.given or has_given(f.expansion) for f in t)

    return any(given(t) for t in terms)


def _value(f: Link) -> sp.Expr:
    if f.given and not f.value.is_Symbol:
        return Partial(f.numerator, f.denominator)
    return f.value


def _leaves(terms: Sequence[Term], leaf: Callable[[Link], sp.Expr]) -> sp.Expr:
    """Each term's product of leaf values; factors equal to 1 (a linear unit's slope, a bias's
    ∂net/∂b) are left out."""
    def factor(f: Link) -> sp.Expr:
        return _leaves(f.expansion, leaf) if f.expansion else leaf(f)

    return _sum([_chain([factor(f) for f in t if f.expansion or f.value != 1],
                        drop_ones=True) for t in terms])


def same_product(a: sp.Expr, b: sp.Expr) -> bool:
    """True when ``a`` and ``b`` are the same sums of the same products, however their
    products are grouped or dotted: a row that only repeats the one before it is left out."""
    return _shape(a) == _shape(b)


def _shape(expr: sp.Expr) -> str:
    if isinstance(expr, Chain | sp.Mul):
        factors = _flatten(expr, (Chain, sp.Mul))
        coeff = sp.Mul(*[f for f in factors if f.is_Number])
        rest = sorted(_shape(f) for f in factors if not f.is_Number)
        if coeff != 1 or not rest:
            rest.insert(0, str(coeff))
        return rest[0] if len(rest) == 1 else "*(" + ",".join(rest) + ")"
    if isinstance(expr, sp.Add):
        return "+(" + ",".join(sorted(_shape(t) for t in _flatten(expr, (sp.Add,)))) + ")"
    if isinstance(expr, sp.Pow):
        return f"^({_shape(expr.base)},{_shape(expr.exp)})"
    return _leaf_shape(expr)


_LEAVES: dict[tuple[type, sp.Basic], str] = {}  # a leaf's srepr, kept: rows share factors
_LEAVES_MAX = 100_000


def _leaf_shape(expr: sp.Expr) -> str:
    key = (type(expr), expr)
    found = _LEAVES.get(key)
    if found is None:
        if len(_LEAVES) >= _LEAVES_MAX:
            _LEAVES.clear()
        found = _LEAVES[key] = sp.srepr(expr)
    return found


def _flatten(expr: sp.Expr, kinds: tuple[type, ...]) -> list[sp.Expr]:
    out: list[sp.Expr] = []
    for a in expr.args:
        out.extend(_flatten(a, kinds) if isinstance(a, kinds) else [a])
    return out
