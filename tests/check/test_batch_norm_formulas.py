"""check on the bundled batch normalisation network (specs/batchnorm.yaml: m = 3 examples,
x_i = w u_i + b, y_i = γ x̂_i + β, ε = 1/100000, squared error against t_i): Ioffe and
Szegedy's results, written with the symbolic m and sums over the batch, are CORRECT; the
three common mistakes are INCORRECT with their codes and a counterexample; no one-change
mutant (a digit, the sign, an index letter, m for m − 1) of a correct formula is CORRECT."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from checkers import checker, in_printed_rule, named_mistake, verdict_of
from index_mutants import digit_mutants
from paths import SPECS

from symbackprop.network.kinds.batch_norm import batch_norm_rules
from symbackprop.spec.load import load_spec

SPEC = SPECS / "batchnorm.yaml"
DX = r"\frac{\partial L}{\partial x_i} = "
DY = r"\frac{\partial L}{\partial y_{LETTER}}"
SCALE = r"\frac{\gamma}{\sqrt{\sigma_B^2 + \epsilon}}"


def dy(letter: str) -> str:
    return DY.replace("LETTER", letter)


CORRECT = [
    DX + r"\frac{\gamma}{m\sqrt{\sigma_B^2 + \epsilon}} \left( m \frac{\partial L}{\partial y_i}"
    r" - \sum_{j=1}^{m} \frac{\partial L}{\partial y_j} - \hat{x}_i \sum_{j=1}^{m} "
    r"\frac{\partial L}{\partial y_j} \hat{x}_j \right)",
    r"\frac{\partial L}{\partial \gamma} = \sum_{i=1}^{m} \frac{\partial L}{\partial y_i} "
    r"\hat{x}_i",
    r"\frac{\partial L}{\partial \beta} = \sum_{i=1}^{m} \frac{\partial L}{\partial y_i}",
]
CONSTANT_STATISTICS = DX + SCALE + r" \frac{\partial L}{\partial y_i}"
UNBIASED = [
    DX + SCALE + rf" \left( {dy('i')} - \frac{{1}}{{m}} \sum_{{j=1}}^{{m}} {dy('j')} - "
    rf"\frac{{\hat{{x}}_i}}{{m - 1}} \sum_{{j=1}}^{{m}} {dy('j')} \hat{{x}}_j \right)",
    DX + SCALE + rf" \left( {dy('i')} - \frac{{1}}{{m - 1}} \sum_{{j=1}}^{{m}} {dy('j')} - "
    rf"\frac{{\hat{{x}}_i}}{{m - 1}} \sum_{{j=1}}^{{m}} {dy('j')} \hat{{x}}_j \right)",
]
# one unit per example: a layer norm's sums over the units of example i have one term each
ONE_AXIS = DX + SCALE + rf" \left( {dy('i')} - {dy('i')} - \hat{{x}}_i {dy('i')} " \
    r"\hat{x}_i \right)"


@pytest.mark.parametrize("formula", CORRECT, ids=["x", "gamma", "beta"])
def test_ioffe_and_szegedy_results_are_correct(formula: str) -> None:
    r = checker(SPEC).check(None, formula)
    assert r.verdict == "correct", r.diagnosis


def test_the_statistics_held_constant_are_named() -> None:
    named_mistake(SPEC, CONSTANT_STATISTICS, "BATCH_NORM_STATISTICS_CONSTANT")


@pytest.mark.parametrize("formula", UNBIASED, ids=["variance-term", "both-sums"])
def test_one_over_m_minus_one_is_named(formula: str) -> None:
    named_mistake(SPEC, formula, "BATCH_NORM_UNBIASED_VARIANCE")


def test_sums_over_the_units_of_one_example_are_named() -> None:
    named_mistake(SPEC, ONE_AXIS, "BATCH_NORM_WRONG_AXIS")


def test_another_wrong_answer_is_not_named_a_batch_norm_mistake() -> None:
    r = checker(SPEC).check(None, DX + r"2 " + SCALE + r" \frac{\partial L}{\partial y_i}")
    assert r.verdict == "incorrect"
    assert not {c for c in r.codes if c.startswith("BATCH_NORM")}, r.codes


TWO_UNITS = """inputs: {size: 2, batch: 3}
notation: {input: 'u^{({example})}_{{index}}'}
layers:
  - name: linear
    units: 2
    activation: tanh
    notation: {net: 'z_{{example},{index}}', activation: 'x_{{example},{index}}'}
  - name: norm
    kind: batch_norm
    epsilon: 1/10
    notation: {net: 'y_{{example},{index}}', activation: 'y_{{example},{index}}',
               delta: '\\delta_{y_{{example},{index}}}', target: 't_{{example},{index}}'}
loss: squared_error
"""


def test_a_layer_norm_answer_over_two_units_is_named(tmp_path: Path) -> None:
    """Two units per example: the layer norm's sums over k = 1, 2 of example i, with the
    batch's σ_{B,j}², where batch normalisation sums over the examples."""
    path = tmp_path / "net.yaml"
    path.write_text(TWO_UNITS, encoding="utf-8")
    head = r"\frac{\partial L}{\partial x_{i,j}} = "
    scale = r"\frac{\gamma_j}{2\sqrt{\sigma_{B,j}^2 + \epsilon}}"
    right = r"\frac{\gamma_j}{m\sqrt{\sigma_{B,j}^2 + \epsilon}} \left( m " \
        r"\frac{\partial L}{\partial y_{i,j}} - \sum_{k=1}^{m} " \
        r"\frac{\partial L}{\partial y_{k,j}} - \hat{x}_{i,j} \sum_{k=1}^{m} " \
        r"\frac{\partial L}{\partial y_{k,j}} \hat{x}_{k,j} \right)"
    assert checker(path).check(None, head + right).verdict == "correct"
    layer = head + scale + r" \left( 2 \frac{\partial L}{\partial y_{i,j}} - \sum_{k=1}^{2} " \
        r"\frac{\partial L}{\partial y_{i,k}} - \hat{x}_{i,j} \sum_{k=1}^{2} " \
        r"\frac{\partial L}{\partial y_{i,k}} \hat{x}_{i,k} \right)"
    named_mistake(path, layer, "BATCH_NORM_WRONG_AXIS")


def _mutants(formula: str) -> list[str]:
    """A digit changed by ±1 or the right side negated; one index letter i or j swapped for
    the other; one m written m − 1."""
    head, _, right = formula.partition(" = ")
    out = digit_mutants(formula)
    for found in re.finditer(r"_\{?([ij])\b", right):
        k = found.start(1)
        out.append(f"{head} = {right[:k]}{'j' if right[k] == 'i' else 'i'}{right[k + 1:]}")
    for found in re.finditer(r"(?<![A-Za-z\\])m(?![A-Za-z])", right):
        k = found.start()
        out.append(f"{head} = {right[:k]}(m - 1){right[k + 1:]}")
    return out


@pytest.mark.parametrize("formula", CORRECT, ids=["x", "gamma", "beta"])
def test_no_mutant_of_a_correct_formula_is_correct(formula: str) -> None:
    found = _mutants(formula)
    assert len(found) >= 4
    survivors = [m for m in found if verdict_of(SPEC, m) == "correct"]
    assert not survivors, survivors


@pytest.mark.parametrize("units", [1, 2], ids=["one-unit", "two-units"])
def test_the_printed_results_are_correct(units: int, tmp_path: Path) -> None:
    """What derive and the notes print for a batch_norm layer (batch_norm_rules), its
    formulas read back by check: CORRECT on the bundled spec and over two units."""
    if units == 1:
        spec: Path = SPEC
    else:
        spec = tmp_path / "net.yaml"
        spec.write_text(TWO_UNITS, encoding="utf-8")
    rules = batch_norm_rules(load_spec(spec))
    assert len(rules) == 3
    for rule in rules:
        r = checker(spec).check(None, rule.text)
        assert r.verdict == "correct", (rule.text, r.diagnosis)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_printed_derivation_reads_back_as_correct(fmt: str) -> None:
    """derive's δ form of the batch norm network, sqrt(σ_B² + ε) and the staged δ of μ_B,
    σ_B² and x̂_i included, is judged correct line by line (its results with their m and ε
    as data are left unread in markdown)."""
    from click.testing import CliRunner

    from symbackprop.cli.app import main

    printed = CliRunner().invoke(main, ["derive", str(SPEC), "--form", "delta", "--format",
                                        fmt]).stdout
    result = checker(SPEC).check_derivation(printed)
    wrong = [(s.line, s.verdict, s.text[:80], s.diagnosis) for s in result.steps
             if s.verdict not in ("correct", "definition", "unchecked")
             and not (s.verdict == "unread" and in_printed_rule(s.text))]
    assert not wrong, wrong
    assert result.verdict == "correct"
    assert sum(1 for s in result.steps if s.verdict == "correct") >= 10
