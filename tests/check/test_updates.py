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
