"""check on the bundled embedding network (specs/embedding.yaml: tokens (3, 1, 3) into a table
E of 4 rows of width 2, two tanh units, a softmax over two classes): a row's gradient summed
over the positions of its token is CORRECT, a row no token looks up has gradient 0; the
gradient of one occurrence only (overwritten, not added) is INCORRECT with
EMBEDDING_NOT_ACCUMULATED and a counterexample; no one-change mutant of a correct formula is
CORRECT."""

from __future__ import annotations

import pytest
from checkers import checker, named_mistake, verdict_of
from index_mutants import digit_mutants

SPEC = "embedding.yaml"
E31 = r"\frac{\partial L}{\partial E_{3,1}} = "
E32 = r"\frac{\partial L}{\partial E_{3,2}} = "
E12 = r"\frac{\partial L}{\partial E_{1,2}} = "
E41 = r"\frac{\partial L}{\partial E_{4,1}} = "
CORRECT = [
    E31 + r"\delta^{[1]}_{1,1} + \delta^{[1]}_{3,1}",
    E32 + r"\delta^{[1]}_{3,2} + \delta^{[1]}_{1,2}",
    E12 + r"\delta^{[1]}_{2,2}",
    E41 + "0",
    E31 + r"\sum_{j=1}^{2} w^{[2]}_{j,1} \delta^{[2]}_{j} + \sum_{j=1}^{2} w^{[2]}_{j,5} "
          r"\delta^{[2]}_{j}",
]
ONE_OCCURRENCE = [E31 + r"\delta^{[1]}_{3,1}", E31 + r"\delta^{[1]}_{1,1}",
                  E32 + r"\delta^{[1]}_{3,2}"]


@pytest.mark.parametrize("formula", CORRECT)
def test_a_row_sums_the_deltas_of_its_tokens_positions(formula: str) -> None:
    r = checker(SPEC).check(None, formula)
    assert r.verdict == "correct", r.diagnosis


@pytest.mark.parametrize("formula", ONE_OCCURRENCE)
def test_one_occurrence_only_is_named(formula: str) -> None:
    named_mistake(SPEC, formula, "EMBEDDING_NOT_ACCUMULATED")


def test_a_row_looked_up_once_is_not_named_unaccumulated() -> None:
    r = checker(SPEC).check(None, E12 + r"\delta^{[1]}_{2,1}")
    assert r.verdict == "incorrect" and "EMBEDDING_NOT_ACCUMULATED" not in r.codes


@pytest.mark.parametrize("formula", [CORRECT[0], CORRECT[2]], ids=["repeated", "once"])
def test_no_mutant_of_a_correct_formula_is_correct(formula: str) -> None:
    found = digit_mutants(formula)
    assert len(found) >= 6
    survivors = [m for m in found if verdict_of(SPEC, m) == "correct"]
    assert not survivors, survivors
