"""check on the bundled conv-pool network (specs/conv-pool.yaml: a 1×4×4 input, conv2d of two
2×2 filters, 2×2 max pooling, one sigmoid output): the shared kernel weight's and bias's sums
over positions are CORRECT in the default notation, a flipped kernel and one position only
are INCORRECT with their codes, and no one-change mutant of a correct formula is CORRECT."""

from __future__ import annotations

import index_mutants
import pytest
from checkers import checker, verdict_of

SPEC = "conv-pool.yaml"
W = r"\frac{\partial L}{\partial w^{[1]}_{f,c,m,n}} = "
KERNEL = W + r"\sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j} x_{c,i+m-1,j+n-1}"
BIAS = (r"\frac{\partial L}{\partial b^{[1]}_{f}} = "
        r"\sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j}")
LETTERS = "fcmnij"
# a^{[1]}_{1,2,2} is in all four 2×2 windows of the stride-1 pooling over the 3×3 output
SPREAD = (r"\delta^{[2]}_{1,1,1} + \delta^{[2]}_{1,1,2} + \delta^{[2]}_{1,2,1} + "
          r"\delta^{[2]}_{1,2,2}")
CENTRE = r"\frac{\partial L}{\partial a^{[1]}_{1,2,2}} = "


def test_the_names_are_the_default_notation() -> None:
    table = checker(SPEC).ctx.table
    for name in (r"w^{[1]}_{2,1,2,2}", r"b^{[1]}_{2}", r"\delta^{[1]}_{2,3,3}", r"x_{1,4,4}"):
        assert table.lookup(name) is not None, name


@pytest.mark.parametrize(("formula", "count"), [(KERNEL, 8), (BIAS, 2)], ids=["w", "b"])
def test_the_sums_over_positions_are_correct(formula: str, count: int) -> None:
    r = checker(SPEC).check(None, formula)
    assert r.verdict == "correct", r.diagnosis
    assert r.steps[-1].instances == f"{count} of {count} instances hold"


def test_a_flipped_kernel_is_named() -> None:
    r = checker(SPEC).check(None, W + r"\sum_{i=1}^{3}\sum_{j=1}^{3} "
                            r"\delta^{[1]}_{f,i,j} x_{c,i-m+2,j-n+2}")
    assert r.verdict == "incorrect"
    assert "KERNEL_FLIPPED" in r.codes


def test_one_position_of_the_shared_weight_is_named() -> None:
    r = checker(SPEC).check(None, W + r"\delta^{[1]}_{f,1,1} x_{c,m,n}")
    assert r.verdict == "incorrect"
    assert "SHARED_WEIGHT_NOT_SUMMED" in r.codes
    assert r.steps[-1].instances == "0 of 8 instances hold"


@pytest.mark.parametrize("right", [SPREAD, rf"\frac{{1}}{{4}} ({SPREAD})"],
                         ids=["every-member", "divided"])
def test_a_max_pool_gradient_spread_over_the_window_is_named(right: str) -> None:
    r = checker(SPEC).check(None, CENTRE + right)
    assert r.verdict == "incorrect"
    assert "MAX_POOL_SPREAD" in r.codes


@pytest.mark.parametrize("formula", [KERNEL, BIAS], ids=["w", "b"])
def test_no_mutant_of_a_correct_formula_is_correct(formula: str) -> None:
    found = index_mutants.mutants(formula, LETTERS)
    assert len(found) >= 8
    survivors = [m for m in found if verdict_of(SPEC, m) == "correct"]
    assert not survivors
