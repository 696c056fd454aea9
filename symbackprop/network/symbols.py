"""Many real symbols at once, each equal to ``sp.Symbol(name, real=True)`` in every way.

A 784-100-100-10 network has 89,610 parameters, a symbol each. ``sp.Symbol`` sanitises its
assumptions, looks the name up in SymPy's cache and sorts the deduced assumptions again for
every symbol, about 4 µs a symbol: a third of building the network. SymPy gives every symbol
made with the same assumptions the same deduced facts (one shared knowledge base); here the
first symbol is made by ``sp.Symbol`` and the others are made the way SymPy's
``Symbol.__xnew__`` makes one, sharing the first's facts. A symbol made so is compared with
one made by ``sp.Symbol``, every attribute alike; if SymPy ever makes them differently, every
symbol is made by ``sp.Symbol``.

Products of two symbols (w · a in a net input, δ · a in a gradient, δ · w in a recurrence)
are as many as the edges, 420,000 in LeNet-5; :func:`symbol_product` puts the two in SymPy's
canonical order itself instead of running the general product's flattening.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import sympy as sp


def real_symbols(names: Sequence[str]) -> list[sp.Symbol]:
    """``[sp.Symbol(name, real=True) for name in names]``, made faster."""
    if not names:
        return []
    first = sp.Symbol(names[0], real=True)
    if not _same(_like(first, names[0]), first):
        return [first, *(sp.Symbol(name, real=True) for name in names[1:])]
    return [first, *(_like(first, name) for name in names[1:])]


def _like(model: sp.Symbol, name: str) -> sp.Symbol:
    """A symbol called ``name`` with the assumptions of ``model``, as ``Symbol.__xnew__``
    builds one."""
    obj = sp.Expr.__new__(type(model))
    obj.name = name
    obj._assumptions = model._assumptions
    obj._assumptions_orig = model._assumptions_orig
    obj._assumptions0 = model._assumptions0
    return obj


def _same(made: sp.Symbol, model: sp.Symbol) -> bool:
    """Whether two symbols are alike in type, equality, hash and every attribute."""
    slots = set(chain.from_iterable(getattr(k, "__slots__", ()) for k in type(model).__mro__))
    if type(made) is not type(model) or made != model or hash(made) != hash(model):
        return False
    return not hasattr(model, "__dict__") and all(
        getattr(made, s, None) == getattr(model, s, None) for s in slots)


def symbol_product(first: sp.Expr, second: sp.Expr | None) -> sp.Expr:
    """``first * second`` (``first`` alone when ``second`` is None), the same expression
    SymPy makes; two distinct commutative symbols are put in SymPy's order directly.

    >>> symbol_product(sp.Symbol("b"), sp.Symbol("a")).args
    (a, b)
    """
    if second is None:
        return first
    if type(first) is sp.Symbol and type(second) is sp.Symbol:
        order = first.compare(second)
        if order and first.is_commutative and second.is_commutative:
            return sp.Mul._from_args((first, second) if order < 0 else (second, first),
                                     is_commutative=True)
    return first * second
