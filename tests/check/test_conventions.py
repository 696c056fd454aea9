"""`check` judges δ and update rules in the convention the spec declares.

With ``notation.delta_sign: negative`` (Mitchell's δ = −∂E/∂net, w ← w + η δ x) a correct
Mitchell-style derivation is correct and the positive-convention one is wrong; on a spec
that keeps δ = ∂E/∂net it is the other way round.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from paths import DATA, SPECS

from symbackprop.check import Checker, CheckResult
from symbackprop.errors import FormulaError
from symbackprop.network.build import build_network
from symbackprop.spec.load import NetworkSpec, load_spec

CONVENTIONS = DATA / "conventions"
MITCHELL = SPECS / "mitchell-2-2-2.yaml"
MAZUR = SPECS / "seed-004-mazur-2-2-2.yaml"


def _check(spec: NetworkSpec, name: str) -> CheckResult:
    text = (CONVENTIONS / name).read_text(encoding="utf-8")
    return Checker(build_network(spec)).check_derivation(text)


def _positive(spec: NetworkSpec) -> NetworkSpec:
    return replace(spec, notation=replace(spec.notation, delta_sign="positive"))


def _verdicts(result: CheckResult) -> dict[int, str]:
    return {s.line: s.verdict for s in result.steps}


@pytest.fixture(scope="module")
def mitchell() -> NetworkSpec:
    spec = load_spec(MITCHELL)
    assert spec.notation.delta_sign == "negative"
    return spec


def test_a_mitchell_derivation_is_correct_in_mitchells_convention(mitchell: NetworkSpec
                                                                  ) -> None:
    result = _check(mitchell, "mitchell-negative.tex")
    assert result.verdict == "correct"
    assert set(_verdicts(result).values()) == {"correct"}
    assert len(result.steps) == 6  # three δ, one gradient, two updates: every step judged


def test_the_positive_convention_is_wrong_in_mitchells(mitchell: NetworkSpec) -> None:
    result = _check(mitchell, "mitchell-positive.tex")
    assert result.verdict == "incorrect"
    assert result.first_wrong_line == 2
    assert _verdicts(result)[2] == "incorrect"
    assert _verdicts(result)[4] == "incorrect"  # w − η δ x climbs the loss here


def test_without_the_declaration_the_verdicts_turn_round(mitchell: NetworkSpec) -> None:
    positive = _positive(mitchell)
    assert _check(positive, "mitchell-positive.tex").verdict == "correct"
    result = _check(positive, "mitchell-negative.tex")
    assert result.verdict == "incorrect"
    assert result.first_wrong_line == 2


def test_mazurs_spec_keeps_the_positive_convention() -> None:
    result = _check(load_spec(MAZUR), "mazur-negative.tex")
    assert result.verdict == "incorrect"
    assert _verdicts(result) == {2: "incorrect", 3: "incorrect"}
    declared = load_spec(MAZUR)
    declared = replace(declared, notation=replace(declared.notation, delta_sign="negative"))
    assert _check(declared, "mazur-negative.tex").verdict == "correct"


def test_a_constant_bias_is_written_as_its_value() -> None:
    """`bias: {value: 1, trainable: false}`: the net inputs with + 1 and the gradient are
    correct; leaving the 1 out is wrong; a gradient for the bias is no gradient at all."""
    spec = load_spec(SPECS / "constant-bias-2-2-1.yaml")
    result = _check(spec, "constant-bias.tex")
    assert result.verdict == "correct"
    assert _verdicts(result) == {2: "correct", 3: "correct", 4: "correct"}
    checker = Checker(build_network(spec))
    assert checker.check(None, "z^{[1]}_1 = w_1 x_1 + w_2 x_2").verdict == "incorrect"
    assert checker.check(None, "z^{[1]}_1 = w_1 x_1 + w_2 x_2 + 1").verdict == "correct"


def test_weight_decay_is_read_in_the_loss_and_the_gradients() -> None:
    """J = L + λ/2 Σ w²: the loss with its penalty, ∂J/∂w = δ a + λ w and ∂J/∂b = δ are
    correct; a weight's gradient without λ w is wrong, and the diagnosis says so."""
    spec = load_spec(SPECS / "weight-decay-2-2-1.yaml")
    result = _check(spec, "weight-decay.tex")
    assert result.verdict == "correct"
    assert _verdicts(result) == {2: "correct", 3: "correct", 4: "correct"}
    checker = Checker(build_network(spec))
    missing = checker.check(None, r"\partial L/\partial w^{[2]}_{1,1} = "
                                  r"\delta^{[2]}_1 a^{[1]}_1")
    assert missing.verdict == "incorrect"
    assert "it misses the weight-decay term" in " ".join(missing.steps[0].diagnosis)
    # the biases are not decayed: λ b on a bias is wrong
    extra = checker.check(None, r"\partial L/\partial b^{[2]}_{1} = \delta^{[2]}_1 + "
                                r"\lambda b^{[2]}_{1}")
    assert extra.verdict == "incorrect"


def test_weight_decay_is_read_in_a_matrix_form_step() -> None:
    """d2l's ∂J/∂W = ∂J/∂o hᵀ + λ W in the spec's names: the layer's δ, the activations
    before it and λ W; without λ W the step misses the weight-decay term, and every other
    one-symbol change is wrong too."""
    checker = Checker(build_network(load_spec(SPECS / "weight-decay-2-2-1.yaml")))
    head = r"\frac{\partial L}{\partial W^{[2]}} = "
    right = head + r"\delta^{[2]} (a^{[1]})^T + \lambda W^{[2]}"
    assert checker.check(None, right).verdict == "correct"
    first = r"\frac{\partial L}{\partial W^{[1]}} = \delta^{[1]} x^T + \lambda W^{[1]}"
    assert checker.check(None, first).verdict == "correct"
    missing = checker.check(None, head + r"\delta^{[2]} (a^{[1]})^T")
    assert missing.verdict == "incorrect"
    assert any("misses the weight-decay term" in d for d in missing.diagnosis), \
        missing.diagnosis
    for mutant in (right.replace("+ \\lambda", "- \\lambda"),
                   right.replace("\\lambda W^{[2]}", "\\lambda W^{[1]}"),
                   right.replace("(a^{[1]})^T", "a^{[1]}"),
                   right.replace("\\delta^{[2]}", "\\delta^{[1]}"),
                   first.replace("\\lambda W^{[1]}", "2 \\lambda W^{[1]}")):
        assert mutant not in (right, first)
        try:
            verdict = checker.check(None, mutant).verdict
        except FormulaError:  # a shape that does not fit
            verdict = "unreadable"
        assert verdict != "correct", mutant
