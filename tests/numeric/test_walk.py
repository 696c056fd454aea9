"""The mpmath walk of SymPy expressions against SymPy's own evaluation."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symbackprop.network.functions import sigmoid, softplus
from symbackprop.numeric.lambdified import MPMATH_FUNCTIONS
from symbackprop.numeric.walk import Missing, NotWalkable, value_at

x, y, z = sp.symbols("x y z", real=True)
AT = {x: sp.Rational(3, 10), y: sp.Rational(-7, 4), z: sp.Rational(5, 2)}
EXPRESSIONS = [
    x * y + z,
    sigmoid(x) * (1 - sigmoid(x)) * y,
    sp.exp(-x) / (1 + sp.exp(y)) - sp.log(z),
    (x - y) ** 2 / 2 + sp.sqrt(z) - 1 / sp.sqrt(z),
    sp.tanh(x * z) ** 3 - softplus(y),
    z ** x + sp.Float("0.125", 60) * y ** -2 + sp.pi,
]


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=str)
def test_walk_agrees_with_sympy_to_40_digits(expr: sp.Expr) -> None:
    expected = sp.N(expr.rewrite(sp.exp).xreplace(AT), 50)
    with mpmath.workdps(50):
        got = value_at(expr, {s: mpmath.mpf(v.p) / v.q for s, v in AT.items()},
                       MPMATH_FUNCTIONS)
        assert abs(got - mpmath.mpf(str(expected))) <= mpmath.mpf(10) ** -40 * max(
            1, abs(got))


def test_a_sum_of_thousands_and_a_nesting_of_thousands_are_walked() -> None:
    ws = sp.symbols("w:3000")
    wide = sp.Add(*[w * x for w in ws])
    deep: sp.Expr = x
    for _ in range(3000):
        deep = sigmoid(deep * y)
    at = {x: mpmath.mpf(1) / 2, y: mpmath.mpf(1) / 4, **{w: mpmath.mpf(k) for k, w in
                                                           enumerate(ws)}}
    with mpmath.workdps(30):
        assert value_at(wide, at, MPMATH_FUNCTIONS) == mpmath.mpf(3000 * 2999 // 2) / 2
        expected = mpmath.mpf(1) / 2
        for _ in range(3000):
            expected = 1 / (1 + mpmath.exp(-expected / 4))
        assert abs(value_at(deep, at, MPMATH_FUNCTIONS) - expected) < mpmath.mpf(10) ** -25


def test_a_missing_symbol_and_an_unknown_node_are_reported() -> None:
    with pytest.raises(Missing):
        value_at(x + y, {x: mpmath.mpf(1)}, MPMATH_FUNCTIONS)
    with pytest.raises(NotWalkable):
        value_at(sp.Piecewise((x, x > 0), (0, True)), {x: mpmath.mpf(1)}, MPMATH_FUNCTIONS)
