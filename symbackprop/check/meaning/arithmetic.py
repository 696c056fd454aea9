"""Build the SymPy values of a formula's pieces, keeping constants and powers small.

SymPy folds numbers eagerly: ``(2x)^64`` becomes ``2^64 x^64`` and ``exp(c·ln 2)`` becomes
the integer ``2^c``. Each builder here checks its inputs before SymPy sees them, so hostile
text is refused with a :class:`FormulaError` instead of exhausting memory.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import sympy as sp

from ...errors import did_you_mean
from ...network.functions import Unspecified, relu, sigmoid, softplus, step
from ...numeric.worked import MAX_PRINTED_DIGITS
from ..reading.tokens import (
    FUNCTION_WORDS,
    MAX_DECIMAL_EXPONENT,
    MAX_EXP_NESTING,
    MAX_EXPONENT,
    MAX_NUMBER_DIGITS,
    Token,
    formula_error,
)

# a constant may have as many digits as a derivation's row of numbers folds into
# (3.5 \times 10^{-198} \cdot 3.3 \times 10^{-234} \cdot 5.3 \times 10^{-231}); it stays below
# the 4300 digits Python writes out
MAX_CONSTANT_DIGITS = MAX_NUMBER_DIGITS + MAX_PRINTED_DIGITS
_EXACT_DIGITS_BITS = 1_000  # beyond this many bits a number is far over every digit limit

_FUNCTION_FORMS: dict[str, tuple[Callable[[sp.Expr], sp.Expr], ...]] = {
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (sp.tanh, lambda x: 1 - sp.tanh(x) ** 2),
    "sinh": (sp.sinh, sp.cosh),
    "cosh": (sp.cosh, sp.sinh),
    "exp": (sp.exp, sp.exp),
    "log": (sp.log, lambda x: 1 / x),
    "relu": (relu, step),
    "softplus": (softplus, sigmoid),
    "step": (step,),
}
"""A function and its derivatives (σ' = σ(1 − σ)), indexed by the number of primes."""


def _digits(n: int) -> int:
    """Decimal digits of ``|n|``; a lower bound above every limit for very large ``n``.

    Python refuses to print integers of more than 4300 digits, so they are never printed.
    """
    n = abs(n)
    if n.bit_length() > _EXACT_DIGITS_BITS:
        return n.bit_length() * 3 // 10
    return len(str(n))


def _rational_digits(value: sp.Rational) -> int:
    return max(_digits(value.p), _digits(value.q))


def number(tok: Token) -> sp.Rational:
    """The exact value of a ``num`` token (``0.5`` → 1/2)."""
    if tok.text in (".", ""):
        raise formula_error("a lone `.`", tok.pos)
    value = Fraction(tok.text)
    return sp.Rational(value.numerator, value.denominator)


def product(factors: list[sp.Expr]) -> sp.Expr:
    """The product of ``factors``, refused before SymPy folds its numbers into one constant
    longer than a printed row of numbers can be (450 factors 10^{-1000} would take seconds)."""
    digits = sum(_rational_digits(f) for f in factors if f.is_Rational)
    if digits > MAX_CONSTANT_DIGITS:
        raise formula_error("a constant with too many digits")
    return sp.Mul(*factors)


def divide(top: sp.Expr, bottom: sp.Expr, pos: int) -> sp.Expr:
    if bottom == 0:
        raise formula_error("division by zero", pos)
    return _checked(top / bottom, pos)


def _checked(value: sp.Expr, pos: int) -> sp.Expr:
    """``value`` when it is finite and its numeric coefficient is not too long."""
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise formula_error("the formula divides by zero or is infinite", pos)
    coefficient = value.as_coeff_Mul()[0] if value.is_Mul else value
    if coefficient.is_Rational and _rational_digits(coefficient) > MAX_CONSTANT_DIGITS:
        raise formula_error("a constant with too many digits", pos)
    return value


def power(base: sp.Expr, exponent: sp.Expr, pos: int) -> sp.Expr:
    """``base^exponent`` with a small rational exponent (or ``e^x``)."""
    if base == sp.E:
        return _exp(exponent, pos)
    if not exponent.is_Rational:
        raise formula_error("exponents must be numbers", pos,
                            hint="write e^{...} or \\exp(...) for an exponential")
    if base == 10 and exponent.is_Integer and abs(exponent) <= MAX_DECIMAL_EXPONENT:
        return sp.Integer(10) ** exponent  # a number as printed: 4.31965 \times 10^{-69}
    if abs(exponent.p) > MAX_EXPONENT or exponent.q > MAX_EXPONENT:
        shown = exponent if _rational_digits(exponent) <= 20 else "given"
        raise formula_error(
            f"the exponent {shown} is too large (the limit is {MAX_EXPONENT})", pos)
    # (2x^8)^64 distributes over the product: every factor's exponent and the constant grow.
    factors = sp.Mul.make_args(base)
    inner = max((abs(f.exp.p) for f in factors if f.is_Pow and f.exp.is_Rational), default=1)
    if inner * abs(exponent.p) > MAX_EXPONENT * MAX_EXPONENT:
        raise formula_error("nested exponents are too large", pos)
    coefficient = base.as_coeff_Mul()[0]
    if coefficient != 0 and abs(exponent.p) * _rational_digits(coefficient) > \
            MAX_NUMBER_DIGITS * 2:
        raise formula_error("a constant with too many digits", pos)
    if base == 0 and exponent < 0:
        raise formula_error("division by zero", pos)
    return _checked(sp.Pow(base, exponent), pos)


def _guard_logarithms(arg: sp.Expr, pos: int) -> None:
    """Refuse ``c·ln b`` with large constants inside a function.

    SymPy turns ``exp(c·ln b)`` into the number ``b^c`` at once, and σ, tanh and softplus
    are rewritten into ``exp`` while simplifying: ``σ(9^64 ln 2)`` would never finish.
    """
    if arg.has(sp.log) and any(abs(r.p) > MAX_EXPONENT or r.q > MAX_EXPONENT
                               for r in arg.atoms(sp.Rational)):
        raise formula_error(f"constants beside a logarithm inside a function must be at most "
                            f"{MAX_EXPONENT} (e^(c·ln b) is b^c)", pos)


def _exp(arg: sp.Expr, pos: int) -> sp.Expr:
    _guard_logarithms(arg, pos)
    return _checked(sp.exp(arg), pos)


def apply_function(fname: str, arg: sp.Expr, primes: int, pos: int,
                   unspecified_fns: dict[str, type[Unspecified]]) -> sp.Expr:
    """``fname(arg)`` with ``primes`` derivatives taken (σ' = σ(1 − σ), f' stays f')."""
    name = FUNCTION_WORDS.get(fname, fname)
    if name in unspecified_fns:
        fn = unspecified_fns[name]
        if primes > 1:
            raise formula_error(f"only the first derivative {name}' is supported", pos)
        return fn.prime(arg) if primes else fn(arg)
    if name not in _FUNCTION_FORMS:
        raise formula_error(f"unknown function `{fname}`", pos,
                            hint=did_you_mean(fname, [*_FUNCTION_FORMS, *unspecified_fns]))
    forms = _FUNCTION_FORMS[name]
    if primes >= len(forms):
        raise formula_error(f"`{fname}` with {primes} prime(s) is not supported", pos)
    if name == "log" and arg == 0:
        raise formula_error("log(0)", pos)
    _guard_logarithms(arg, pos)
    return _checked(forms[primes](arg), pos)


def check_size(expr: sp.Expr) -> None:
    """Refuse long constants and exponentials nested so deep that evaluating them never ends.

    Products are not checked as they are built (that would cost a walk per factor); one walk
    of the finished side does it.
    """
    if any(_rational_digits(r) > MAX_CONSTANT_DIGITS for r in expr.atoms(sp.Rational)):
        raise formula_error("a constant with too many digits")

    def nesting(e: sp.Basic, depth: int) -> int:
        inner = depth + 1 if isinstance(e, sp.exp) else depth
        if inner > MAX_EXP_NESTING:
            raise formula_error(f"exponentials nested more than {MAX_EXP_NESTING} deep")
        return max([inner, *(nesting(a, inner) for a in e.args)])

    nesting(expr, 0)
