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


@pytest.mark.parametrize(("value", "text", "latex"), [
    (0.2500004, "0.250000", "0.250000"),  # 0.25 would read as 0.25 to two digits
    (0.000614380302, "0.000614380", "0.000614380"),
    (-0.1755100003, "-0.175510", "-0.175510"),
    (1200.0003, "1200.00", "1200.00"),
    (120000.3, "1.20000e+05", r"1.20000 \times 10^{5}"),
    (6.1438000001e-12, "6.14380e-12", r"6.14380 \times 10^{-12}"),
    (mpmath.mpf("2.5000001e-400"), "2.50000e-400", r"2.50000 \times 10^{-400}"),
    (2.0, "2", "2"),  # exact values keep their own form
    (0.5, "0.5", "0.5"),
    (0.0, "0", "0"),
])
def test_a_rounded_value_prints_every_digit_it_is_rounded_to(value, text: str, latex: str
                                                             ) -> None:
    """Six significant digits, trailing zeros included, in text, JSON text and LaTeX alike
    (and negated, as a product's sign takes it out)."""
    from symbackprop.render.printing import NetworkLatexPrinter, plain_text
    from symbackprop.render.printing import text as display_text

    with mpmath.workdps(70):
        r = rounded(value)
        assert display_text(r) == plain_text(r) == text
        assert NetworkLatexPrinter().doprint(r) == latex
        if value != 0:
            negated = text[1:] if text.startswith("-") else f"-{text}"
            assert plain_text(-r) == negated
