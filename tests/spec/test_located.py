"""How a number's text becomes the value a spec holds: the float, unless float64 would hold a
different number (below its normal range or 0 for a number that is not 0)."""

from __future__ import annotations

import sys
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.spec.located import float_or_exact


@pytest.mark.parametrize("text", ["0.5", "-3.25", "1e-300", "2.2250738585072014e-308", "1e300",
                                  "0.0", "-0.0", "0e-999", "1_000.5"])
def test_a_number_float64_holds_is_read_as_its_float(text: str) -> None:
    value = float(text)
    assert float_or_exact(text, value) is value


@pytest.mark.parametrize(("text", "exact"), [("5e-324", Fraction(5, 10**324)),
                                             ("-1e-400", Fraction(-1, 10**400)),
                                             ("2.5E-310", Fraction(25, 10**311)),
                                             ("1_0e-400", Fraction(10, 10**400))])
def test_a_number_float64_would_change_is_read_exactly(text: str, exact: Fraction) -> None:
    assert float_or_exact(text, float(text)) == exact


def test_an_exponent_beyond_the_readable_range_stands_for_the_least_number() -> None:
    assert float_or_exact("1e-100000000", 0.0) == Fraction(1, 10**401)
    assert float_or_exact("-7e-999999", -0.0) == Fraction(-1, 10**401)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_the_value_is_the_float_exactly_where_float64_holds_the_number(value: float) -> None:
    text = repr(value)
    read = float_or_exact(text, value)
    if value == 0 or abs(value) >= sys.float_info.min:
        assert read is value
    else:
        assert read == Fraction(text) and isinstance(read, Fraction)
