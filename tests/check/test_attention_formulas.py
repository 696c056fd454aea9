"""check on the example attention head (specs/attention.yaml: T = 3 tokens of
width d = 2, S = Q Kᵀ/√2, a row softmax P, O = P V, squared error against Y): the row
softmax's backward step, ∂L/∂P, ∂L/∂V and ∂L/∂Q written with free indices t, u, j and sums
without bounds are CORRECT; the softmax Jacobian taken as elementwise, P(1 − P) only, is
INCORRECT with ATTENTION_SOFTMAX_ELEMENTWISE and a counterexample, and a gradient through S
without its 1/√d with ATTENTION_SCALE_MISSING; no one-change mutant of a correct formula is
CORRECT."""

from __future__ import annotations

import pytest
from checkers import checker, named_mistake, verdict_of
from index_mutants import digit_mutants, mutants
from paths import ROOT

SPEC = ROOT / "specs" / "attention.yaml"
DS = r"\frac{\partial L}{\partial S_{t,u}} = "
SOFTMAX = DS + (r"P_{t,u} \left( \frac{\partial L}{\partial P_{t,u}} - \sum_{k} P_{t,k} "
                r"\frac{\partial L}{\partial P_{t,k}} \right)")
ELEMENTWISE = DS + r"P_{t,u} (1 - P_{t,u}) \frac{\partial L}{\partial P_{t,u}}"
DP = (r"\frac{\partial L}{\partial P_{t,u}} = \sum_j \frac{\partial L}{\partial O_{t,j}} "
      r"V_{u,j}")
DV = r"\frac{\partial L}{\partial V_{u,j}} = \sum_t P_{t,u} \frac{\partial L}{\partial O_{t,j}}"
DQ = (r"\frac{\partial L}{\partial Q_{t,j}} = \frac{1}{\sqrt{2}} \sum_u "
      r"\frac{\partial L}{\partial S_{t,u}} K_{u,j}")
DK = (r"\frac{\partial L}{\partial K_{u,j}} = \frac{1}{\sqrt{2}} \sum_t "
      r"\frac{\partial L}{\partial S_{t,u}} Q_{t,j}")
CORRECT = [
    SOFTMAX, DP, DV, DQ, DK,
    r"\frac{\partial L}{\partial S_{2,3}} = P_{2,3} \left( \frac{\partial L}{\partial P_{2,3}}"
    r" - \sum_{k=1}^{3} P_{2,k} \frac{\partial L}{\partial P_{2,k}} \right)",
    r"\frac{\partial L}{\partial O_{t,j}} = O_{t,j} - Y_{t,j}",
]


@pytest.mark.parametrize("formula", CORRECT, ids=["dS", "dP", "dV", "dQ", "dK", "dS23", "dO"])
def test_the_backward_steps_of_attention_are_correct(formula: str) -> None:
    r = checker(SPEC).check(None, formula)
    assert r.verdict == "correct", r.diagnosis


def test_the_softmax_jacobian_taken_as_elementwise_is_named() -> None:
    named_mistake(SPEC, ELEMENTWISE, "ATTENTION_SOFTMAX_ELEMENTWISE")


@pytest.mark.parametrize("formula", [
    DQ.replace(r"\frac{1}{\sqrt{2}} ", ""),
    DK.replace(r"\frac{1}{\sqrt{2}} ", ""),
    r"\frac{\partial L}{\partial W^Q_{i,j}} = \sum_t \sum_u \frac{\partial L}{\partial S_{t,u}}"
    r" K_{u,j} X_{t,i}",
], ids=["dQ", "dK", "dWQ"])
def test_a_gradient_through_the_scores_without_its_scale_is_named(formula: str) -> None:
    named_mistake(SPEC, formula, "ATTENTION_SCALE_MISSING")


def test_the_scaled_weight_gradient_is_correct() -> None:
    formula = (r"\frac{\partial L}{\partial W^Q_{i,j}} = \frac{1}{\sqrt{2}} \sum_t \sum_u "
               r"\frac{\partial L}{\partial S_{t,u}} K_{u,j} X_{t,i}")
    assert verdict_of(SPEC, formula) == "correct"


def test_a_wrong_formula_of_another_kind_is_not_named_an_attention_mistake() -> None:
    """A sign error of ∂L/∂S is INCORRECT without either attention code."""
    r = checker(SPEC).check(None, DS + r"-P_{t,u} \left( \frac{\partial L}{\partial P_{t,u}} "
                            r"- \sum_{k} P_{t,k} \frac{\partial L}{\partial P_{t,k}} \right)")
    assert r.verdict == "incorrect"
    assert not {"ATTENTION_SOFTMAX_ELEMENTWISE", "ATTENTION_SCALE_MISSING"} & set(r.codes)


def test_no_index_mutant_of_the_softmax_step_is_correct() -> None:
    found = mutants(SOFTMAX, "tujk")
    assert len(found) >= 6
    survivors = [m for m in found if verdict_of(SPEC, m) == "correct"]
    assert not survivors, survivors


@pytest.mark.parametrize("formula", [CORRECT[5], DQ], ids=["dS23", "dQ"])
def test_no_digit_mutant_of_a_correct_formula_is_correct(formula: str) -> None:
    found = digit_mutants(formula)
    assert len(found) >= 3
    survivors = [m for m in found if verdict_of(SPEC, m) == "correct"]
    assert not survivors, survivors
