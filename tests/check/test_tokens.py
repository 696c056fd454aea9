"""Numbers in scientific notation (``1.2717e-285``, as derive's text format prints them) and
Euler's number e beside a number."""

from __future__ import annotations

import mpmath
import pytest

from symbackprop.check.judging.numbers import ends, interval
from symbackprop.check.reading.parser import parse_statement
from symbackprop.check.reading.tokens import MAX_DECIMAL_EXPONENT, tokenize
from symbackprop.errors import FormulaError


def _span(text: str, syntax: str = "auto") -> tuple[mpmath.mpf, mpmath.mpf]:
    with mpmath.workdps(60):
        side = parse_statement(text, knows=lambda s: False, syntax=syntax).sides[0]
        return ends(interval(side))


@pytest.mark.parametrize(("scientific", "latex"), [
    ("1.2717e-285", r"1.2717 \times 10^{-285}"),
    ("8.90924E-05", r"8.90924 \times 10^{-5}"),
    ("-8.90924e-05", r"-8.90924 \times 10^{-5}"),
    ("2.5e+3", r"2.5 \times 10^{3}"),
    ("3e5", r"3 \times 10^{5}"),
    ("1e-07", r"10^{-7}"),
    ("4.3e-663", r"4.3 \times 10^{-663}"),
])
def test_scientific_notation_stands_for_what_latex_prints(scientific: str, latex: str) -> None:
    assert _span(scientific, "plain") == _span(latex, "latex")
    assert _span(scientific, "latex") == _span(latex, "latex")


def test_the_rounding_interval_scales_with_the_exponent() -> None:
    with mpmath.workdps(60):
        lo, hi = _span("1.2717e-285")
        assert lo == pytest.approx(mpmath.mpf("1.27165e-285"), rel=mpmath.mpf(10) ** -40)
        assert hi == pytest.approx(mpmath.mpf("1.27175e-285"), rel=mpmath.mpf(10) ** -40)
        assert _span("3e5") == (300000, 300000)  # no decimal point: exact, as 3 \times 10^{5}
        lo, hi = _span("1e-07")  # 10^{-7} to the last of the interval's 50 digits
        assert lo <= mpmath.mpf(10) ** -7 <= hi and hi - lo < mpmath.mpf(10) ** -55


@pytest.mark.parametrize(("text", "sides"), [
    ("2e", ["2", "e"]),
    ("2 e", ["2", "e"]),
    ("2e^{x}", ["2", "e", "^", "{", "x", "}"]),
    ("2e-x", ["2", "e", "-", "x"]),
    ("2e_1", ["2", "e_1"]),
    ("e^{-5}", ["e", "^", "{", "-", "5", "}"]),
    ("2 e-5", ["2", "e", "-", "5"]),
])
def test_e_without_digits_right_after_it_is_eulers_number(text: str, sides: list[str]) -> None:
    assert [t.text for t in tokenize(text, "latex")] == sides


def test_eulers_number_keeps_its_value() -> None:
    e = mpmath.e
    with mpmath.workdps(60):
        lo, hi = _span("2e")
        assert lo <= 2 * e <= hi
        lo, hi = _span(r"\exp(1) \cdot 2e-5", "latex")
        assert lo <= e * 2 * mpmath.mpf(10) ** -5 <= hi


@pytest.mark.parametrize(("text", "column"), [
    ("1e999999", 1), ("0.5 + 1E-999999", 7), (f"x · 1e{MAX_DECIMAL_EXPONENT + 1}", 5)])
def test_an_exponent_beyond_the_bound_is_refused_at_its_character(text: str, column: int
                                                                  ) -> None:
    with pytest.raises(FormulaError, match=rf"exponent of .* is beyond .* at character "
                                           rf"{column}\b"):
        tokenize(text, "plain")  # before any power of ten is formed


def test_the_largest_exponent_is_read() -> None:
    with mpmath.workdps(60):
        lo, _ = _span(f"1.5e-{MAX_DECIMAL_EXPONENT}")
        assert lo == pytest.approx(mpmath.mpf("1.45") * mpmath.mpf(10) ** -MAX_DECIMAL_EXPONENT,
                                   rel=mpmath.mpf(10) ** -40)
