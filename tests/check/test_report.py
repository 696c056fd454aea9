"""The check report reads well: a counterexample gives the quantities the formula uses, names
come in the spec's notation, numbers read as decimals, each step of A = B = C is labelled,
and no diagnosis is said twice."""

from __future__ import annotations

from dataclasses import replace

import sympy as sp
from checkers import checker

from symbackprop.check.grading.report import render_check
from symbackprop.check.judging.context import decimal_text

TANH_SPEC = "tanh-softmax-3-4-3.yaml"
MAZUR = "seed-004-mazur-2-2-2.yaml"



H = r"\frac{\partial L}{\partial w^{[1]}_{1,1}} = "
ONE_PATH = H + r"(a^{[2]}_{1} - y_{1}) w^{[2]}_{1,1} (1 - (a^{[1]}_{1})^2) x_1"


def test_a_counterexample_gives_the_quantities_the_formula_uses() -> None:
    result = checker(TANH_SPEC).check(None, ONE_PATH)
    c = result.counterexample
    assert c is not None
    # in the network's order: parameters, inputs, targets, then the units
    assert [result.names.get(k, k) for k in c.uses] == ["w^{[2]}_{1,1}", "x1", "y_1", "a^{[1]}_1",
                                                         "a^{[2]}_1"]
    line = next(x for x in render_check(result).splitlines() if "counterexample" in x)
    assert line.endswith("; the other parameters, inputs and targets at random")
    assert "w^{[1]}_{2,1}" not in line and "b^{[2]}_3" not in line
    # the values given are the point's: the drawn ones and the forward pass from them
    point = c.point
    assert all(c.uses[k] == point[k] for k in c.uses if k in point)


def test_a_counterexample_of_numbers_is_the_worked_example() -> None:
    result = checker(TANH_SPEC).check(None, r"\frac{\partial L}{\partial w^{[2]}_{1,1}} = "
                                            r"(0.427051 - 1) \cdot 0.3")
    assert result.verdict == "incorrect"
    c = result.counterexample
    assert c is not None and c.worked
    # the targets by their own names, printed as the spec writes them (y_1, not u2_1)
    assert {result.names.get(k, k) for k in c.point} >= {"y_1", "y_2", "y_3"}
    assert "at the spec's worked example" in render_check(result)


def test_written_numbers_read_as_decimals() -> None:
    result = checker(TANH_SPEC).check(None, r"\frac{\partial L}{\partial w^{[2]}_{1,1}} = "
                                            r"(a^{[2]}_{1} - y_1) a^{[1]}_1 = "
                                            r"(0.427051 - 1) \cdot 0.3")
    text = render_check(result)
    assert "read as: ∂L/∂w^{[2]}_{1,1} = -0.1718847" in text, text
    assert "/10000000" not in text


def test_decimal_text() -> None:
    assert decimal_text(sp.Rational(1793331, 5000000)) == "0.3586662"
    assert decimal_text(sp.Rational(-7, 4)) == "-1.75"
    assert decimal_text(sp.Rational(1, 3)) == "1/3"
    assert decimal_text(sp.Integer(5)) == "5"
    long = sp.Rational(74136507 * 186815602 * 59327, 10**22)  # 24 significant digits
    assert decimal_text(long) == "≈0.0821670417910171"
    assert decimal_text(sp.Rational(-2, 7 * 10**20)) == "≈-2.85714285714286e-21"


def test_each_step_of_one_line_is_labelled() -> None:
    result = checker(MAZUR).check(None, r"w_5^{+} = w_5 - \alpha \frac{\partial E_{total}}"
                                        r"{\partial w_5} = 0.4 - 0.5 \cdot 0.0826676")
    text = render_check(result)
    assert "line 1, step 1 of 2: CORRECT" in text and "line 1, step 2 of 2: INCORRECT" in text


def test_a_diagnosis_is_said_once() -> None:
    result = checker(TANH_SPEC).check(None, ONE_PATH)
    assert len(result.diagnosis) == 1
    doubled = replace(result, diagnosis=result.diagnosis * 2)
    assert render_check(doubled).count(result.diagnosis[0]) == 1


def test_each_step_of_an_update_with_numbers_shows_only_its_own_sides() -> None:
    rule = r"w_5^{+} = w_5 - \alpha \frac{\partial E_{total}}{\partial w_5}"
    result = checker(MAZUR).check(None, rule + r" = 0.4 - 0.5 \cdot 0.082167041 = 0.35891648")
    assert [s.text for s in result.steps] == [
        rule, r"w_5 - \alpha \frac{\partial E_{total}}{\partial w_5} = 0.4 - 0.5 \cdot "
              r"0.082167041", "= 0.35891648"]
    assert result.verdict == "correct"


def test_read_as_writes_powers_as_a_formula_does() -> None:
    """x^2 and (1 − a)^2, as written or in the spec's notation; never Python's **."""
    for formula in ("(out_o1 - target_o1)*out_o1**2*out_h1",
                    r"(out_{o1} - target_{o1}) out_{o1}^2 out_{h1}"):
        result = checker(MAZUR).check("w5", formula)
        assert result.verdict == "incorrect"
        shown = next(x for x in render_check(result).splitlines() if "read as" in x)
        assert shown.strip() == "read as:  out_h1*out_o1^2*(out_o1 - target_o1)"
    squared = checker(MAZUR).check("w5", "(out_o1 - target_o1)*(1 - out_o1)^2*out_h1")
    assert "(1 - out_o1)^2" in render_check(squared)
    layer = checker(TANH_SPEC).check(None, ONE_PATH)
    assert "(1 - (a^{[1]}_1)^2)" in render_check(layer)


def test_read_as_of_a_power_reads_back_to_the_same_value() -> None:
    c = checker(MAZUR)
    first = c.check("w5", "(out_o1 - target_o1)*(1 - out_o1)^3*out_h1^2")
    shown = next(x for x in render_check(first).splitlines() if "read as" in x)
    again = c.check("w5", shown.split("read as:", 1)[1].strip())
    assert again.counterexample is not None and first.counterexample is not None
    assert again.counterexample.formula_value == first.counterexample.formula_value
