"""How a derivation writes a number: beyond float64's range, and never a rounding that
check would read as an exact number."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symbackprop.render.numbers import number, number_tex, rounded


@pytest.mark.parametrize(("value", "digits", "text"), [
    (0.0821670406, 9, "0.0821670406"),
    (mpmath.mpf("3.43695312499e-671"), 9, "3.43695312e-671"),
    (mpmath.mpf("-9.999999999999e-700"), 6, "-1.00000e-699"),  # rounds up, stays inexact
    (mpmath.mpf("2.5e-400"), 6, "2.5e-400"),
    (mpmath.mpf("7.25e500"), 9, "7.25e+500"),
    (1.0000000003, 9, "1.00000000"),
    (mpmath.mpf("1.0000003"), 6, "1.00000"),
    (mpmath.mpf("-1e-15") * (1 + mpmath.mpf("1e-12")), 9, "-1.00000000e-15"),
    (1.0, 9, "1"),
    (1e-15, 9, "1e-15"),
    (0.0, 9, "0"),
])
def test_number(value, digits: int, text: str) -> None:
    with mpmath.workdps(70):
        assert number(value, digits) == text


def test_an_exact_power_of_ten_in_high_precision_is_written_as_one() -> None:
    with mpmath.workdps(70):
        assert number_tex(-mpmath.mpf(10) ** -15) == "-10^{-15}"
        assert number_tex(mpmath.mpf(10) ** -15 * (1 + mpmath.mpf("1e-12"))) == \
            r"1.00000000 \times 10^{-15}"
        assert number_tex(mpmath.mpf("3.125e-663")) == r"3.125 \times 10^{-663}"


def test_a_rounded_float_prints_as_it_was_rounded() -> None:
    """rounded() keeps the digits a formula prints: 0.741365 as it is, 1.0000003 as 1.00000
    (the value itself, so that the printer does not take it for an exact 1), 10⁻⁴⁰⁰ beyond
    float64."""
    assert sp.latex(rounded(0.7413650297)) == "0.741365"
    from symbackprop.render.printing import NetworkLatexPrinter, TextPrinter

    latex = NetworkLatexPrinter()
    for value, shown in [(0.7413650297, "0.741365"), (1.0000003, "1.00000"), (1.0, "1"),
                         (mpmath.mpf("2.5e-400"), r"2.5 \times 10^{-400}")]:
        assert latex.doprint(rounded(value)) == shown
    assert TextPrinter().doprint(rounded(mpmath.mpf("2.5e-400"))) == "2.5e-400"
