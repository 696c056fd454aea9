"""Formulas as plain-text notes write them: Unicode subscripts (W₃, h₂²), ŷ, ln without a
backslash, the power of a function (tanh²(z)), and a function of the derivation's own
defined with \\left( … \\right)."""

from __future__ import annotations

import pytest
from checkers import checker
from paths import DATA

from symbackprop.check.reading.parser import parse_statement
from symbackprop.check.reading.syntax import Call, Name, Pow
from symbackprop.errors import FormulaError

CHAIN = DATA / "outside" / "specs" / "murali-tanh-chain.yaml"
UNIT = DATA / "outside" / "specs" / "statsse-logistic-unit.yaml"
MAZUR = "seed-004-mazur-2-2-2.yaml"


def _verdict(spec: object, formula: str, param: str | None = None) -> str:
    try:
        return checker(spec).check(param, formula).verdict  # type: ignore[arg-type]
    except FormulaError:
        return "unreadable"


def test_unicode_subscripts_and_a_hat_are_the_names_they_show() -> None:
    st = parse_statement("∂L/∂W₃ = h₂ᵢ + ŷ", knows=lambda _: True)
    names = [n.raw for n in (st.sides[1].terms)]  # type: ignore[union-attr]
    assert names == ["h_{2i}", r"\hat{y}"]
    power = parse_statement("x = h₂²", knows=lambda _: True).sides[1]
    assert isinstance(power, Pow) and power.base == Name("h_{2}", 4)


@pytest.mark.parametrize(("written", "mutant"), [
    ("tanh²(z₂)", "tanh³(z₂)"), ("tanh^2(z₂)", "tanh^2(z₁)"), (r"\tanh^2(z_2)", r"\tanh^3(z_2)"),
    ("tanh(z₂)^2", "tanh(z₂)")])
def test_the_power_of_a_function_is_the_power_of_its_value(written: str, mutant: str) -> None:
    st = parse_statement(f"y = {written}", knows=lambda s: "tanh" not in s)
    node = st.sides[1]
    assert isinstance(node, Pow) and isinstance(node.base, Call) and node.base.func == "tanh"
    assert _verdict(CHAIN, f"∂h₂/∂z₂ = 1 - {written}") == "correct"
    assert _verdict(CHAIN, f"∂h₂/∂z₂ = 1 - {mutant}") != "correct"


@pytest.mark.parametrize(("formula", "param"), [
    ("∂L/∂W₂ = 2(ŷ - y) × W₃ × (1 - h₂²) × h₁", None),
    ("∂L/∂b₁ = 2(ŷ - y) × W₃ × (1 - h₂²) × W₂ × (1 - h₁²)", None),
    ("2(ŷ - y) × W₃ × (1 - h₂²) × W₂ × (1 - h₁²) × x", "W1"),
])
def test_a_gradient_in_unicode_subscripts_is_checked_and_its_mutants_are_not(
        formula: str, param: str | None) -> None:
    assert _verdict(CHAIN, formula, param) == "correct"
    for old, new in (("W₃", "W₂"), ("h₂²", "h₁²"), ("2(ŷ", "(ŷ"), ("- y", "+ y"),
                     ("1 - h₂²", "1 - h₂")):
        mutant = formula.replace(old, new, 1)
        assert mutant != formula
        assert _verdict(CHAIN, mutant, param) != "correct", mutant


def test_ln_without_a_backslash_is_the_logarithm() -> None:
    right = r"E = -y ln \hat{y} - (1-y) ln (1-\hat{y})"
    assert _verdict(UNIT, right) == "correct"
    assert _verdict(UNIT, right.replace(r"ln \hat{y}", r"ln (1-\hat{y})", 1)) == "incorrect"
    assert _verdict(UNIT, right.replace("(1-y) ln", "y ln")) == "incorrect"


def test_an_own_function_defined_with_left_and_right_brackets() -> None:
    text = (r"$$s\left(x\right)\ =\ \frac{1}{1+e^{-x}}$$" "\n"
            r"$$\frac{\partial E}{\partial in_{o1}} = (out_{o1} - target_{o1}) "
            r"s\left(in_{o1}\right)\left(1-s\left(in_{o1}\right)\right)$$")
    text = text.replace(r"\frac{\partial E}", r"\frac{\partial E_{total}}")
    result = checker(MAZUR).check_derivation(text)
    assert [s.verdict for s in result.steps] == ["definition", "correct"]
    wrong = checker(MAZUR).check_derivation(text.replace("(1-s", "(2-s"))
    assert wrong.verdict == "incorrect"


def test_a_hatted_name_is_shown_as_written_and_reads_back() -> None:
    """\\hat{y} is shown as ŷ in "read as", not as the word haty, and ŷ reads back."""
    from symbackprop.check.grading.report import render_check

    wrong = checker(CHAIN).check(None, "∂L/∂W₃ = 2(ŷ + y) × h₂")
    shown = next(x for x in render_check(wrong).splitlines() if "read as" in x)
    assert "ŷ" in shown and "hat" not in shown
    again = checker(CHAIN).check("W3", shown.split("read as:", 1)[1].strip())
    assert again.counterexample is not None and wrong.counterexample is not None
    assert again.counterexample.formula_value == wrong.counterexample.formula_value
