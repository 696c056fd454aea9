"""One activation's derivative written for another's: a(1 − a), the sigmoid's, for a tanh
unit, or 1 − a², tanh's, for a sigmoid unit.

Both are written in the unit's output a, and both look right, so the mix-up is common in
networks with tanh hidden units and sigmoid or softmax outputs. The written formula is
searched for the wrong form as a factor; the diagnosis is given only when putting the unit's
own derivative in its place makes the formula hold at every random point.

>>> import sympy as sp
>>> a, x = sp.symbols("a x")
>>> [str(new) for new in _replaced(a * (1 - a) * x, a * (1 - a), 1 - a**2)]
['x*(1 - a**2)']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sympy as sp

from ...network.build import Network
from ...network.derivation import Gradients
from ..judging.sample_points import EvaluationPoints, Value, agrees

MAX_UNITS = 64  # units of the written formula tried
NAMES = {"sigmoid": "σ′", "tanh": "tanh′"}


def _forms(a: sp.Symbol) -> dict[str, sp.Expr]:
    """Each activation's derivative written in its output ``a``."""
    return {"sigmoid": a * (1 - a), "tanh": 1 - a**2}


def _replaced(expr: sp.Expr, wrong: sp.Expr, right: sp.Expr) -> Iterator[sp.Expr]:
    """``expr`` with ``wrong`` replaced by ``right`` where it is written: the whole, or
    factors of a product (a·x·(1 − a) holds a(1 − a))."""
    if expr == wrong:
        yield right
        return
    needed = sp.Mul(wrong).as_powers_dict() if wrong.is_Mul else {wrong: 1}
    for node in sp.preorder_traversal(expr):
        if not node.is_Mul:
            continue
        have = node.as_powers_dict()
        if all(have.get(f, 0) >= e for f, e in needed.items()):
            yield expr.xreplace({node: node / wrong * right})


def activation_fixes(net: Network, grads: Gradients, points: EvaluationPoints,
                     expr: sp.Expr, truth: list[Value],
                     text_of: Callable[[sp.Symbol], str]) -> list[str]:
    """The unit whose derivative is written as another activation's, when the unit's own
    derivative in its place makes ``expr`` equal ``truth``."""
    written = expr.free_symbols
    units = [u for u in net.units if u.out in written and u.activation.kind in NAMES]
    for unit in units[:MAX_UNITS]:
        a, kind = unit.out, unit.activation.kind
        right = grads.local_derivative(unit)
        for other, wrong in _forms(a).items():
            if other == kind or sp.expand(wrong - right) == 0:
                continue
            for new in _replaced(expr, wrong, right):
                fixed = points.compile(new)
                if agrees(fixed.at, truth):
                    name = text_of(a)
                    return [f"{_shown(other, name)} is the derivative of {other} "
                            f"({NAMES[other]}); {name} is a {kind} unit, whose derivative is "
                            f"{_shown(kind, name)}"]
    return []


def _shown(kind: str, name: str) -> str:
    return f"{name}(1 − {name})" if kind == "sigmoid" else f"1 − ({name})²"
