"""The width estimate and the line breaker of symbackprop.render.latex."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
import sympy as sp

from symbackprop.render.latex import (
    PREAMBLE,
    TEXT_WIDTH_EM,
    Step,
    aligned_rows,
    break_expr,
    escape_text,
    latex_width,
)
from symbackprop.render.printing import Chain, NetworkLatexPrinter, Partial


def test_width_grows_with_content_and_scripts_are_smaller() -> None:
    assert latex_width("a + b") > latex_width("a")
    assert latex_width("x^{abc}") < latex_width("xabc")
    assert latex_width(r"\frac{abcdef}{x}") < latex_width("abcdefx")
    assert latex_width(r"\left(a\right)") == latex_width("(a)")


def test_short_formula_stays_on_one_line() -> None:
    x, y = sp.symbols("x y")
    assert break_expr(x + y, NetworkLatexPrinter(), 20) == ["x + y"]


def test_long_sum_breaks_between_terms_and_every_line_fits() -> None:
    xs = sp.symbols("x1:30")
    expr = sp.Add(*[a * b for a, b in itertools.pairwise(xs)], evaluate=False)
    lines = break_expr(expr, NetworkLatexPrinter(), 20)
    assert len(lines) > 2
    assert all(latex_width(ln) <= 20 for ln in lines)
    assert all(ln.startswith("{} + ") for ln in lines[1:])


def test_negative_terms_continue_with_a_minus_sign() -> None:
    xs = sp.symbols("a1:20")
    expr = sp.Add(*[(-1) ** k * s for k, s in enumerate(xs)], evaluate=False)
    lines = break_expr(expr, NetworkLatexPrinter(), 8)
    assert any(ln.startswith("{} - ") for ln in lines[1:])
    # each line read in order gives back SymPy's own one-line printing
    one_line = NetworkLatexPrinter().doprint(expr)
    assert " ".join(ln.replace("{} ", "") for ln in lines).split() == one_line.split()


def test_a_number_s_fraction_before_a_long_sum_breaks_after_the_fraction() -> None:
    """⅓ (x1 x2 + … ): the bar holds the number only, so the sum breaks over lines that
    fit, the first one starting with the fraction (not left alone on its line)."""
    xs = sp.symbols("x1:30")
    expr = sp.Mul(sp.Rational(1, 3), sp.Add(*[a * b for a, b in itertools.pairwise(xs)]),
                  evaluate=False)
    assert latex_width(NetworkLatexPrinter().doprint(expr)) > 20
    lines = break_expr(expr, NetworkLatexPrinter(), 20)
    assert len(lines) > 2
    assert lines[0].startswith(r"\frac{1}{3}") and lines[0] != r"\frac{1}{3}"
    assert all(latex_width(ln) <= 21 for ln in lines), [latex_width(ln) for ln in lines]


def test_long_chain_breaks_between_factors_with_dots() -> None:
    syms = sp.symbols("E o1:12")
    chain = Chain(*[Partial(a, b) for a, b in itertools.pairwise(syms)])
    lines = break_expr(chain, NetworkLatexPrinter(), 15)
    assert len(lines) > 1
    assert all(ln.startswith(r"{} \cdot ") for ln in lines[1:])


def test_bracketed_sum_inside_a_product_breaks_with_matching_delimiters() -> None:
    xs = sp.symbols("x1:16")
    inner = sp.Add(*xs, evaluate=False)
    expr = sp.Mul(inner, sp.Symbol("w"), evaluate=False)
    lines = break_expr(expr, NetworkLatexPrinter(), 10)
    joined = " ".join(lines)
    assert joined.count(r"\left") == joined.count(r"\right")
    assert lines[0].startswith(r"\left(") and lines[0].endswith(r"\right.")


def test_aligned_rows_put_lhs_on_first_row_and_continuations_past_the_equals() -> None:
    xs = sp.symbols("x1:40")
    p = NetworkLatexPrinter()
    rows = aligned_rows("y", [Step(sp.Add(*xs, evaluate=False)), Step(latex="1")], p)
    assert rows[0].startswith("y &= ")
    assert any(r.startswith(r"&\qquad {} + ") for r in rows)
    assert rows[-1] == "&= 1"
    assert all(latex_width(r) <= TEXT_WIDTH_EM for r in rows)


def test_escape_text_makes_spec_prose_safe_for_pdflatex() -> None:
    assert escape_text("in_{h1} 50% & more") == r"in\_\{h1\} 50\% \& more"
    assert escape_text("a → b") == r"a $\to$ b"
    assert "?" in escape_text("日")


def test_escape_text_opens_and_closes_quotations() -> None:
    # LaTeX prints ' as a closing quote: an opening one is `, a double one `` … ''
    assert escape_text("(seed 002, 'Introducing the method')") == \
        "(seed 002, `Introducing the method')"
    assert escape_text('the seed\'s "cost"') == "the seed's ``cost''"
    assert escape_text('"quoted"') == "``quoted''"


def test_escape_text_keeps_accented_letters_as_tex_accents() -> None:
    assert escape_text("Renée Ångström naïve") == r"Ren\'{e}e \r{A}ngstr\"{o}m na\"{i}ve"
    assert escape_text("Łódź straße Œuvre ç") == r"\L{}\'{o}d\'{z} stra\ss{}e \OE{}uvre \c{c}"
    assert escape_text("ǖ") == r"\={\"{u}}"  # two accents, nested
    assert escape_text("日 ∫") == "? ?"  # no glyph in the T1 fonts: a visible stand-in


def test_quotes_and_accents_compile_to_the_letters_themselves(tmp_path: Path) -> None:
    if shutil.which("pdflatex") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            raise AssertionError("pdflatex and pdftotext are installed under CI")
        pytest.skip("pdflatex or pdftotext is not installed")
    from symbackprop.notes.pdflatex import compile_tex

    text = "‘Renée’s’ 'naïve' \"Łódź\" straße"
    tex = PREAMBLE + \
        f"\\begin{{document}}\n{escape_text(text)}\n\\end{{document}}\n"
    result = compile_tex(tex, runs=1, timeout=60)
    assert result.log.ok, result.log.errors
    pdf = tmp_path / "quotes.pdf"
    pdf.write_bytes(result.pdf)
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    shown = unicodedata.normalize("NFC", shown.replace("ﬀ", "ff"))
    assert "‘Renée’s’ ‘naïve’ “Łódź” straße" in shown


def _body_width(line: str) -> float:
    return latex_width(line.removeprefix(r"{} \cdot ").removeprefix("{} + ").removeprefix("{} - "))


@pytest.mark.parametrize("form", ["chain", "juxtaposed"])
def test_a_short_factor_does_not_end_alone_on_the_last_line(form: str) -> None:
    # (a sum that fills a line) · o(1 − o): the σ′ factor is short; rather than leave it
    # alone, the sum's last term comes down to it (or the factors before it, when written
    # side by side)
    o, x = sp.symbols("o x")
    ts = sp.symbols("t1:5")
    total = sp.Add(*[sp.Mul(t, sp.Symbol(f"w{k}"), sp.Symbol(f"v{k}"), evaluate=False)
                     for k, t in enumerate(ts)], evaluate=False)
    sigma = sp.Mul(o, 1 - o, evaluate=False)
    printer = NetworkLatexPrinter()
    width = latex_width(printer.doprint(total)) + 3.0
    expr = (Chain(total, sigma) if form == "chain"
            else sp.Mul(-1, total, o, 1 - o, x, evaluate=False))
    lines = break_expr(expr, printer, width)
    assert len(lines) > 1
    assert all(latex_width(ln) <= width for ln in lines)
    assert _body_width(lines[-1]) >= 6.0, lines
    joined = " ".join(lines)
    assert joined.count(r"\left") == joined.count(r"\right")
    # read in order, the lines give back the one-line printing
    words = (joined.replace(r"\right.", "").replace(r"\left.", "").replace("{} ", "")
             .replace(r"\quad", "").replace(r"\cdot", "").split())
    assert words == printer.doprint(expr).replace(r"\cdot", "").split()


@pytest.mark.parametrize("den", [sp.Integer(3), sp.Symbol("y") + sp.Symbol("z")],
                         ids=["number", "sum"])
def test_a_fraction_too_wide_for_a_line_breaks_as_one_over_its_denominator(
        den: sp.Expr) -> None:
    """A fraction bar does not split across lines: a fraction wider than the line is set as
    1/d times its numerator, whose sum then breaks, and every line fits."""
    xs = sp.symbols("x1:30")
    top = sp.Add(*[a * b for a, b in itertools.pairwise(xs)], evaluate=False)
    expr = sp.Mul(top, sp.Pow(den, -1, evaluate=False), evaluate=False)
    printer = NetworkLatexPrinter()
    assert printer.doprint(expr).startswith(r"\frac{")
    lines = break_expr(expr, printer, 20)
    assert len(lines) > 2 and all(latex_width(ln) <= 20 for ln in lines)
    over = printer.doprint(1 / den)
    assert lines[0].startswith(over + r"\left(")
    joined = " ".join(lines)
    assert joined.count(r"\left") == joined.count(r"\right")
    assert "+ -" not in joined


def test_a_term_with_a_negative_coefficient_continues_with_a_minus_sign() -> None:
    xs = sp.symbols("a1:20")
    expr = sp.Add(*[(-2 if k % 2 else 1) * s for k, s in enumerate(xs)], evaluate=False)
    lines = break_expr(expr, NetworkLatexPrinter(), 8)
    assert any(ln.startswith("{} - 2") for ln in lines[1:])
    assert not any("+ -" in ln for ln in lines)
