"""Formulas whose left side declares free indices (w^{[1]}_{f,c,m,n}, w^{[2]}_{j,k}, M_n):
checked for every instance of the family, with index arithmetic in the subscripts of sums;
a name outside its family is an error unless a convolution's padding makes it zero; every
mutation of one index, sign, bound or offset of a correct formula is not CORRECT."""

from __future__ import annotations

import re
from pathlib import Path

import index_mutants
import pytest
from checkers import checker, verdict_of

from symbackprop.check.meaning.free_indices import declared_items
from symbackprop.errors import FormulaError

# the conv-pool network of the bundled specs without its pooling layer: 1×4×4 input, conv2d
# with 2 filters 2×2, stride 1, padding 0, ReLU, one sigmoid output, binary cross-entropy
CONV = """\
title: "A 1×4×4 input through a conv2d layer of two 2×2 filters and ReLU into a sigmoid unit"
inputs: {shape: [1, 4, 4]}
layers:
  - {kind: conv2d, filters: 2, kernel: 2, stride: 1, padding: 0, activation: relu}
  - {units: 1, activation: sigmoid}
loss: binary_cross_entropy
"""
PADDED = """\
title: "A 1×3×3 input through a conv2d layer with padding 1 into a sigmoid unit"
inputs: {shape: [1, 3, 3]}
layers:
  - {kind: conv2d, filters: 1, kernel: 2, stride: 1, padding: 1, activation: tanh}
  - {units: 1, activation: sigmoid}
loss: binary_cross_entropy
"""
STRIDED = """\
title: "A 1×4×4 input through a conv2d layer with stride 2 into a sigmoid unit"
inputs: {shape: [1, 4, 4]}
layers:
  - {kind: conv2d, filters: 1, kernel: 2, stride: 2, padding: 0, activation: tanh}
  - {units: 1, activation: sigmoid}
loss: binary_cross_entropy
"""
UNITS = """\
title: "Two sigmoid units named one by one, M1 and M2, into one output"
inputs: [x1, x2]
layers:
  - {name: hidden, units: [M1, M2], activation: sigmoid}
  - {name: output, units: [o], activation: sigmoid}
loss: {kind: squared_error, factor: 1/2, reduction: sum}
"""
W = r"\frac{\partial L}{\partial w^{[1]}_{f,c,m,n}} = "
KERNEL = W + r"\sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j} x_{c,i+m-1,j+n-1}"
BIAS = (r"\frac{\partial L}{\partial b^{[1]}_{f}} = "
        r"\sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j}")
DENSE = r"\frac{\partial E}{\partial w^{[2]}_{j,k}} = \delta^{[2]}_j a^{[1]}_k"
M_N = r"\frac{\partial E}{\partial M_n} = (a^{[2]}_1 - y_1) a^{[2]}_1 (1 - a^{[2]}_1) w^{[2]}_{1,n}"


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("specs")
    out = {}
    for name, text in (("conv", CONV), ("padded", PADDED), ("strided", STRIDED),
                       ("units", UNITS)):
        out[name] = folder / f"{name}.yaml"
        out[name].write_text(text, encoding="utf-8")
    return out


def test_the_left_side_declares_its_letters() -> None:
    assert declared_items(r"w^{[1]}_{f,c,m,n}") == ["f", "c", "m", "n"]
    assert declared_items("M_n") == ["n"]
    assert declared_items(r"\delta^{[l]}_{j}") == ["l", "j"]


def test_the_shared_kernel_weight_and_bias_sums_are_correct(specs: dict[str, Path]) -> None:
    c = checker(specs["conv"])
    weight = c.check(None, KERNEL)
    assert weight.verdict == "correct", weight.diagnosis
    assert weight.steps[-1].instances == "8 of 8 instances hold"  # f ∈ 1..2, m, n ∈ 1..2
    bias = c.check(None, BIAS)
    assert bias.verdict == "correct", bias.diagnosis
    assert bias.steps[-1].instances == "2 of 2 instances hold"


def test_a_flipped_kernel_is_named(specs: dict[str, Path]) -> None:
    r = checker(specs["conv"]).check(
        None, W + r"\sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j} x_{c,i-m+2,j-n+2}")
    assert r.verdict == "incorrect"
    assert r.diagnosis[0].startswith("fails for f = 1, c = 1, m = 1, n = 1")
    assert "KERNEL_FLIPPED" in r.codes
    assert r.counterexample is not None


def test_one_position_of_a_shared_weight_is_named(specs: dict[str, Path]) -> None:
    r = checker(specs["conv"]).check(None, W + r"\delta^{[1]}_{f,1,1} x_{c,m,n}")
    assert r.verdict == "incorrect"
    assert "SHARED_WEIGHT_NOT_SUMMED" in r.codes
    assert any("one of the 9 positions" in d for d in r.diagnosis)


def test_a_formula_right_for_one_filter_only_names_the_first_failing_instance(
        specs: dict[str, Path]) -> None:
    r = checker(specs["conv"]).check(
        None, W + r"\sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{1,i,j} x_{c,i+m-1,j+n-1}")
    assert r.verdict == "incorrect"
    assert r.diagnosis[0].startswith("fails for f = 2, c = 1, m = 1, n = 1")
    assert r.steps[-1].instances == "4 of 8 instances hold"


def test_the_bundled_conv_spec(specs: dict[str, Path]) -> None:
    c = checker("conv2d-3x3.yaml")
    r = c.check(None, W + r"\sum_{i=1}^{2}\sum_{j=1}^{2} \delta^{[1]}_{f,i,j} x_{c,i+m-1,j+n-1}")
    assert r.verdict == "correct", r.diagnosis
    assert r.steps[-1].instances == "4 of 4 instances hold"


def test_a_term_outside_its_family_is_an_error(specs: dict[str, Path]) -> None:
    c = checker(specs["conv"])
    with pytest.raises(FormulaError, match=re.escape(
            r"\delta^{[1]}_{1,4,1} is outside its family for f=1, c=1, m=1, n=1 (i=4, j=1)")):
        c.check(None, W + r"\sum_{i=1}^{4}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j} x_{c,i+m-1,j+n-1}")
    with pytest.raises(FormulaError, match="negative index"):
        c.check(None, W + r"\sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j} x_{c,i+m-3,j+n-1}")
    with pytest.raises(FormulaError, match=r"`q` in .* is no index"):
        c.check(None, W + r"\sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j} x_{c,i+q-1,j+n-1}")
    with pytest.raises(FormulaError, match="the range of the free index k cannot be determined"):
        c.check(None, W + r"\sum_{i=1}^{3}\sum_{j=1}^{3} \delta^{[1]}_{f,i,j} x_{c,i+k-1,j+n-1}")


def test_the_padding_of_a_convolution_reads_as_zero(specs: dict[str, Path]) -> None:
    c = checker(specs["padded"])
    # s = 1, p = 1: the source index is s(i − 1) + m − p = i + m − 2, from 0 to 4
    r = c.check(None, W + r"\sum_{i=1}^{4}\sum_{j=1}^{4} \delta^{[1]}_{f,i,j} x_{c,i+m-2,j+n-2}")
    assert r.verdict == "correct", r.diagnosis
    assert any("padding" in n for n in r.steps[-1].notes)
    # without the padding in the index map the source index reaches 5, beyond the padding
    with pytest.raises(FormulaError, match="outside its family"):
        c.check(None, W + r"\sum_{i=1}^{4}\sum_{j=1}^{4} \delta^{[1]}_{f,i,j} x_{c,i+m-1,j+n-1}")


def test_the_stride_in_the_index_map(specs: dict[str, Path]) -> None:
    c = checker(specs["strided"])
    # s = 2, p = 0: the source index is s(i − 1) + m − p = 2(i − 1) + m
    r = c.check(None, W + r"\sum_{i=1}^{2}\sum_{j=1}^{2} "
                r"\delta^{[1]}_{f,i,j} x_{c,2(i-1)+m,2(j-1)+n}")
    assert r.verdict == "correct", r.diagnosis
    stride_left_out = c.check(
        None, W + r"\sum_{i=1}^{2}\sum_{j=1}^{2} \delta^{[1]}_{f,i,j} x_{c,i+m-1,j+n-1}")
    assert stride_left_out.verdict == "incorrect"
    assert "STRIDE_MISSING" in stride_left_out.codes


def test_a_dense_weight_family_is_checked_for_every_j_and_k() -> None:
    c = checker("tanh-softmax-3-4-3.yaml")
    r = c.check(None, DENSE)
    assert r.verdict == "correct", r.diagnosis
    assert r.steps[-1].instances == "12 of 12 instances hold"


def test_units_named_one_by_one_are_a_family(specs: dict[str, Path]) -> None:
    c = checker(specs["units"])
    r = c.check(None, M_N)
    assert r.verdict == "correct", r.diagnosis
    assert r.steps[-1].instances == "2 of 2 instances hold"
    wrong = c.check(None, M_N.replace("w^{[2]}_{1,n}", "w^{[2]}_{1,1}"))
    assert wrong.verdict == "incorrect"
    assert wrong.diagnosis[0].startswith("fails for n = 2")


# -- mutations: one index, sign, bound or offset changed --------------------------------
LETTERS = "fcmnijk"


def mutants(formula: str) -> list[str]:
    return index_mutants.mutants(formula, LETTERS)


def test_mutants_change_one_thing() -> None:
    found = mutants(BIAS)
    assert any(r"\sum_{i=2}^{3}" in f for f in found)
    assert any(r"\delta^{[2]}_k a^{[1]}_k" in f for f in mutants(DENSE))
    assert any(r"\delta^{[1]}_{c,i,j}" in f for f in found)
    assert all(f != BIAS for f in found)


@pytest.mark.parametrize(("spec", "formula"), [
    ("conv", KERNEL), ("conv", BIAS), ("tanh-softmax-3-4-3.yaml", DENSE), ("units", M_N)])
def test_no_mutant_of_a_correct_free_index_formula_is_correct(
        specs: dict[str, Path], spec: str, formula: str) -> None:
    where: str | Path = specs.get(spec, spec)
    assert verdict_of(where, formula) == "correct"
    found = mutants(formula)
    assert len(found) >= 4
    survivors = [m for m in found if verdict_of(where, m) == "correct"]
    assert not survivors


def test_a_family_too_large_to_check_whole_is_an_error(
        specs: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from symbackprop.check.judging import claims

    monkeypatch.setattr(claims, "MAX_INSTANCES", 4)
    with pytest.raises(FormulaError, match="names 8 quantities"):
        checker(specs["conv"]).check(None, KERNEL + " + 0")


ONE_INPUT = """\
title: "A 1-3-1 sigmoid network: one input, so w^{[1]}_{j,k} has k = 1 only"
inputs: {size: 1}
layers:
  - {name: hidden, size: 3, activation: sigmoid}
  - {name: output, size: 1, activation: sigmoid}
loss: squared_error
"""
SKIPPED = [  # (right, wrong) with i, j, k, l: the transposed form exists only where j = k
    (r"\frac{\partial L}{\partial w^{[1]}_{j,k}} = \delta^{[1]}_j x_k",
     r"\frac{\partial L}{\partial w^{[1]}_{j,k}} = \delta^{[1]}_k x_j"),
    (r"\frac{\partial L}{\partial w^{[2]}_{j,k}} = \delta^{[2]}_j a^{[1]}_k",
     r"\frac{\partial L}{\partial w^{[2]}_{j,k}} = \delta^{[2]}_k a^{[1]}_j"),
    (r"\frac{\partial L}{\partial w^{[l]}_{j,k}} = \delta^{[l]}_j a^{[l-1]}_k",
     r"\frac{\partial L}{\partial w^{[l]}_{j,k}} = \delta^{[l]}_k a^{[l-1]}_j"),
    (r"\Delta w^{[1]}_{j,k} = -\eta \delta^{[1]}_j x_k",
     r"\Delta w^{[1]}_{j,k} = -\eta \delta^{[1]}_k x_j"),
    (r"w^{[2]}_{j,k} \leftarrow w^{[2]}_{j,k} - \eta \delta^{[2]}_j a^{[1]}_k",
     r"w^{[2]}_{j,k} \leftarrow w^{[2]}_{j,k} - \eta \delta^{[2]}_k a^{[1]}_j"),
]


@pytest.mark.parametrize(("right", "wrong"), SKIPPED)
def test_an_instance_left_unchecked_never_leaves_a_formula_correct(tmp_path: Path, right: str,
                                                                   wrong: str) -> None:
    """The transposed formula holds at the one instance where its right side exists (j = k
    = 1) and names nothing at the others: it is not CORRECT, and says what was not checked;
    the true formula exists at every instance and is."""
    spec = tmp_path / "one-input.yaml"
    spec.write_text(ONE_INPUT, encoding="utf-8")
    c = checker(spec)
    good = c.check(None, right)
    assert good.verdict == "correct", good.diagnosis
    bad = c.check(None, wrong)
    assert bad.verdict == "undecided", (wrong, bad.verdict, bad.diagnosis)
    assert "UNCHECKED" in bad.steps[0].codes
    assert "instances of the left side are not checked" in bad.diagnosis[0]


def test_a_layer_left_out_whole_is_still_a_boundary() -> None:
    """BP2 written for the hidden layers has no instance at the output layer: CORRECT."""
    from paths import DATA

    found = checker(DATA / "derivations" / "nielsen-2-3-3-2.yaml").check(
        None, r"\delta^l_j = \sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)")
    assert found.verdict == "correct", found.diagnosis
