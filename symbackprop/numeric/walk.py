"""The value of a SymPy expression in mpmath, by walking its tree without recursion.

``lambdify`` prints an expression as Python source and compiles it: every call costs a
print and a compile (milliseconds), and a long sum or a deep nesting (a unit with a fan-in of
3,000, two hundred layers) overflows Python's parser or the printer's recursion. The walk
here visits each distinct node once, children before parents, on an explicit stack, and
computes it with mpmath at the working precision of the caller: time linear in the distinct
nodes and no depth limit. A node it does not know (a Piecewise, a relation) makes it give
up (:class:`NotWalkable`), and the caller falls back to ``lambdify``.

>>> import sympy as sp
>>> x, y = sp.symbols("x y")
>>> with mpmath.workdps(30):
...     print(value_at(sp.exp(x) * y + sp.Rational(1, 3), {x: mpmath.mpf(0), y: 2}, {}))
2.33333333333333333333333333333
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy as sp


class NotWalkable(Exception):
    """The expression holds a node the walk has no rule for."""


class Missing(Exception):
    """The expression names a symbol that has no value."""


# SymPy functions by class name, as sympy's mpmath printer maps them
_MPMATH_NAMES: dict[str, Callable[..., Any]] = {
    "exp": mpmath.exp, "log": mpmath.log, "sqrt": mpmath.sqrt,
    "tanh": mpmath.tanh, "sinh": mpmath.sinh, "cosh": mpmath.cosh,
    "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan,
    "atan": mpmath.atan, "asin": mpmath.asin, "acos": mpmath.acos,
    "Abs": mpmath.fabs, "sign": mpmath.sign, "erf": mpmath.erf,
}


def _number(node: sp.Basic) -> Any:
    if node.is_Integer:
        return mpmath.mpf(int(node))
    if node.is_Rational:
        return mpmath.mpf(int(node.p)) / int(node.q)
    if node.is_Float:
        return mpmath.mpf(node._mpf_)
    if node is sp.pi:
        return +mpmath.pi
    if node is sp.E:
        return +mpmath.e
    raise NotWalkable(type(node).__name__)


def _power(base: Any, exponent: sp.Expr, value: Any) -> Any:
    if exponent.is_Integer:
        n = int(exponent)
        return 1 / base ** -n if n < 0 else base ** n
    if exponent == sp.S.Half:
        return mpmath.sqrt(base)
    if exponent == -sp.S.Half:
        return 1 / mpmath.sqrt(base)
    return mpmath.power(base, value)


def value_at(expr: sp.Basic, at: Mapping[sp.Basic, Any],
             functions: Mapping[str, Callable[..., Any]],
             known: dict[sp.Basic, Any] | None = None) -> Any:
    """``expr`` with each symbol's value from ``at``, in mpmath at the current precision.

    ``functions`` maps a function's class name to its mpmath implementation (the activations
    of :data:`symbackprop.numeric.lambdified.MPMATH_FUNCTIONS`, stand-ins), before the
    elementary functions. Raises :class:`Missing` for a symbol without a value,
    :class:`NotWalkable` for a node without a rule, and what mpmath raises (a division by
    zero, a value outside a function's domain) as it is. ``known`` holds values of nodes
    worked out before at the same values and precision, and gains this walk's.
    """
    done: dict[sp.Basic, Any] = {} if known is None else known
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if node in done:
            continue
        if not node.args:
            if node.is_Symbol:
                if node not in at:
                    raise Missing(node)
                done[node] = at[node]
            else:
                done[node] = _number(node)
            continue
        if not ready:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in done)
            continue
        args = [done[a] for a in node.args]
        if node.is_Add:
            done[node] = mpmath.fsum(args)
        elif node.is_Mul:
            done[node] = mpmath.fprod(args)
        elif node.is_Pow:
            done[node] = _power(args[0], node.args[1], args[1])
        elif node.is_Function:
            name = type(node).__name__
            function = functions.get(name) or _MPMATH_NAMES.get(name)
            if function is None:
                raise NotWalkable(name)
            done[node] = function(*args)
        else:
            raise NotWalkable(type(node).__name__)
    return done[expr]
