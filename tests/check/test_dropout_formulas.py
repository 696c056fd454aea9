"""check on the bundled dropout network (specs/dropout.yaml: 2 inputs, 3 sigmoid units, a
dropout layer with p = 1/2 and mask (1, 0, 1), one sigmoid output): the backward pass through
the dropout layer, the mask and 1/p written as numbers, is CORRECT; the 1/p left out is
INCORRECT with DROPOUT_SCALE_MISSING and a counterexample; no one-change mutant of a correct
formula is CORRECT."""

from __future__ import annotations

import pytest
from checkers import checker, named_mistake, verdict_of
from index_mutants import digit_mutants

SPEC = "dropout.yaml"
A1 = r"\frac{\partial L}{\partial a^{[1]}_{1}} = "
A2 = r"\frac{\partial L}{\partial a^{[1]}_{2}} = "
A3 = r"\frac{\partial L}{\partial a^{[1]}_{3}} = "
W11 = r"\frac{\partial L}{\partial w^{[1]}_{1,1}} = "
B3 = r"\frac{\partial L}{\partial b^{[1]}_{3}} = "
SLOPE1 = r"a^{[1]}_{1} (1 - a^{[1]}_{1})"
SLOPE3 = r"a^{[1]}_{3} (1 - a^{[1]}_{3})"
CORRECT = [
    A1 + r"\frac{1}{0.5} \delta^{[2]}_{1}",
    A3 + r"2 \delta^{[2]}_{3}",
    A2 + "0",
    W11 + rf"2 \delta^{{[2]}}_{{1}} {SLOPE1} x_1",
    B3 + rf"\frac{{1}}{{0.5}} w^{{[3]}}_{{1,3}} \delta^{{[3]}}_{{1}} {SLOPE3}",
    r"\delta^{[1]}_{3} = 2 \delta^{[2]}_{3} " + SLOPE3,
]
UNSCALED = [
    A1 + r"\delta^{[2]}_{1}",
    A3 + r"\delta^{[2]}_{3}",
    W11 + rf"\delta^{{[2]}}_{{1}} {SLOPE1} x_1",
    B3 + rf"w^{{[3]}}_{{1,3}} \delta^{{[3]}}_{{1}} {SLOPE3}",
    r"\delta^{[1]}_{3} = \delta^{[2]}_{3} " + SLOPE3,
]


@pytest.mark.parametrize("formula", CORRECT)
def test_the_backward_pass_through_dropout_is_correct(formula: str) -> None:
    r = checker(SPEC).check(None, formula)
    assert r.verdict == "correct", r.diagnosis


@pytest.mark.parametrize("formula", UNSCALED)
def test_the_backward_pass_without_one_over_p_is_named(formula: str) -> None:
    named_mistake(SPEC, formula, "DROPOUT_SCALE_MISSING")


def test_a_dropped_unit_passes_no_gradient() -> None:
    """δ through the dropped unit 2 is 0: the kept units' rule 2 δ is INCORRECT there, and
    the scale is not the mistake named."""
    r = checker(SPEC).check(None, A2 + r"2 \delta^{[2]}_{2}")
    assert r.verdict == "incorrect" and "DROPOUT_SCALE_MISSING" not in r.codes


def test_another_factor_is_not_named_a_missing_scale() -> None:
    r = checker(SPEC).check(None, A1 + r"3 \delta^{[2]}_{1}")
    assert r.verdict == "incorrect" and "DROPOUT_SCALE_MISSING" not in r.codes


def _mutants(formula: str) -> list[str]:
    """One number changed by ±1 (a script's or a factor's), the right side negated, or one
    of the two kept units' indices 1 and 3 swapped."""
    head, _, right = formula.partition(" = ")
    return digit_mutants(formula) + [
        f"{head} = {right[:k]}{'3' if ch == '1' else '1'}{right[k + 1:]}"
        for k, ch in enumerate(right) if ch in "13" and right[k - 1] == "{"]


@pytest.mark.parametrize("formula", [CORRECT[0], CORRECT[3], CORRECT[4]],
                         ids=["a1", "w11", "b3"])
def test_no_mutant_of_a_correct_formula_is_correct(formula: str) -> None:
    found = _mutants(formula)
    assert len(found) >= 6
    survivors = [m for m in found if verdict_of(SPEC, m) == "correct"]
    assert not survivors, survivors


def test_half_of_a_gradient_above_the_dropout_layer_is_not_named_a_missing_scale() -> None:
    """The output layer's weight is above the dropout layer: its gradient at p = 1/2 times
    the true value is a constant factor, not dropout's 1/p."""
    r = checker(SPEC).check(None, r"\frac{\partial L}{\partial w^{[3]}_{1,1}} = "
                            r"\frac{1}{2} \delta^{[3]}_{1} a^{[2]}_{1}")
    assert r.verdict == "incorrect" and "DROPOUT_SCALE_MISSING" not in r.codes
    assert "CONSTANT_FACTOR" in r.codes
