"""check on the bundled LSTM and GRU networks (specs/lstm.yaml, specs/gru.yaml: two inputs, two
units, three steps, a softmax at every step): the cell-state recurrence with its term
∂L/∂c^{(t+1)} f^{(t+1)} is CORRECT, without it INCORRECT with CELL_PATH_MISSING; a gate's δ
with its own derivative is CORRECT, with the other activation's INCORRECT with
GATE_DERIVATIVE_SWAPPED, and a wrong factor elsewhere is not given either name."""

from __future__ import annotations

import pytest
from checkers import checker, named_mistake

LSTM, GRU = "lstm.yaml", "gru.yaml"
DC2 = r"\frac{\partial L}{\partial c^{(2)}_{1}} = "
THROUGH_H = r"\frac{\partial L}{\partial h^{(2)}_{1}} o^{(2)}_{1} (1 - \tanh(c^{(2)}_{1})^2)"
CELL = DC2 + THROUGH_H + r" + \frac{\partial L}{\partial c^{(3)}_{1}} f^{(3)}_{1}"
DELTA_I = r"\delta^{(2)}_{i,1} = \frac{\partial L}{\partial c^{(2)}_{1}} g^{(2)}_{1} " \
    r"i^{(2)}_{1} (1 - i^{(2)}_{1})"
CORRECT = [
    (LSTM, CELL),
    (LSTM, r"\frac{\partial L}{\partial c^{(3)}_{2}} = \frac{\partial L}{\partial h^{(3)}_{2}} "
           r"o^{(3)}_{2} (1 - \tanh(c^{(3)}_{2})^2)"),
    (LSTM, DELTA_I),
    (LSTM, r"\delta^{(1)}_{g,2} = \frac{\partial L}{\partial c^{(1)}_{2}} i^{(1)}_{2} "
           r"(1 - (g^{(1)}_{2})^2)"),
    (GRU, r"\delta^{(3)}_{z,1} = \frac{\partial L}{\partial h^{(3)}_{1}} (h^{(2)}_{1} - "
          r"n^{(3)}_{1}) z^{(3)}_{1} (1 - z^{(3)}_{1})"),
]


@pytest.mark.parametrize("spec, formula", CORRECT)
def test_the_cells_recurrences_are_correct(spec: str, formula: str) -> None:
    r = checker(spec).check(None, formula)
    assert r.verdict == "correct", r.diagnosis


def test_the_cell_state_path_left_out_is_named() -> None:
    named_mistake(LSTM, DC2 + THROUGH_H, "CELL_PATH_MISSING")


@pytest.mark.parametrize("spec, formula", [
    (LSTM, r"\delta^{(2)}_{i,1} = \frac{\partial L}{\partial c^{(2)}_{1}} g^{(2)}_{1} "
           r"(1 - (i^{(2)}_{1})^2)"),
    (LSTM, r"\delta^{(1)}_{g,2} = \frac{\partial L}{\partial c^{(1)}_{2}} i^{(1)}_{2} "
           r"g^{(1)}_{2} (1 - g^{(1)}_{2})"),
    (GRU, r"\delta^{(3)}_{z,1} = \frac{\partial L}{\partial h^{(3)}_{1}} (h^{(2)}_{1} - "
          r"n^{(3)}_{1}) (1 - (z^{(3)}_{1})^2)"),
])
def test_swapped_gate_derivatives_are_named(spec: str, formula: str) -> None:
    named_mistake(spec, formula, "GATE_DERIVATIVE_SWAPPED")


def test_a_wrong_factor_elsewhere_is_not_named_swapped() -> None:
    r = checker(LSTM).check(None, DELTA_I.replace("g^{(2)}_{1} ", "o^{(2)}_{1} "))
    assert r.verdict == "incorrect" and "GATE_DERIVATIVE_SWAPPED" not in r.codes
    assert "CELL_PATH_MISSING" not in r.codes

