"""check on the bundled RNN (specs/rnn-bptt.yaml, Goodfellow, Bengio and Courville's names,
T = 3, h^{(0)} = 0): BPTT written with free indices and sums over time gets the right
verdicts, the zero initial state reads as 0, the recurrence is judged where t + 1 exists,
each classic mistake is named by its code, and no one-change mutant of a correct formula is
CORRECT."""

from __future__ import annotations

import index_mutants
import pytest
from checkers import checker, verdict_of

from symbackprop.check.judging.outcome import CheckResult
from symbackprop.errors import FormulaError

SPEC = "rnn-bptt.yaml"
DW = r"\frac{\partial L}{\partial W_{i,j}} = "
W_SUM = DW + (r"\sum_{t=1}^{3} (1 - (h^{(t)}_i)^2) \frac{\partial L}{\partial h^{(t)}_i} "
              r"h^{(t-1)}_j")
V_SUM = (r"\frac{\partial L}{\partial V_{k,i}} = "
         r"\sum_{t=1}^{3} (\hat{y}^{(t)}_k - y^{(t)}_k) h^{(t)}_i")
OUTPUT_TERM = r"\sum_{k} V_{k,i} (\hat{y}^{(t)}_k - y^{(t)}_k)"
RECURRENCE = (r"\frac{\partial L}{\partial h^{(t)}_i} = " + OUTPUT_TERM + r" + \sum_{k} W_{k,i} "
              r"(1 - (h^{(t+1)}_k)^2) \frac{\partial L}{\partial h^{(t+1)}_k}")
LETTERS = "ijkt"
EQUIVALENT = {W_SUM.replace("t=1", "t=2")}  # the term of t = 1 is 0 (h^{(0)} = 0)


def _check(formula: str) -> CheckResult:
    return checker(SPEC).check(None, formula)


def test_the_sum_over_time_of_w_reads_the_zero_initial_state_as_zero() -> None:
    r = _check(W_SUM)
    assert r.verdict == "correct", r.diagnosis
    assert r.steps[-1].instances == "4 of 4 instances hold"
    assert any("initial state" in n for n in r.steps[-1].notes)


@pytest.mark.parametrize(("formula", "verdict"), [
    (r"a^{(1)}_1 = b_1 + W_{1,1} h^{(0)}_1 + W_{1,2} h^{(0)}_2 + U_{1,1} x^{(1)}_1 "
     r"+ U_{1,2} x^{(1)}_2", "correct"),
    (r"a^{(1)}_1 = b_1 + W_{1,1} h^{(0)}_1 + U_{1,1} x^{(1)}_1", "incorrect"),
    (r"a^{(2)}_1 = b_1 + W_{1,1} h^{(0)}_1 + W_{1,2} h^{(0)}_2 + U_{1,1} x^{(2)}_1 "
     r"+ U_{1,2} x^{(2)}_2", "incorrect"),
])
def test_the_initial_state_written_out_reads_as_zero(formula: str, verdict: str) -> None:
    r = _check(formula)
    assert r.verdict == verdict, r.diagnosis
    assert any("h^{(0)}_1" in n and "initial state" in n for n in r.notes), r.notes


def test_the_sum_over_time_of_v_is_correct() -> None:
    r = _check(V_SUM)
    assert r.verdict == "correct", r.diagnosis
    assert r.steps[-1].instances == "4 of 4 instances hold"


def test_the_recurrence_is_judged_where_the_next_step_exists() -> None:
    r = _check(RECURRENCE)
    assert r.verdict == "correct", r.diagnosis
    assert r.steps[-1].instances == "4 of 4 instances hold"
    note = next(n for n in r.steps[-1].notes if "not judged" in n)
    assert "t = 3, i = 1; t = 3, i = 2" in note
    assert "past the last step (T = 3)" in note


def test_a_judged_wrong_instance_is_never_left_out() -> None:
    # the output's term at step t + 1: every judged step is wrong, t = 3 is not judged
    wrong = RECURRENCE.replace(r"(\hat{y}^{(t)}_k - y^{(t)}_k)",
                               r"(\hat{y}^{(t+1)}_k - y^{(t+1)}_k)")
    r = _check(wrong)
    assert r.verdict == "incorrect"
    assert r.steps[-1].instances == "0 of 4 instances hold"


def test_a_formula_that_applies_to_no_step_is_an_error() -> None:
    with pytest.raises(FormulaError, match="no instance is judged"):
        _check(r"\frac{\partial L}{\partial h^{(t)}_i} = \sum_{k} W_{k,i} "
               r"(1 - (h^{(t+3)}_k)^2) \frac{\partial L}{\partial h^{(t+3)}_k}")


def test_the_last_step_alone_misses_the_sum_over_time() -> None:
    r = _check(DW + r"(1 - (h^{(3)}_i)^2) \frac{\partial L}{\partial h^{(3)}_i} h^{(2)}_j")
    assert r.verdict == "incorrect"
    assert "MISSING_SUM_OVER_TIME" in r.codes
    assert r.steps[-1].instances == "0 of 4 instances hold"


def test_some_steps_only_miss_the_sum_over_time() -> None:
    r = _check(V_SUM.replace(r"\sum_{t=1}^{3}", r"\sum_{t=2}^{3}"))
    assert r.verdict == "incorrect"
    assert "MISSING_SUM_OVER_TIME" in r.codes


def test_the_output_term_alone_misses_the_recurrent_term_before_the_last_step() -> None:
    r = _check(r"\frac{\partial L}{\partial h^{(t)}_i} = " + OUTPUT_TERM)
    assert r.verdict == "incorrect"
    assert "MISSING_RECURRENT_TERM" in r.codes
    assert r.diagnosis[0].startswith("fails for t = 1, i = 1")
    assert r.steps[-1].instances == "2 of 6 instances hold"  # t = 3 holds, t = 1, 2 do not


def test_tanh_prime_at_the_step_before_is_named() -> None:
    r = _check(W_SUM.replace(r"(1 - (h^{(t)}_i)^2)", r"(1 - (h^{(t-1)}_i)^2)"))
    assert r.verdict == "incorrect"
    assert "DERIVATIVE_AT_WRONG_STEP" in r.codes
    assert "SUM_INDEX" not in r.codes


def test_tanh_prime_at_the_step_after_is_named() -> None:
    r = _check(RECURRENCE.replace(r"(1 - (h^{(t+1)}_k)^2)", r"(1 - (h^{(t)}_k)^2)"))
    assert r.verdict == "incorrect"
    assert "DERIVATIVE_AT_WRONG_STEP" in r.codes


def test_a_sum_over_time_past_the_last_step_is_not_correct() -> None:
    assert verdict_of(SPEC, W_SUM.replace("^{3}", "^{4}")) == "error"


@pytest.mark.parametrize("formula", [W_SUM, V_SUM, RECURRENCE], ids=["W", "V", "recurrence"])
def test_no_mutant_of_a_correct_bptt_formula_is_correct(formula: str) -> None:
    assert verdict_of(SPEC, formula) == "correct"
    found = index_mutants.mutants(formula, LETTERS)
    assert len(found) >= 8
    survivors = [m for m in found if verdict_of(SPEC, m) == "correct"]
    assert survivors == [m for m in found if m in EQUIVALENT]


def test_the_first_step_of_w_is_zero_so_starting_at_two_is_the_same_sum() -> None:
    # W feeds step 1 only through h^{(0)} = 0: the mutant \sum_{t=2}^{3} is equivalent
    assert verdict_of(SPEC, W_SUM.replace("t=1", "t=2")) == "correct"
    assert verdict_of(SPEC, V_SUM.replace("t=1", "t=2")) == "incorrect"
