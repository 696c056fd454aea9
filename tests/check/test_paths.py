"""Paths of the chain rule's sum left out, kept alone, or the softmax Jacobian taken as
diagonal, on the 3-4-3 tanh/softmax network.

Every mutant is written here by hand from the maths: ∂L/∂w^{[1]}_{1,1} sums, over the three
output net inputs z^{[2]}_j, (a^{[2]}_j − y_j) w^{[2]}_{j,1}, times tanh′ = 1 − (a^{[1]}_1)²
and x_1; ∂L/∂z^{[2]}_1 = Σ_i ∂L/∂a^{[2]}_i ∂a^{[2]}_i/∂z^{[2]}_1 with ∂L/∂a_i = −y_i/a_i,
∂a_1/∂z_1 = a_1(1 − a_1) and ∂a_i/∂z_1 = −a_i a_1 (i ≠ 1). Each diagnosis is checked by the
fix it names: with it, the answer is correct.
"""

from __future__ import annotations

import pytest
from checkers import checker as shared_checker

from symbackprop.check import Checker


def checker(spec: str = "tanh-softmax-3-4-3.yaml") -> Checker:
    return shared_checker(spec)


H = r"\frac{\partial L}{\partial w^{[1]}_{1,1}} = "
TANH = r"(1 - (a^{[1]}_{1})^2) x_1"
TERM = {j: rf"(a^{{[2]}}_{{{j}}} - y_{{{j}}}) w^{{[2]}}_{{{j},1}}" for j in (1, 2, 3)}
RIGHT = H + f"({TERM[1]} + {TERM[2]} + {TERM[3]}) {TANH}"
Z1 = r"\frac{\partial L}{\partial z^{[2]}_{1}} = "
# Σ_i ∂L/∂a_i ∂a_i/∂z_1 written out: the diagonal term and the two others
DIAGONAL = r"-\frac{y_1}{a^{[2]}_{1}} a^{[2]}_{1} (1 - a^{[2]}_{1})"
OFF = (r" - \frac{y_2}{a^{[2]}_{2}} (-a^{[2]}_{2} a^{[2]}_{1})"
       r" - \frac{y_3}{a^{[2]}_{3}} (-a^{[2]}_{3} a^{[2]}_{1})")


def diagnosis(formula: str, spec: str = "tanh-softmax-3-4-3.yaml") -> tuple[str, list[str]]:
    result = checker(spec).check(None, formula)
    return result.verdict, list(result.diagnosis or [d for s in result.steps
                                                     for d in s.diagnosis])


def test_the_right_answers_are_correct_with_no_diagnosis() -> None:
    for formula in (RIGHT, Z1 + DIAGONAL + OFF, Z1 + r"a^{[2]}_{1} - y_{1}"):
        assert diagnosis(formula) == ("correct", []), formula


def test_two_output_paths_forgotten_are_named() -> None:
    verdict, found = diagnosis(H + f"{TERM[1]} {TANH}")
    assert verdict == "incorrect"
    assert found == ["it keeps only the paths through z^{[2]}_1: the paths through z^{[2]}_2 "
                     "and z^{[2]}_3 are missing"]
    assert checker().check(None, H + f"{TERM[1]} {TANH}").codes == ("MISSING_PATH",)
    _, found = diagnosis(H + f"{TERM[3]} {TANH}")
    assert found == ["it keeps only the paths through z^{[2]}_3: the paths through z^{[2]}_1 "
                     "and z^{[2]}_2 are missing"]


def test_one_output_path_forgotten_is_named() -> None:
    _, found = diagnosis(H + f"({TERM[1]} + {TERM[3]}) {TANH}")
    assert found == ["it misses the paths through z^{[2]}_2 (terms of the sum)"]


def test_a_path_mistake_is_not_claimed_for_another_mistake() -> None:
    # one term kept, with the wrong sign: no sum of paths is this
    result = checker().check(None, H + f"(-{TERM[1]}) {TANH} + 0.5 x_1")
    assert result.verdict == "incorrect" and "MISSING_PATH" not in result.codes
    # all three paths, tanh′ missing: the factor is named, not a path
    result = checker().check(None, H + f"({TERM[1]} + {TERM[2]} + {TERM[3]}) x_1")
    assert result.codes == ("MISSING_ACTIVATION_DERIVATIVE",), result.diagnosis
    assert result.diagnosis[0].startswith(
        "it misses the activation-derivative factor 1 − (a^{[1]}_1)² of a^{[1]}_1")


def test_a_diagonal_softmax_jacobian_is_named() -> None:
    verdict, found = diagnosis(Z1 + DIAGONAL)
    assert verdict == "incorrect"
    assert len(found) == 1 and found[0].startswith(
        "it takes the softmax Jacobian as diagonal: the terms with ∂a^{[2]}_2/∂z^{[2]}_1, "
        "∂a^{[2]}_3/∂z^{[2]}_1 are missing"), found
    assert checker().check(None, Z1 + DIAGONAL).codes == ("SOFTMAX_DIAGONAL",)


def test_a_diagonal_jacobian_in_a_weights_gradient_is_named() -> None:
    # ∂L/∂w^{[2]}_{1,2} = ∂L/∂z^{[2]}_1 a^{[1]}_2, and ∂L/∂w^{[1]}_{1,1} through all three
    w2 = r"\frac{\partial L}{\partial w^{[2]}_{1,2}} = "
    _, found = diagnosis(w2 + r"-y_1 (1 - a^{[2]}_{1}) a^{[1]}_2")
    assert len(found) == 1 and "softmax Jacobian as diagonal" in found[0], found
    assert diagnosis(w2 + r"(a^{[2]}_{1} - y_1) a^{[1]}_2") == ("correct", [])
    terms = " ".join(rf"- y_{j} (1 - a^{{[2]}}_{{{j}}}) w^{{[2]}}_{{{j},1}}" for j in (1, 2, 3))
    _, found = diagnosis(H + f"({terms}) {TANH}")
    assert len(found) == 1 and "softmax Jacobian as diagonal" in found[0], found


@pytest.mark.parametrize("formula", [
    Z1 + r"-\frac{y_1}{a^{[2]}_{1}}",  # the Jacobian left out altogether
    Z1 + r"-y_1 (1 - a^{[2]}_{2})",  # the wrong output's diagonal entry
    Z1 + DIAGONAL + OFF.replace("y_3", "y_2"),  # all terms, one target wrong
])
def test_a_diagonal_is_not_claimed_for_another_mistake(formula: str) -> None:
    verdict, found = diagnosis(formula)
    assert verdict == "incorrect"
    assert not any("softmax Jacobian as diagonal" in d for d in found), found


def test_the_named_fix_makes_each_answer_correct() -> None:
    # the paths named as missing, added back; the off-diagonal terms, added back
    assert diagnosis(H + f"({TERM[1]} + {TERM[2]} + {TERM[3]}) {TANH}")[0] == "correct"
    assert diagnosis(Z1 + DIAGONAL + OFF)[0] == "correct"


def test_paths_on_a_sigmoid_network_keep_their_words() -> None:
    # Mazur's w1: one path through each output; a single path named as before
    t = "(out_o1 - target_o1)*out_o1*(1 - out_o1)*w5*out_h1*(1 - out_h1)*i1"
    result = checker("seed-004-mazur-2-2-2.yaml").check("w1", t)
    assert result.diagnosis == ("it misses the path through out_o2 (a term of the sum)",)
