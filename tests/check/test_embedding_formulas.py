"""check on the bundled embedding network (specs/embedding.yaml: tokens (3, 1, 3) into a table
E of 4 rows of width 2, two tanh units, a softmax over two classes): a row's gradient summed
over the positions of its token is CORRECT, a row no token looks up has gradient 0; the
gradient of one occurrence only (overwritten, not added) is INCORRECT with
EMBEDDING_NOT_ACCUMULATED and a counterexample; no one-change mutant of a correct formula is
CORRECT."""

from __future__ import annotations

import pytest
from checkers import checker, verdict_of

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
    r = checker(SPEC).check(None, formula)
    assert r.verdict == "incorrect"
    assert "EMBEDDING_NOT_ACCUMULATED" in r.codes, list(zip(r.codes, r.diagnosis, strict=True))
    assert r.counterexample is not None


def test_a_row_looked_up_once_is_not_named_unaccumulated() -> None:
    r = checker(SPEC).check(None, E12 + r"\delta^{[1]}_{2,1}")
    assert r.verdict == "incorrect" and "EMBEDDING_NOT_ACCUMULATED" not in r.codes


def _mutants(formula: str) -> list[str]:
    """One digit of the right side changed by ±1, or the right side negated."""
    head, _, right = formula.partition(" = ")
    out = [f"{head} = -({right})"]
    for k, ch in enumerate(right):
        if ch.isdigit():
            for step in (1, -1):
                if int(ch) + step >= 0:
                    out.append(f"{head} = {right[:k]}{int(ch) + step}{right[k + 1:]}")
    return out


@pytest.mark.parametrize("formula", [CORRECT[0], CORRECT[2]], ids=["repeated", "once"])
def test_no_mutant_of_a_correct_formula_is_correct(formula: str) -> None:
    found = _mutants(formula)
    assert len(found) >= 6
    survivors = [m for m in found if verdict_of(SPEC, m) == "correct"]
    assert not survivors, survivors
