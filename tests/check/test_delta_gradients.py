"""δW read as ∂E/∂W where the text says so, and only there."""

from __future__ import annotations

import pytest
from checkers import checker

from symbackprop.check.judging.delta_gradients import as_gradients, declared
from symbackprop.check.reading.parser import parse_statement
from symbackprop.check.reading.syntax import Deriv

MAZUR = "seed-004-mazur-2-2-2.yaml"
SAYS = r"Here $\delta w_{5}$ denotes $\frac{\partial E_{total}}{\partial w_{5}}$." + "\n"
W5 = r"$$\delta w_{5} = (out_{o1} - target_{o1}) \cdot out_{o1}(1 - out_{o1}) \cdot out_{h1}$$"
W1 = (r"$$\delta w_{1} = ((out_{o1} - target_{o1}) out_{o1}(1 - out_{o1}) w_{5} + (out_{o2} - "
      r"target_{o2}) out_{o2}(1 - out_{o2}) w_{7}) out_{h1}(1 - out_{h1}) i_{1}$$")


@pytest.mark.parametrize(("text", "found"), [
    (r"where $\delta W$ denotes $\frac{\partial E}{\partial W}$", {"W": "E"}),
    ("where δW denotes ∂E/∂W", {"W": "E"}),
    (r"\delta w stands for \partial E_{total}/\partial w.", {"w": "E_{total}"}),
    (r"we write $\delta W$ for $\frac{\partial L}{\partial W}$", {"W": "L"}),
    ("δ_j denotes the error of unit j", {}),
    (r"$\delta W = \frac{\partial E}{\partial W}$", {}),  # no word says it is a name
    ("where δW denotes ∂E/∂V", {}),  # another letter
])
def test_the_declaration_is_found_in_words(text: str, found: dict[str, str]) -> None:
    assert declared(text) == found


def test_only_a_bare_delta_before_a_declared_letter_is_rewritten() -> None:
    st = parse_statement(r"\delta W_{5} = \delta_{o1} \delta x_{1}", knows=lambda _: True)
    read = as_gradients(st, {"W": "E"})
    assert isinstance(read.sides[0], Deriv) and read.sides[0].bottom.raw == "W_{5}"
    assert read.sides[1] == st.sides[1]  # δ_{o1} is a unit's δ; δ x is not declared
    assert as_gradients(st, {}) is st


@pytest.mark.parametrize("step", [W5, W1])
def test_a_declared_delta_w_is_checked_as_the_gradient(step: str) -> None:
    result = checker(MAZUR).check_derivation(SAYS + step)
    assert result.verdict == "correct", [s.diagnosis for s in result.steps]
    assert [s.verdict for s in result.steps] == ["correct"]


@pytest.mark.parametrize("step", [W5, W1])
def test_a_changed_index_or_symbol_of_a_declared_gradient_is_wrong(step: str) -> None:
    c = checker(MAZUR)
    mutants = [step.replace("w_{5}", "w_{6}", 1) if "w_{5} =" in step else
               step.replace("w_{1}", "w_{2}", 1),
               step.replace("out_{h1}", "out_{h2}"), step.replace("- target_{o1}", "+ target_{o1}"),
               step.replace("(1 - out_{o1})", "(2 - out_{o1})")]
    for mutant in mutants:
        assert mutant != step
        assert c.check_derivation(SAYS + mutant).verdict == "incorrect", mutant


def test_without_the_sentence_delta_w_is_not_read_as_a_gradient() -> None:
    result = checker(MAZUR).check_derivation(W5 + "\n" + r"\delta_{o1} = (out_{o1} - "
                                             r"target_{o1}) out_{o1}(1 - out_{o1})")
    assert result.steps[0].verdict == "unread"


def test_one_formula_may_say_what_its_delta_w_is() -> None:
    right = (r"$\delta w_{5} = (out_{o1} - target_{o1}) out_{o1}(1 - out_{o1}) out_{h1}$, where "
             r"$\delta w_{5}$ denotes $\partial E_{total}/\partial w_{5}$")
    assert checker(MAZUR).check(None, right).verdict == "correct"
    wrong = right.replace("out_{h1}$,", "out_{h2}$,")
    assert wrong != right and checker(MAZUR).check(None, wrong).verdict == "incorrect"
