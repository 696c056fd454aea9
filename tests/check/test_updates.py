"""Update rules checked against gradient descent: every learning-rate letter, ascent, and a
wrong gradient inside the rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkers import checker
from paths import SPECS

MAZUR = SPECS / "seed-004-mazur-2-2-2.yaml"

GRADIENT = r"\frac{\partial E_{total}}{\partial w_{5}}"


@pytest.mark.parametrize("rate", [r"\alpha", r"\eta", r"\gamma", r"\epsilon", r"\varepsilon",
                                  r"\lambda", "α", "η", "γ", "ε", "λ"])
def test_every_learning_rate_letter_gives_descent_and_ascent(rate: str) -> None:
    c = checker(MAZUR)
    for arrow in ("=", r"\leftarrow", ":="):
        down = c.check(None, rf"w_{{5}}^{{+}} {arrow} w_{{5}} - {rate} {GRADIENT}")
        assert down.verdict == "correct", (rate, arrow, down.diagnosis)
        up = c.check(None, rf"w_{{5}}^{{+}} {arrow} w_{{5}} + {rate} {GRADIENT}")
        assert up.verdict == "incorrect"
        assert any("gradient ascent" in d for d in up.diagnosis), up.diagnosis


def test_the_specs_own_learning_rate_symbol(tmp_path: Path) -> None:
    text = MAZUR.read_text(encoding="utf-8")
    assert 'learning_rate: "\\\\alpha"' in text
    spec = tmp_path / "mu.yaml"
    spec.write_text(text.replace('learning_rate: "\\\\alpha"', 'learning_rate: "\\\\mu"'),
                    encoding="utf-8")
    c = checker(spec)
    assert c.check(None, rf"w_{{5}}^{{+}} = w_{{5}} - \mu {GRADIENT}").verdict == "correct"
    up = c.check(None, rf"w_{{5}}^{{+}} = w_{{5}} + \mu {GRADIENT}")
    assert up.verdict == "incorrect" and any("gradient ascent" in d for d in up.diagnosis)


def test_a_wrong_gradient_inside_the_rule_is_diagnosed_as_a_gradient() -> None:
    c = checker(MAZUR)
    r = c.check(None, r"w_{5}^{+} = w_{5} - \lambda (out_{o1}-target_{o1}) out_{o1}(1-out_{o1})"
                      r" out_{h2}")
    assert r.verdict == "incorrect" and r.param == "w5"
    assert "the gradient in the step is wrong: replacing out_h2 by out_h1 makes it correct" \
        in r.diagnosis, r.diagnosis
    assert any("the gradient of w6, not of w5" in d for d in r.diagnosis)
    right = c.check(None, r"w_{5}^{+} = w_{5} - \lambda (out_{o1}-target_{o1}) out_{o1}"
                          r"(1-out_{o1}) out_{h1}")
    assert right.verdict == "correct"


def test_a_wrong_rule_reads_as_written_not_as_gradient_descent() -> None:
    from symbackprop.check.grading.report import render_check

    c = checker(MAZUR)
    text = "\n".join([rf"{GRADIENT} = (out_{{o1}} - target_{{o1}}) out_{{o1}}(1 - out_{{o1}}) "
                      r"out_{h1}", rf"w_{{5}}^{{+}} = w_{{5}} + \alpha {GRADIENT}"])
    result = c.check_derivation(text)
    up = result.steps[-1]
    assert up.verdict == "incorrect" and up.claim == "w5⁺ = w5 + α*∂E_total/∂w5"
    shown = render_check(result)
    assert "read as: gradient descent" not in shown and "read as: w5⁺ = w5 + α" in shown
    # a right rule is still compared with gradient descent
    down = c.check_derivation(text.replace(r"w_{5} + \alpha", r"w_{5} - \alpha"))
    assert down.verdict == "correct" and down.steps[-1].claim == "gradient descent"


MITCHELL = SPECS / "mitchell-2-2-2.yaml"
INCREMENTS = [
    r"\Delta w_{k1,h1} = \eta \delta_{k1} o_{h1}",
    r"\Delta w_{k2,h2} = \eta \, \delta_{k2} \, o_{h2}",
    r"Δw_{h1,1} = η δ_{h1} x_{1}",
    r"\Delta w_{k1,0} = \eta \delta_{k1}",
]


@pytest.mark.parametrize("rule", INCREMENTS)
def test_mitchells_increment_is_the_update_it_states(rule: str) -> None:
    """Δw = η δ x in Mitchell's convention (δ = −∂E/∂net) is one descent step."""
    result = checker(MITCHELL).check(None, rule)
    assert result.verdict == "correct", result.diagnosis


@pytest.mark.parametrize("rule", INCREMENTS)
def test_a_changed_increment_is_not_correct(rule: str) -> None:
    """One changed sign, index or factor of a correct increment is never CORRECT."""
    c = checker(MITCHELL)
    head, body = rule.split("=", 1)
    mutants = [f"{head}= -{body}", f"{head}= 2 {body}", f"{head}= {body} o_{{k2}}"]
    mutants += [rule.replace("k1}", "k2}", 1), rule.replace("h1", "h2", 1)] \
        if "k1}" in rule or "h1" in rule else []
    for mutant in mutants:
        if mutant != rule:
            assert c.check(None, mutant).verdict == "incorrect", mutant


def test_an_increment_with_minus_is_named_ascent_in_mitchells_convention() -> None:
    wrong = checker(MITCHELL).check(None, r"\Delta w_{k1,h1} = -\eta \delta_{k1} o_{h1}")
    assert any("gradient ascent" in d for d in wrong.diagnosis), wrong.diagnosis


def test_an_increment_in_the_usual_convention_subtracts_the_gradient() -> None:
    c = checker(MAZUR)
    assert c.check(None, rf"\Delta w_{{5}} = -\alpha {GRADIENT}").verdict == "correct"
    assert c.check(None, rf"\Delta w_{{5}} = \alpha {GRADIENT}").verdict == "incorrect"


def test_free_indices_cannot_range_over_units_named_one_by_one() -> None:
    """Mitchell's spec names its units h1, k1: j and i have no values there, and the error
    says so with the two ways out."""
    from symbackprop.errors import FormulaError

    for rule in (r"\Delta w_{ji} = \eta \delta_j x_{ji}",
                 r"w_{j,i} \leftarrow w_{j,i} + \eta \delta_j x_{j,i}"):
        with pytest.raises(FormulaError, match="names its units one by one") as caught:
            checker(MITCHELL).check(None, rule)
        assert "h1, h2, k1, k2" in str(caught.value)
        assert "numbered" in (caught.value.hint or ""), caught.value.hint


NEGATIVE_DELTA = """title: 2-3-2 sigmoid network, numbered units, δ as minus the loss's derivative
notation:
  learning_rate: "\\\\eta"
  delta_sign: negative
inputs: {size: 2}
layers:
  - {name: hidden, size: 3, activation: sigmoid}
  - {name: output, size: 2, activation: sigmoid}
loss: squared_error
"""
FREE_INCREMENTS = [  # Mitchell's Δw_ji = η δ_j x_ji for every weight of a layer
    (r"\Delta w^{[2]}_{j,k} = \eta \delta^{[2]}_j a^{[1]}_k", 6),
    (r"\Delta w^{[1]}_{j,i} = \eta \delta^{[1]}_j x_i", 6),
    (r"w^{[2]}_{j,k} \leftarrow w^{[2]}_{j,k} + \eta \delta^{[2]}_j a^{[1]}_k", 6),
]


@pytest.mark.parametrize(("rule", "count"), FREE_INCREMENTS)
def test_mitchells_increment_with_free_indices_on_numbered_units(tmp_path: Path, rule: str,
                                                                 count: int) -> None:
    spec = tmp_path / "negative.yaml"
    spec.write_text(NEGATIVE_DELTA, encoding="utf-8")
    c = checker(spec)
    result = c.check(None, rule)
    assert result.verdict == "correct", result.diagnosis
    assert result.steps[0].instances == f"{count} of {count} instances hold"
    head, body = rule.split("=", 1) if r"\leftarrow" not in rule else rule.split("+", 1)
    joint = "=" if r"\leftarrow" not in rule else "+"
    swapped = body.replace("_j", "_@").replace("_k", "_j").replace("_i", "_j") \
        .replace("_@", "_k" if "_k" in body else "_i")
    mutants = [f"{head}{joint} -{body}" if joint == "=" else f"{head}- {body}",
               f"{head}{joint} 2 {body}", f"{head}{joint}{swapped}"]
    for mutant in mutants:
        wrong = c.check(None, mutant)
        assert wrong.verdict == "incorrect", (mutant, wrong.diagnosis)
