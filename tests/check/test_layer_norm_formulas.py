"""check on the bundled layer-normalisation network (specs/layernorm.yaml: 2 inputs, 3 tanh
units a^{[1]}, a layer_norm layer y = a^{[2]} with gains γ_k, a softmax of 2): the gradient by
a unit below the layer in the form of Ba, Kiros and Hinton (2016, §2), with
∂L/∂x̂_k = γ_k ∂L/∂y_k and the sums of Ioffe and Szegedy's batch-norm rule (2015, §3) taken
over the H = 3 units, is CORRECT, σ² written as the layer's variance; the mistakes of that
rule (μ and σ² held constant, the variance over H − 1, the statistics of each unit on its
own) are INCORRECT with their codes; no one-digit mutant of a correct form is CORRECT."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkers import checker, named_mistake, verdict_of
from index_mutants import digit_mutants

from symbackprop.errors import FormulaError

SPEC = "layernorm.yaml"
ROOT = r"\sqrt{\sigma^2 + 10^{-5}}"
A1 = r"\frac{\partial L}{\partial a^{[1]}_{1}} = "
A2 = r"\frac{\partial L}{\partial a^{[1]}_{2}} = "


def g(k: str) -> str:
    """∂L/∂x̂_k = γ_k ∂L/∂y_k, with ∂L/∂y_k the δ of the layer_norm unit."""
    return rf"\gamma_{{{k}}} \delta^{{[2]}}_{{{k}}}"


def xhat(k: str, root: str = ROOT) -> str:
    return rf"\frac{{a^{{[1]}}_{{{k}}} - \mu}}{{{root}}}"


def rule(j: str, *, mean: str = r"\frac{1}{3}", spread: str = r"\frac{1}{3}",
         root: str = ROOT) -> str:
    """1/√(σ² + ε) (g_j − (1/H) Σ_k g_k − x̂_j (1/H) Σ_k g_k x̂_k), each part replaceable."""
    return (rf"\frac{{1}}{{{root}}} \left({g(j)} - {mean} \sum_{{k=1}}^{{3}} {g('k')} - "
            rf"{xhat(j, root)} {spread} \sum_{{k=1}}^{{3}} {g('k')} {xhat('k', root)}\right)")


CORRECT = [
    A1 + rule("1"),
    # the same with 1/H taken out, as Ioffe and Szegedy's rule is often printed
    A2 + rf"\frac{{1}}{{3 {ROOT}}} \left(3 {g('2')} - \sum_{{k=1}}^{{3}} {g('k')} - "
    rf"{xhat('2')} \sum_{{k=1}}^{{3}} {g('k')} {xhat('k')}\right)",
    r"\delta^{[1]}_{1} = " + rule("1") + r" \left(1 - \left(a^{[1]}_{1}\right)^{2}\right)",
    # the variance written out instead of σ²
    A1 + rule("1", root=r"\sqrt{\frac{1}{3}\sum_{i=1}^{3} (a^{[1]}_{i} - \mu)^2 + 10^{-5}}"),
    A1 + rule("1", root=r"\sqrt{\sigma_{}^{2} + 10^{-5}}"),
]
STATISTICS_CONSTANT = [
    A1 + rf"\frac{{{g('1')}}}{{{ROOT}}}",
    A1 + rf"\frac{{1}}{{{ROOT}}} \left({g('1')} - {xhat('1')} \frac{{1}}{{3}} "
    rf"\sum_{{k=1}}^{{3}} {g('k')} {xhat('k')}\right)",
    A1 + rf"\frac{{1}}{{{ROOT}}} \left({g('1')} - \frac{{1}}{{3}} \sum_{{k=1}}^{{3}} {g('k')}"
    r"\right)",
    r"\delta^{[1]}_{1} = " + rf"\frac{{{g('1')}}}{{{ROOT}}}"
    r" \left(1 - \left(a^{[1]}_{1}\right)^{2}\right)",
]
UNBIASED = r"\sqrt{\frac{1}{2}\sum_{i=1}^{3} (a^{[1]}_{i} - \mu)^2 + 10^{-5}}"
UNBIASED_VARIANCE = [
    A1 + rule("1", spread=r"\frac{1}{2}"),
    A1 + rule("1", spread=r"\frac{1}{2}", root=UNBIASED),
]
# batch normalisation's axis: each unit normalised by its own statistics, so each sum over
# the units is the unit's own term
WRONG_AXIS = [
    A1 + rf"\frac{{1}}{{{ROOT}}} \left({g('1')} - {g('1')} - {xhat('1')} {g('1')} "
    rf"{xhat('1')}\right)",
]


@pytest.mark.parametrize("formula", CORRECT,
                         ids=["ba", "ioffe", "delta", "variance", "empty-subscript"])
def test_the_published_rule_is_correct(formula: str) -> None:
    r = checker(SPEC).check(None, formula)
    assert r.verdict == "correct", r.diagnosis


def test_the_gain_outside_the_bracket_is_incorrect_when_the_gains_differ() -> None:
    """γ_j (∂L/∂y_j − (1/H) Σ_k ∂L/∂y_k − …)/√(σ² + ε) holds for one gain shared by all
    units; the spec's gains are 1, 0.8 and 1.2, so it is wrong there."""
    d = r"\delta^{[2]}_{k}"
    formula = A1 + (rf"\frac{{\gamma_{{1}}}}{{{ROOT}}} \left(\delta^{{[2]}}_{{1}} - \frac{{1}}{{3}}"
                    rf" \sum_{{k=1}}^{{3}} {d} - {xhat('1')} \frac{{1}}{{3}} \sum_{{k=1}}^{{3}} "
                    rf"{d} {xhat('k')}\right)")
    assert verdict_of(SPEC, formula) == "incorrect"


@pytest.mark.parametrize("formula", STATISTICS_CONSTANT, ids=["both", "mu", "variance", "delta"])
def test_statistics_held_constant_are_named(formula: str) -> None:
    named_mistake(SPEC, formula, "NORM_STATISTICS_CONSTANT")


@pytest.mark.parametrize("formula", UNBIASED_VARIANCE, ids=["derivative", "variance"])
def test_the_unbiased_variance_is_named(formula: str) -> None:
    named_mistake(SPEC, formula, "NORM_UNBIASED_VARIANCE")


@pytest.mark.parametrize("formula", WRONG_AXIS)
def test_statistics_over_the_wrong_axis_are_named(formula: str) -> None:
    named_mistake(SPEC, formula, "NORM_WRONG_AXIS")


def test_another_wrong_mean_is_not_named_a_normalisation_mistake() -> None:
    r = checker(SPEC).check(None, A1 + rule("1", mean=r"\frac{1}{2}"))
    assert r.verdict == "incorrect"
    assert not {"NORM_STATISTICS_CONSTANT", "NORM_UNBIASED_VARIANCE",
                "NORM_WRONG_AXIS"} & set(r.codes)


def test_no_mutant_of_a_correct_form_is_correct() -> None:
    found = digit_mutants(CORRECT[0])
    assert len(found) >= 20
    survivors = [m for m in found if verdict_of(SPEC, m) == "correct"]
    assert not survivors, survivors


def test_sigma_squared_is_refused_where_the_network_also_has_a_sigmoid(tmp_path: Path
                                                                       ) -> None:
    """With a sigmoid layer and a layer_norm layer, σ² could be the variance or the sigmoid
    squared: check refuses to guess, naming both."""
    spec = tmp_path / "both.yaml"
    spec.write_text("inputs: {size: 2}\nlayers:\n  - {units: 3, activation: sigmoid}\n"
                    "  - {kind: layer_norm}\n  - {units: 2, activation: softmax}\n"
                    "loss: cross_entropy\n", encoding="utf-8")
    with pytest.raises(FormulaError, match="variance σ² of the layer_norm layer or the "
                       "sigmoid σ squared"):
        checker(spec).check(None, A1 + rule("1"))
