"""How a derivation writes a number: significant digits, exponents beyond float64's range,
and never a rounded value that reads as an exact one.

``check`` reads ``0.741365`` as every number that rounds to it, and a number written
without a decimal point (``1``, ``10^{-15}``) as exactly that number. So a value is written
as a whole number or a power of ten only when it is one (to the last of check's 40 digits);
1.0000000003 is written ``1.00000000``, not ``1``, and a rounded value keeps the zeros it
is rounded to (0.2500004 is ``0.250000``, read as 0.25 to six digits, not ``0.25``, read as
0.25 to two). A rounded value put into a formula (:func:`rounded`) is a SymPy Float with the
precision of its digits, and prints with every one of them. Values below or above float64's
range (3.1 × 10^{-663}) are written from their high-precision digits.

>>> number(0.0821670406), number(1.0000000003), number(1.0), number_tex(-1e-15)
('0.0821670406', '1.00000000', '1', '-10^{-15}')
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from ..numeric.worked import HIGH_DIGITS, LOW_DIGITS, Precise, decimal_exponent, precise

SIGNIFICANT_DIGITS = 6  # numbers inside formulas
RESULT_DIGITS = 9  # final values, as Mazur's example prints them
MAX_DIGITS = 25  # digits a computed value is printed to, to tell it from a given value
_FLOAT_RANGE = (1e-300, 1e300)  # where a float formats a value to its last digit
_EXACT = mpmath.mpf(10) ** -(LOW_DIGITS - 10)  # check's own tolerance
STATED_BELOW = 15  # a Float of fewer digits than float64's is a rounding to those digits
_STATED_PREC = int(mpmath.libmp.dps_to_prec(STATED_BELOW))


def _mpf(value: Any) -> Any:
    value = precise(value)
    if isinstance(value, sp.Float):
        with mpmath.workdps(max(HIGH_DIGITS, value._prec)):  # every digit the Float has
            return mpmath.mpf(value._mpf_)
    return value


def _tolerance(value: Any) -> Any:
    """How far from a written number ``value`` may be and still be that number: its own
    last bit (a float or a SymPy Float of 15 digits is 10^{-15} as written), but no less
    than check's tolerance."""
    if isinstance(value, float) and not isinstance(value, Precise):
        return mpmath.mpf(2) ** -52
    if isinstance(value, sp.Float):
        return max(_EXACT, mpmath.mpf(2) ** (1 - value._prec))
    bits = getattr(precise(value), "_mpf_", (0, 0, 0, 0))[3]
    if 0 < bits <= 53:  # no more digits than a float's: written from a float, say
        return mpmath.mpf(2) ** -52
    if bits > 53:  # a value of the working precision is that value to its own last bit
        return max(_EXACT, mpmath.mpf(2) ** (1 - bits))
    return _EXACT


_KNOWN: dict[tuple[Any, ...], str] = {}  # number's answers: a derivation prints a value often
_KNOWN_LIMIT = 200_000


def _key(value: Any, digits: int, given: frozenset[Fraction]) -> tuple[Any, ...] | None:
    """What ``number``'s text depends on: the value with every digit it has, the kind of
    value (its tolerance), the digits and the given values; None for other kinds of value."""
    kind = type(value)
    if kind is float:
        return (kind, value, digits, given)
    if kind is sp.Float:
        return (kind, value._mpf_, value._prec, digits, given)
    if kind is Precise:
        high = value.precise
        inner = getattr(high, "_mpf_", None)
        if inner is None or type(high) is not mpmath.mpf:
            return None
        return (kind, float(value), inner, digits, given, value.given)
    return None


def number(value: Any, digits: int = RESULT_DIGITS, given: frozenset[Fraction] = frozenset()
           ) -> str:
    """A value as a textbook prints it: 9 significant digits, no trailing noise
    (``3.125e-663`` where float64 has 0), and never one of the ``given`` values of the
    example (those of a :class:`Precise` too) that it is not."""
    key = _key(value, digits, given)
    if key is None:
        return _number(value, digits, given)
    known = _KNOWN.get(key)
    if known is None:
        if len(_KNOWN) >= _KNOWN_LIMIT:
            _KNOWN.clear()
        known = _KNOWN[key] = _number(value, digits, given)
    return known


def _number(value: Any, digits: int, given: frozenset[Fraction]) -> str:
    stated = stated_digits(value)
    if stated is not None:  # a rounded value: every digit it was rounded to, zeros too
        value = _mpf(value)
        if value == 0 or not mpmath.isfinite(value):
            return "0" if value == 0 else str(float(value))
        return _padded(_digits(value, stated), value, stated)
    tolerance = _tolerance(value)
    given = given or getattr(value, "given", frozenset())
    value = _mpf(value)
    if value == 0:
        return "0"
    if not mpmath.isfinite(value):
        return str(float(value))
    text = _digits(value, digits)
    # 0.099999999999999 is not written 0.1 where the example gives 0.1: check reads a given
    # value exactly, so more digits tell the computed value from it (where no number check
    # reads does, 0.5 + 10^{-98}, the value is that given value to far more than its digits)
    more = digits
    while given and "e" not in text and Fraction(text) in given and more < MAX_DIGITS:
        with mpmath.workdps(HIGH_DIGITS):
            if abs(mpmath.mpf(text) - value) <= tolerance * abs(value):
                break
        more += 1
        longer = _digits(value, more)
        if Fraction(longer) not in given:
            return longer
    return _inexact(text, value, digits, tolerance)


def _digits(value: Any, digits: int) -> str:
    if digits <= 15 and (isinstance(value, float) or
                         _FLOAT_RANGE[0] < abs(value) < _FLOAT_RANGE[1]):
        return f"{float(value):.{digits}g}"
    if _FLOAT_RANGE[0] < abs(value) < _FLOAT_RANGE[1]:
        return mpmath.nstr(value, digits, min_fixed=-5, max_fixed=digits).removesuffix(".0")
    return _scientific(value, digits)


def _scientific(value: Any, digits: int) -> str:
    """``value`` as ``m.mmme-663``, the way Python formats a float."""
    with mpmath.workdps(digits + 20):
        exponent = decimal_exponent(value)
        mantissa = mpmath.mpf(value) / mpmath.mpf(10) ** exponent
        text = mpmath.nstr(mantissa, digits)
        if abs(mpmath.mpf(text)) >= 10:  # 9.9999999999 rounds up to the next power
            exponent += 1
            text = mpmath.nstr(mantissa / 10, digits)
    return f"{text.removesuffix('.0')}e{exponent:+03d}"


def _inexact(text: str, value: Any, digits: int, tolerance: Any) -> str:
    """``text`` as it is where it is ``value`` exactly, else with every digit it is
    rounded to (see :func:`_padded`)."""
    if _reads_exact(text, value, tolerance):
        return text
    return _padded(text, value, digits)


def _reads_exact(text: str, value: Any, tolerance: Any) -> bool:
    """Whether ``text`` is ``value`` to ``tolerance`` (relative)."""
    with mpmath.workdps(HIGH_DIGITS):
        return bool(abs(mpmath.mpf(text) - value) <= tolerance * abs(value))


def _padded(text: str, value: Any, digits: int) -> str:
    """``text``, a rounding of ``value``, with every digit it is rounded to: zeros after a
    decimal point where it reads as a whole number (or a power of ten) that ``value`` is not
    (1.0000000003 is ``1.00000000``), and the trailing zeros of a rounded decimal (0.17551
    of 0.1755100003 is ``0.175510``), which ``check`` reads as the interval of the numbers
    that round to it."""
    mantissa, e, exponent = text.partition("e")
    if "." in mantissa:  # 0.17551 of 0.1755100003 is 0.175510: rounded to six digits
        return f"{mantissa}{'0' * max(0, digits - _significant(mantissa))}{e}{exponent}"
    shown = len(mantissa.lstrip("-"))
    if shown >= digits:  # 123456789 of 123456789.3: the digits go into an exponent
        return f"{float(value):.{digits - 1}e}"
    return f"{mantissa}.{'0' * (digits - shown)}{e}{exponent}"


def _significant(mantissa: str) -> int:
    """How many significant digits a written mantissa has: 6 in ``0.000614380``."""
    return len(mantissa.lstrip("-").replace(".", "").lstrip("0"))


def number_tex(value: Any, digits: int = RESULT_DIGITS, given: frozenset[Fraction] = frozenset()
               ) -> str:
    """A value in LaTeX: ``0.0821670406``, or ``1.5 \\times 10^{-7}`` for tiny ones."""
    s = number(value, digits, given)
    if "e" in s:
        mant, _, exp = s.partition("e")
        if mant in ("1", "-1"):  # 10^{-15}, not 1 \times 10^{-15}
            return rf"{mant[:-1]}10^{{{int(exp)}}}"
        return rf"{mant} \times 10^{{{int(exp)}}}"
    return s


def rounded(value: Any, digits: int = SIGNIFICANT_DIGITS) -> sp.Float:
    """``value`` as a SymPy Float that prints as :func:`number` writes it with ``digits``
    significant digits: the value itself where that is exact (``0.5``, ``2``), else the
    rounded value with the precision of its digits (``0.250000`` of 0.2500004, ``1.00000``
    of 1.0000003), which it prints with every one of them (see :func:`stated_digits`)."""
    text = number(value, digits)
    shown = _significant(text.partition("e")[0])
    high = _mpf(value)
    if mpmath.isfinite(high) and high != 0 and shown < STATED_BELOW and \
            not _reads_exact(text, high, _tolerance(value)):
        return sp.Float(text, shown)
    return sp.Float(text, max(15, digits, shown))


def stated_digits(value: Any) -> int | None:
    """The significant digits a SymPy Float of less than float64's precision states (a
    rounded value: ``Float("0.250000", 6)`` is 0.25 to six digits), None for other values.

    >>> stated_digits(sp.Float("0.250000", 6)), stated_digits(sp.Float("0.25"))
    (6, None)
    """
    if type(value) is sp.Float and value._prec < _STATED_PREC:
        return int(mpmath.libmp.prec_to_dps(value._prec))
    return None


def json_number(value: Any) -> float | str:
    """A worked value for JSON: a float where float64 holds it, else its digits as text
    (``"3.43695312e-671"``, where a float would be 0)."""
    value = precise(value)
    as_float = float(value)
    if value == 0 or not mpmath.isfinite(value):  # not finite: written as null
        return as_float
    if math.isfinite(as_float) and abs(as_float) >= sys.float_info.min:
        return as_float
    return number(value, 17)
