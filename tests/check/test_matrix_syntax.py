"""The matrix-form reader: every spelling of the same step gives the same tree, and what it
cannot read (or what is too large) is a clear FormulaError."""

from __future__ import annotations

import pytest

from symbackprop.check.reading.matrix_parser import MAX_MATRIX_TOKENS, parse_matrix
from symbackprop.check.reading.matrix_syntax import (
    LayerRef,
    MCall,
    MExampleSum,
    MGrad,
    MHadamard,
    MName,
    MProduct,
    MSpace,
    MTranspose,
    written,
)
from symbackprop.errors import FormulaError

BP2 = r"\delta^{l} = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^{l})"


@pytest.mark.parametrize("text", [
    BP2,
    r"\delta^l = \left((w^{l+1})^{\top} \delta^{l+1}\right) \circ \sigma^{\prime}(z^l)",
    "δ^l = ((w^{l+1})ᵀ · δ^{l+1}) ⊙ σ'(z^l)",
    r"\delta^{l} = ((w^{l+1})^\intercal \cdot \delta^{l+1}) \odot \sigma'(z^{l})",
])
def test_every_spelling_of_bp2_reads_the_same(text: str) -> None:
    side = parse_matrix(text).sides[1]
    assert written(side) == "(w^{l+1})^T δ^{l+1} ⊙ σ'(z^{l})"
    assert isinstance(side, MHadamard)
    product, call = side.args
    assert isinstance(product, MProduct) and isinstance(product.args[0], MTranspose)
    assert isinstance(call, MCall) and call.func == "sigma" and call.primes == 1


def test_layer_scripts_in_every_bracket_style() -> None:
    names = [parse_matrix(f"{t} = x").sides[0] for t in
             ("z^{[2]}", "z^{(2)}", "z^2", "z^[2]", "z^(2)", "z^{l-1}", "z^L")]
    assert all(isinstance(n, MName) for n in names)
    assert [n.layer for n in names if isinstance(n, MName)] == \
        [LayerRef(None, 2)] * 5 + [LayerRef("l", -1), LayerRef("L", 0)]


def test_derives_text_reads_with_gradients_ones_and_shapes() -> None:
    step = parse_matrix("∂J/∂b^[1] = (1/m)·Δ^[1]·1")
    assert isinstance(step.sides[0], MGrad) and step.sides[0].of == "J"
    assert written(step.sides[1]) == "1/m Δ^{[1]} 1"
    shape = parse_matrix("W^[1] ∈ R^(3×2)")
    assert shape.relations == ("in",) and shape.sides[1] == MSpace("3", "2")
    latex = parse_matrix(r"X \in \mathbb{R}^{2 \times m}")
    assert latex.sides[1] == MSpace("2", "m")


def test_nabla_a_fraction_of_partials_and_a_sum_over_examples() -> None:
    grad = parse_matrix(r"\delta^L = \nabla_{a^{L}} C").sides[1]
    assert isinstance(grad, MGrad) and grad.of == "C" and grad.wrt.layer == LayerRef("L", 0)
    frac = parse_matrix(r"\frac{\partial C}{\partial w^l} = d").sides[0]
    assert isinstance(frac, MGrad) and frac.wrt.head == "w"
    total = parse_matrix(r"g = \sum_{i=1}^{m} \Delta^{[2]}_i").sides[1]
    assert isinstance(total, MExampleSum) and isinstance(total.body, MName)
    assert total.body.example == "i"


@pytest.mark.parametrize(("text", "words"), [
    ("z^{[1]}", "an equation"),
    (r"z^{[1]} = W^{[1]} x +", "a side of the step is missing"),
    (r"z^{[1]} = W^{[1]} x ?", "cannot be read"),
    (r"z^{q} = x", "not a layer"),
    (r"\delta' = x", "read as a function, but no argument follows"),
    ("z^{[1]} = " + "(" * 50 + "x" + ")" * 50, "nest"),
    ("z = " + " + ".join(["x"] * MAX_MATRIX_TOKENS), "at most"),
])
def test_what_cannot_be_read_says_why(text: str, words: str) -> None:
    with pytest.raises(FormulaError, match=words):
        parse_matrix(text)
