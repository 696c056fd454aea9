"""Transposed weights in a written-out sum, and two factors missing together.

On the 3-4-3 network, w^{[2]}_{j,k} connects a^{[1]}_k to z^{[2]}_j, so ∂L/∂a^{[1]}_1 sums
δ^{[2]}_j w^{[2]}_{j,1} over j: the column of W^{[2]}, not its row w^{[2]}_{1,j}.
"""

from __future__ import annotations

import pytest
from checkers import checker

from symbackprop.check.diagnosis.transposition import reads_transposed, transposed_weights

TANH_SPEC = "tanh-softmax-3-4-3.yaml"
MAZUR = "seed-004-mazur-2-2-2.yaml"



H = r"\frac{\partial L}{\partial w^{[1]}_{1,1}} = "
TANH = r"(1 - (a^{[1]}_{1})^2) x_1"


def sum_with(w2: str, w3: str) -> str:
    return (H + rf"((a^{{[2]}}_{{1}} - y_{{1}}) w^{{[2]}}_{{1,1}} + (a^{{[2]}}_{{2}} - y_{{2}}) "
            rf"w^{{[2]}}_{{{w2}}} + (a^{{[2]}}_{{3}} - y_{{3}}) w^{{[2]}}_{{{w3}}}) {TANH}")


def test_one_transposed_weight_is_named() -> None:
    result = checker(TANH_SPEC).check(None, sum_with("1,2", "3,1"))
    assert result.diagnosis == ("the indices of w^{[2]}_{1,2} are transposed: w^{[2]}_{2,1} "
                                "belongs there",)
    assert result.codes == ("TRANSPOSED_INDICES",)
    assert checker(TANH_SPEC).check(None, sum_with("2,1", "3,1")).verdict == "correct"


def test_a_row_for_a_column_names_every_weight() -> None:
    result = checker(TANH_SPEC).check(None, sum_with("1,2", "1,3"))
    assert result.diagnosis == ("the indices of w^{[2]}_{1,2} and w^{[2]}_{1,3} are transposed: "
                                "w^{[2]}_{2,1} and w^{[2]}_{3,1} belong there",)
    assert result.codes == ("TRANSPOSED_INDICES",)


def test_another_weight_is_not_called_transposed() -> None:
    # w^{[2]}_{2,2} for w^{[2]}_{2,1}: a wrong index, not the two swapped
    result = checker(TANH_SPEC).check(None, sum_with("2,2", "3,1"))
    assert result.diagnosis == ("replacing w^{[2]}_{2,2} by w^{[2]}_{2,1} makes it correct",)
    # both wrong, one transposed and one not: no single fix, no transposition claimed
    result = checker(TANH_SPEC).check(None, sum_with("1,2", "3,2"))
    assert result.verdict == "incorrect" and "TRANSPOSED_INDICES" not in result.codes


def test_names_without_indices_are_replaced_not_transposed() -> None:
    # Mazur's w7 feeds o2 from h1 and w6 feeds o1 from h2: w6 for w7 is a replacement
    result = checker(MAZUR).check("w1", "((out_o1 - target_o1)*out_o1*(1 - out_o1)*w5 + "
                                  "(out_o2 - target_o2)*out_o2*(1 - out_o2)*w6)"
                                  "*out_h1*(1 - out_h1)*i1")
    assert result.diagnosis == ("replacing w6 by w7 makes it correct",)


def test_the_transposes_of_a_layer() -> None:
    net = checker(TANH_SPEC).net
    t = {str(a): str(b) for a, b in transposed_weights(net).items()}
    # w^{[2]} is 3×4: w_{j,4} has no transpose, w_{j,j} is its own
    assert t["w_2_1_2"] == "w_2_2_1" and t["w_2_3_1"] == "w_2_1_3"
    assert "w_2_1_4" not in t and "w_2_1_1" not in t and "w_1_4_1" not in t
    assert all(t[b] == a for a, b in t.items())


@pytest.mark.parametrize(("written", "meant", "expected"), [
    ("w^{[2]}_{1,2}", "w^{[2]}_{2,1}", True), ("w6", "w7", False), ("w12", "w21", True),
    ("w^{[2]}_{1,2}", "w^{[2]}_{1,3}", False), ("ab", "abc", False)])
def test_reads_transposed(written: str, meant: str, expected: bool) -> None:
    assert reads_transposed(written, meant) is expected


def test_two_factors_missing_together_are_named() -> None:
    # the sum over the output paths, without tanh′ and x_1
    formula = sum_with("2,1", "3,1").removesuffix(" " + TANH)
    result = checker(TANH_SPEC).check(None, formula)
    assert result.diagnosis == ("it misses the factors x1 and 1 − (a^{[1]}_1)²",)
    assert result.codes == ("MISSING_FACTOR",)
    # one of them missing is named alone (x1 = 1 at the example: it is ∂L/∂b^{[1]}_1)
    result = checker(TANH_SPEC).check(None, sum_with("2,1", "3,1").removesuffix(" x_1"))
    assert "it misses the factor x1" in result.diagnosis
    assert not any("factors" in d for d in result.diagnosis)
