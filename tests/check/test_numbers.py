"""Numbers written in a step: the interval they stand for, the worked value's own error, and
the bounds on their exponents and digits."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symbackprop.check.judging.numbers import contains, interval, written_holds
from symbackprop.check.meaning.arithmetic import MAX_CONSTANT_DIGITS, check_size, power, product
from symbackprop.check.reading.parser import parse_statement
from symbackprop.check.reading.tokens import MAX_DECIMAL_EXPONENT
from symbackprop.errors import FormulaError
from symbackprop.numeric.worked import MAX_PRINTED_DIGITS, MAX_PRINTED_EXPONENT


def _span(text: str):
    return interval(parse_statement(text, knows=lambda s: False, syntax="latex").sides[0])


def test_an_exact_number_holds_within_the_worked_values_own_error() -> None:
    """−10^{-15} against a 50-digit value whose terms of 0.1 cancelled: off by 2.5e-55, far
    more than 40 digits of 10^{-15} allow, and within the error the value is known to."""
    with mpmath.workdps(70):
        span = _span("-10^{-15}")
        value = mpmath.mpf("-1e-15") + mpmath.mpf("2.5e-55")
        assert not contains(span, value)
        assert contains(span, value, error=mpmath.mpf("2.5e-55"))
        assert not contains(_span("-1.1 \\times 10^{-15}"), value, error=mpmath.mpf("2.5e-55"))


def test_numbers_far_below_float64_are_intervals_of_their_own_size() -> None:
    with mpmath.workdps(70):
        span = _span(r"3.625 \times 10^{-221} \cdot 0.25 \cdot 4.1 \times 10^{-250} \cdot 0.25 "
                     r"\cdot 3.7 \times 10^{-200}")
        assert contains(span, mpmath.mpf("3.43695312e-671"))
        assert not contains(span, mpmath.mpf("3.43695312e-670"))


def test_the_bounds_come_from_what_a_derivation_prints() -> None:
    assert MAX_DECIMAL_EXPONENT == MAX_PRINTED_EXPONENT
    assert MAX_CONSTANT_DIGITS >= MAX_PRINTED_DIGITS
    assert MAX_CONSTANT_DIGITS < 4300  # Python writes out no longer integers


def test_an_exponent_beyond_the_bound_is_refused() -> None:
    ten = sp.Integer(10)
    assert power(ten, sp.Integer(-MAX_DECIMAL_EXPONENT), 0) == \
        sp.Rational(1, 10**MAX_DECIMAL_EXPONENT)
    with pytest.raises(FormulaError, match="too large"):
        power(ten, sp.Integer(-MAX_DECIMAL_EXPONENT - 1), 0)


def test_a_product_of_numbers_with_too_many_digits_is_refused() -> None:
    factor = sp.Rational(15, 10**MAX_DECIMAL_EXPONENT)
    check_size(factor ** 3)  # three printed numbers near 10^{-1000}
    with pytest.raises(FormulaError, match="too many digits"):
        check_size(factor ** (MAX_CONSTANT_DIGITS // MAX_DECIMAL_EXPONENT + 1))


def test_a_written_0_holds_only_where_the_value_is_0_to_its_own_error() -> None:
    """`= 0` against 3.4 × 10^{-671} is wrong (it is far below 10^{-40}, and no noise); against
    what 50 digits leave of a sum that vanishes (10^{-51}, and 10^{-71} in 70 digits) it holds."""
    with mpmath.workdps(70):
        zero = _span("0")
        tiny = mpmath.mpf("3.43695312e-671")
        assert not written_holds(zero, tiny, lambda: tiny)
        assert written_holds(zero, mpmath.mpf("1e-51"), lambda: mpmath.mpf("-1e-71"))
        assert written_holds(zero, mpmath.mpf(0), lambda: None)
        printed = _span(r"3.43695312 \times 10^{-671}")
        assert written_holds(printed, tiny, lambda: None)
        assert not written_holds(_span(r"3.43695322 \times 10^{-671}"), tiny, lambda: tiny)


def test_a_product_is_refused_before_its_numbers_are_folded_into_too_long_a_constant() -> None:
    """450 factors 10^{-1000} would fold into a fraction of 450,000 digits: refused from the
    digits of its factors; a derivation's row of numbers is not."""
    small = sp.Rational(1, 10**MAX_DECIMAL_EXPONENT)
    with pytest.raises(FormulaError, match="too many digits"):
        product([small] * 450)
    w = sp.Symbol("w")
    row = [sp.Rational(3625, 10**224), sp.Rational(1, 4), sp.Rational(41, 10**251), w]
    assert product(row) == sp.Rational(3625 * 41, 4 * 10**475) * w
