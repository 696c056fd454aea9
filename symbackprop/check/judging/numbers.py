"""Steps with numbers in them, checked at the spec's worked example.

``= 0.741365 · 0.186816 · 0.593270 = 0.0821670406`` is a claim about the spec's values, not an
identity: each decimal stands for every number that rounds to it. The written side is
evaluated in interval arithmetic (0.741365 is [0.7413645, 0.7413655]) and the claim holds
when the exact value at the worked example lies in the interval, so correct rounding passes
and a wrong digit does not. Integers and fractions (2, 1/2) are exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import mpmath

from ..reading.syntax import (
    Add,
    Call,
    Div,
    Indicator,
    Mul,
    Name,
    Neg,
    Node,
    Num,
    Pow,
    walk,
)
from ..reading.tokens import formula_error

DIGITS = 50


@dataclass(frozen=True)
class NumberFunction:
    """A function of one number as check works it out: over an interval (bounds that hold
    for every number in it) and in floats (a guess, where a float can say)."""

    over_interval: Callable[[Any], Any]
    in_floats: Callable[[float], float]


def _relu_over(arg: Any) -> Any:  # monotone: max(0, ·) of each end
    lo, hi = ends(arg)
    return mpmath.iv.mpf([max(lo, 0), max(hi, 0)])


def _step_over(arg: Any) -> Any:  # ReLU's slope: 1 above 0, else 0 (both where 0 is inside)
    lo, hi = ends(arg)
    return mpmath.iv.mpf([1 if lo > 0 else 0, 1 if hi > 0 else 0])


# the functions of one number a line of numbers may apply (max, of several, is its own case)
FUNCTIONS: dict[str, NumberFunction] = {
    "exp": NumberFunction(lambda x: mpmath.iv.exp(x), math.exp),
    "log": NumberFunction(lambda x: mpmath.iv.log(x), math.log),
    # 1 − 2/(e^{2x} + 1): each step monotone, so the bounds hold
    "tanh": NumberFunction(lambda x: 1 - 2 / (mpmath.iv.exp(2 * x) + 1), math.tanh),
    "relu": NumberFunction(_relu_over, lambda x: max(x, 0.0)),
    "softplus": NumberFunction(lambda x: mpmath.iv.log(1 + mpmath.iv.exp(x)),
                               lambda x: math.log1p(math.exp(x))),
    "step": NumberFunction(_step_over, lambda x: 1.0 if x > 0 else 0.0),
    "sigmoid": NumberFunction(lambda x: 1 / (1 + mpmath.iv.exp(-x)),
                              lambda x: 1 / (1 + math.exp(-x))),
}
_FUNCTIONS = (*FUNCTIONS, "max")


def function_of(name: str) -> NumberFunction:
    """The function of one number a call names (σ where none other is named)."""
    return FUNCTIONS.get(name, FUNCTIONS["sigmoid"])


def is_numeric(node: Node, *, integers: bool = False) -> bool:
    """Whether ``node`` is made of numbers only, at least one of them a decimal (or, with
    ``integers``, any numbers: the ``= 0`` that ends a line of numbers)."""
    decimal = integers
    for n in walk(node):
        if isinstance(n, Num):
            decimal = decimal or n.decimal
        elif isinstance(n, Name):
            if n.written != "e":
                return False
        elif isinstance(n, Call):
            if n.func not in _FUNCTIONS or n.primes or n.param is not None:
                return False
        elif isinstance(n, Indicator):  # 𝕀[0.93 = max(0.82, 0.93)]: numbers on both sides
            if n.cond.rel != "=" or not is_numeric(n.cond.left, integers=True) or \
                    not is_numeric(n.cond.right, integers=True):
                return False
        elif not isinstance(n, (Add, Mul, Div, Pow, Neg)):
            return False
    return decimal


def indicator_holds(node: Indicator) -> bool:
    """𝕀[0.93 = max(0.82, 0, 0, 0.93)]: whether the written numbers are equal as written."""
    return _written(node.cond.left) == _written(node.cond.right)


def _written(node: Node) -> Fraction:
    """The exact value of a side of numbers, negations and maxima, as written."""
    if isinstance(node, Num):
        return Fraction(node.text)
    if isinstance(node, Neg):
        return -_written(node.arg)
    if isinstance(node, Call) and node.func == "max":
        return max(_written(a) for a in node.args)
    raise formula_error("an indicator compares numbers and their maximum only", node.pos)


def _half_unit(text: str) -> Any:
    """Half a unit in the last written place of a decimal (0 for an integer)."""
    if "." not in text:
        return mpmath.mpf(0)
    places = len(text.split(".", 1)[1])
    return mpmath.mpf(10) ** -places / 2


def rounding(node: Num) -> Any:
    """The interval of the numbers that round to ``node`` as written (0.741365 is
    [0.7413645, 0.7413655]; an integer is itself)."""
    value = mpmath.mpf(node.text)
    half = _half_unit(node.text)
    return mpmath.iv.mpf([value - half, value + half])


def interval(node: Node, leaf: Callable[[Num], Any] = rounding) -> Any:
    """The interval of values that ``node``'s written numbers stand for, each number's
    interval given by ``leaf`` (by default every number that rounds to it)."""
    iv = mpmath.iv
    iv.dps = DIGITS
    if isinstance(node, Num):
        return leaf(node)
    if isinstance(node, Name):
        return iv.exp(iv.mpf(1))
    if isinstance(node, Neg):
        return -interval(node.arg, leaf)
    if isinstance(node, Add):
        total = iv.mpf(0)
        for t in node.terms:
            total += interval(t, leaf)
        return total
    if isinstance(node, Mul):
        product = iv.mpf(1)
        for f in node.factors:
            product *= interval(f, leaf)
        return product
    if isinstance(node, Div):
        bottom = interval(node.bottom, leaf)
        if 0 in bottom:
            raise formula_error("division by a number that rounds to 0", node.pos)
        return interval(node.top, leaf) / bottom
    if isinstance(node, Pow):
        exponent = node.exp
        if isinstance(exponent, Num) and "." not in exponent.text:
            return interval(node.base, leaf) ** int(exponent.text)
        if isinstance(exponent, Neg) and isinstance(exponent.arg, Num) and \
                "." not in exponent.arg.text:
            return 1 / interval(node.base, leaf) ** int(exponent.arg.text)
        return iv.exp(interval(exponent, leaf) * iv.log(interval(node.base, leaf)))
    if isinstance(node, Indicator):
        return iv.mpf(1 if indicator_holds(node) else 0)
    if isinstance(node, Call) and node.func == "max":  # monotone in each argument
        spans = [ends(interval(a, leaf)) for a in node.args]
        return iv.mpf([max(lo for lo, _ in spans), max(hi for _, hi in spans)])
    if isinstance(node, Call):
        return function_of(node.func).over_interval(interval(node.args[0], leaf))
    raise formula_error("not a number")  # pragma: no cover - is_numeric excludes the rest


def contains(span: Any, value: Any, error: Any = 0, *, absolute: bool = True) -> bool:
    """Whether ``value`` lies in ``span`` (with room for the last of 50 digits: relative to
    the value, so 1.2 × 10^{-172} is not 1.2 × 10^{-72}, and, with ``absolute``, 10^{-40}
    for a written number that rounds to 0; and for ``error``, how far ``value`` may be off)."""
    if value is None:
        return False
    scale = max(1, abs(value)) if 0 in span and absolute else abs(value)
    slack = mpmath.mpf(10) ** -(DIGITS - 10) * scale + 2 * error
    return bool(span.a - slack <= value <= span.b + slack)


def written_holds(span: Any, value: Any, closer: Callable[[], Any]) -> bool:
    """Whether written numbers (their interval ``span``) hold at the worked example, whose
    value in 50 digits is ``value`` and in more digits ``closer()``. Where terms cancel
    (−0.1 + 0.099999999999999) the 50 digits keep fewer digits of the value, and how far it
    moves in more digits is its error (derive prints the value from those digits); a number
    that rounds to 0 holds where the value is 0 to that error, not wherever it is below
    10^{-40}: 3.4 × 10^{-671} is not 0."""
    rounds_to_0 = value != 0 and 0 in span
    if not rounds_to_0 and contains(span, value):
        return True
    better = closer()
    if better is None:
        return False
    return contains(span, better, error=abs(better - value), absolute=not rounds_to_0)


def overlap(a: Any, b: Any) -> bool:
    return bool(a.a <= b.b and b.a <= a.b)


def ends(span: Any) -> tuple[Any, Any]:
    """The outer ends of an interval, as mpf (its ends may be intervals themselves)."""
    lo = span.a.a if hasattr(span.a, "a") else span.a
    hi = span.b.b if hasattr(span.b, "b") else span.b
    return mpmath.mpf(lo), mpmath.mpf(hi)


def width_digits(span: Any) -> str:
    """The interval as text, for a report: [0.0821670405, 0.0821670415]."""
    lo, hi = ends(span)
    return f"[{mpmath.nstr(lo, 12)}, {mpmath.nstr(hi, 12)}]"


def middle(span: Any) -> float:
    """The middle of an interval, as a float."""
    lo, hi = ends(span)
    return float((lo + hi) / 2)


def numbers_carried_on(sides: list[Any], before: Sequence[Any] | None, points: Any
                       ) -> list[Any]:
    """``sides`` with a side of several whole numbers, or of one that follows a side of
    numbers or continues a derivation (``before``: the last sides of the line it continues)
    of a spec with a worked example, read as numbers too: ``= 0.5 · 0.25 · 0 = 0`` ends at
    the worked example, where the gradient is 0, not with the claim that it is 0 everywhere
    (also where an unspecified function leaves the example unevaluated: then it is unchecked).
    """
    after_numbers = before is not None and (any(e.side.numeric for e in before) or
                                            points.has_worked_example())
    out: list[Any] = []
    for side in sides:
        whole = not side.numeric and is_numeric(side.node, integers=True)
        # `= 0 · 1 · 0`: several whole numbers are numbers of an example, never an identity
        if whole and (after_numbers or sum(isinstance(n, Num) for n in walk(side.node)) > 1):
            side = replace(side, numeric=True)
        after_numbers = side.numeric
        out.append(side)
    return out
