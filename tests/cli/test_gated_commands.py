"""specs/lstm.yaml and specs/gru.yaml (a cell unrolled over three steps → softmax at every
step) through every command: derive in every format with the cell-state recurrence, eval,
gradcheck (full and directional), codegen, graph, check with named mistakes, and notes that
compile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kind_commands import codegen_checks_itself, gradchecks_pass, needs_pdflatex, notes_compile, run
from paths import SPECS

LSTM = str(SPECS / "lstm.yaml")
GRU = str(SPECS / "gru.yaml")
SLOW = ("--answer-cpu", "0")  # a wrong answer on the cell is diagnosed beyond 10 s of CPU


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_the_cell_state_recurrence_in_every_format(fmt: str) -> None:
    code, out, err = run("derive", LSTM, "--format", fmt, "--form", "delta")
    assert code == 0 and err == "", err
    if fmt == "json":
        assert json.loads(out)["gradients"]
    elif fmt == "text":
        assert "delta_2_c_1 = delta_2_h_1·o_2_1·(1 - tanh(c_2_1)^2) + delta_3_c_1·f_3_1" in out
        assert "c_2_1 = f_2_1·c_1_1 + i_2_1·g_2_1" in out
    else:
        assert "c^{(2)}_{1}" in out and "f^{(3)}_{1}" in out


def test_derive_prints_the_gru_state_update() -> None:
    code, out, err = run("derive", GRU, "--form", "delta")
    assert code == 0 and err == "", err
    assert "h_2_1 = (1 - z_2_1)·n_2_1 + z_2_1·h_1_1" in out
    assert "delta_3_z_1 = delta_3_h_1·(h_2_1 - n_3_1)·z_3_1·(1 - z_3_1)" in out
    assert "q_2_1 = r_2_1·h_1_1" in out


@pytest.mark.parametrize("spec", [LSTM, GRU])
def test_eval_and_both_gradchecks_agree(spec: str) -> None:
    code, out, _ = run("eval", spec)
    assert code == 0 and "b_y_2" in out
    gradchecks_pass(spec)


@pytest.mark.parametrize("spec", [LSTM, GRU])
def test_codegen_writes_a_module_that_checks_itself(spec: str, tmp_path: Path) -> None:
    codegen_checks_itself(spec, tmp_path)


@pytest.mark.parametrize("fmt", ["tikz", "dot"])
def test_graph_draws_the_gates(fmt: str) -> None:
    code, out, err = run("graph", LSTM, "--format", fmt)
    assert code == 0 and err == "", err
    assert ("f_3_1" in out) if fmt == "dot" else ("f^{(3)}_{1}" in out)


def test_check_names_the_missing_cell_state_path() -> None:
    right = (r"\frac{\partial L}{\partial c^{(2)}_{1}} = \frac{\partial L}{\partial h^{(2)}_{1}}"
             r" o^{(2)}_{1} (1 - \tanh(c^{(2)}_{1})^2)")
    code, out, _ = run("check", LSTM, *SLOW, "-f", right + r" + \frac{\partial L}"
                       r"{\partial c^{(3)}_{1}} f^{(3)}_{1}")
    assert code == 0 and "CORRECT" in out
    code, out, _ = run("check", LSTM, *SLOW, "-f", right)
    assert code == 1 and "INCORRECT" in out
    assert "the cell-state path is missing: c^{(2)}_1 also feeds" in out


@pytest.mark.parametrize("spec, right, wrong", [
    (LSTM, r"\delta^{(2)}_{i,1} = \frac{\partial L}{\partial c^{(2)}_{1}} g^{(2)}_{1} "
           r"i^{(2)}_{1} (1 - i^{(2)}_{1})",
     r"\delta^{(2)}_{i,1} = \frac{\partial L}{\partial c^{(2)}_{1}} g^{(2)}_{1} "
     r"(1 - (i^{(2)}_{1})^2)"),
    (LSTM, r"\delta^{(3)}_{g,2} = \frac{\partial L}{\partial c^{(3)}_{2}} i^{(3)}_{2} "
           r"(1 - (g^{(3)}_{2})^2)",
     r"\delta^{(3)}_{g,2} = \frac{\partial L}{\partial c^{(3)}_{2}} i^{(3)}_{2} "
     r"g^{(3)}_{2} (1 - g^{(3)}_{2})"),
    (GRU, r"\delta^{(2)}_{n,1} = \frac{\partial L}{\partial h^{(2)}_{1}} (1 - z^{(2)}_{1}) "
          r"(1 - (n^{(2)}_{1})^2)",
     r"\delta^{(2)}_{n,1} = \frac{\partial L}{\partial h^{(2)}_{1}} (1 - z^{(2)}_{1}) "
     r"n^{(2)}_{1} (1 - n^{(2)}_{1})"),
])
def test_check_names_swapped_gate_derivatives(spec: str, right: str, wrong: str) -> None:
    code, out, _ = run("check", spec, *SLOW, "-f", right)
    assert code == 0 and "CORRECT" in out
    code, out, _ = run("check", spec, *SLOW, "-f", wrong)
    assert code == 1 and "INCORRECT" in out
    assert "σ′ and tanh′ are swapped: " in out


@needs_pdflatex
@pytest.mark.parametrize("spec", [LSTM, GRU])
def test_the_notes_compile(spec: str, tmp_path: Path) -> None:
    assert r"h^{(3)}_{2}" in notes_compile(spec, tmp_path)
