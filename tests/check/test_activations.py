"""One activation's derivative written for another's: a(1 − a), σ′, for a tanh unit (the
3-4-3 tanh/softmax network), 1 − a², tanh′, for a sigmoid unit (Mazur's 2-2-2 network).

tanh′(z) = 1 − tanh²(z) = 1 − a² and σ′(z) = σ(z)(1 − σ(z)) = a(1 − a): the mutants below
are written by hand from these, and the diagnosis must name the unit and both forms.
"""

from __future__ import annotations

import pytest
import sympy as sp
from checkers import checker

from symbackprop.check.diagnosis.activations import _replaced

TANH_SPEC = "tanh-softmax-3-4-3.yaml"
MAZUR = "seed-004-mazur-2-2-2.yaml"



H = r"\frac{\partial L}{\partial w^{[1]}_{1,1}} = "
SUM = (r"((a^{[2]}_{1} - y_{1}) w^{[2]}_{1,1} + (a^{[2]}_{2} - y_{2}) w^{[2]}_{2,1} + "
       r"(a^{[2]}_{3} - y_{3}) w^{[2]}_{3,1})")
SIGMA = r"a^{[1]}_{1} (1 - a^{[1]}_{1})"
WORDS = ("a^{[1]}_1(1 − a^{[1]}_1) is the derivative of sigmoid (σ′); a^{[1]}_1 is a tanh unit, "
         "whose derivative is 1 − (a^{[1]}_1)²")


@pytest.mark.parametrize("formula", [
    H + f"{SUM} {SIGMA} x_1",
    H + f"x_1 {SUM} (1 - a^{{[1]}}_{{1}}) a^{{[1]}}_{{1}}",  # its factors apart
    r"\frac{\partial a^{[1]}_{1}}{\partial z^{[1]}_{1}} = " + SIGMA,
])
def test_sigma_prime_for_a_tanh_unit_is_named(formula: str) -> None:
    result = checker(TANH_SPEC).check(None, formula)
    assert result.verdict == "incorrect"
    assert result.diagnosis == (WORDS,)
    assert result.codes == ("WRONG_ACTIVATION_DERIVATIVE",)
    fixed = formula.replace(SIGMA, r"(1 - (a^{[1]}_{1})^2)").replace(
        r"(1 - a^{[1]}_{1}) a^{[1]}_{1}", r"(1 - (a^{[1]}_{1})^2)")
    assert checker(TANH_SPEC).check(None, fixed).verdict == "correct"


def test_tanh_prime_for_a_sigmoid_unit_is_named() -> None:
    result = checker(MAZUR).check("w5", "(out_o1 - target_o1)*(1 - out_o1**2)*out_h1")
    assert result.diagnosis == ("1 − (out_o1)² is the derivative of tanh (tanh′); out_o1 is a "
                                "sigmoid unit, whose derivative is out_o1(1 − out_o1)",)


@pytest.mark.parametrize(("spec", "param", "formula"), [
    # right: σ′ on a sigmoid network
    (MAZUR, "w5", "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1"),
    (TANH_SPEC, None, H + f"{SUM} (1 - (a^{{[1]}}_{{1}})^2) x_1"),
])
def test_a_right_answer_gets_no_such_diagnosis(spec: str, param: str | None,
                                              formula: str) -> None:
    result = checker(spec).check(param, formula)
    assert result.verdict == "correct" and not result.diagnosis


@pytest.mark.parametrize("formula", [
    H + f"{SUM} (1 - a^{{[1]}}_{{1}}) x_1",  # 1 − a: no activation's derivative
    H + f"{SUM} {SIGMA} x_2",  # σ′ and the wrong input: σ′ alone does not explain it
    H + SUM.replace("w^{[2]}_{2,1}", "w^{[2]}_{2,2}") + f" {SIGMA} x_1",
])
def test_another_mistake_is_not_called_a_wrong_derivative(formula: str) -> None:
    result = checker(TANH_SPEC).check(None, formula)
    assert result.verdict == "incorrect"
    assert "WRONG_ACTIVATION_DERIVATIVE" not in result.codes, result.diagnosis


def test_a_derivation_names_the_wrong_derivative_at_its_line() -> None:
    text = "\n".join([
        r"\frac{\partial a^{[1]}_{1}}{\partial z^{[1]}_{1}} = " + SIGMA,
        H + f"{SUM} {SIGMA} x_1",
    ])
    result = checker(TANH_SPEC).check_derivation(text)
    assert result.first_wrong_line == 1
    assert result.steps[0].diagnosis == (WORDS,)


def test_the_wrong_form_is_found_among_a_products_factors() -> None:
    a, x, y = sp.symbols("a x y")
    assert list(_replaced(a**2 * (1 - a) * x, a * (1 - a), 1 - a**2)) == [a * x * (1 - a**2)]
    assert list(_replaced(a * x + y, a * (1 - a), 1 - a**2)) == []
    assert list(_replaced(1 - a**2, 1 - a**2, a * (1 - a))) == [a * (1 - a)]
