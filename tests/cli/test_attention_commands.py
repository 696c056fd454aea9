"""specs/attention.yaml (one head of self-attention over three tokens of width
two, squared error) through every command: derive in every format with the row softmax's
backward step ∂L/∂S_{t,u} = P_{t,u}(∂L/∂P_{t,u} − Σ_k P_{t,k} ∂L/∂P_{t,k}) and its tensor
form, eval, gradcheck (full and directional), codegen, graph, check and notes that
compile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kind_commands import codegen_checks_itself, gradchecks_pass, needs_pdflatex, notes_compile, run
from paths import ROOT

SPEC = str(ROOT / "specs" / "attention.yaml")
SOFTMAX = (r"\frac{\partial L}{\partial S_{t,u}} = P_{t,u} \left( \frac{\partial L}"
           r"{\partial P_{t,u}} - \sum_{k=1}^{3} P_{t,k} \frac{\partial L}{\partial P_{t,k}} "
           r"\right)")


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_the_row_softmax_step_in_every_format(fmt: str) -> None:
    code, out, err = run("derive", SPEC, "--format", fmt, "--form", "delta")
    assert code == 0 and err == "", err
    if fmt == "json":
        data = json.loads(out)
        assert data["gradients"] and "Traceback" not in out
        return
    if fmt == "text":
        assert "∂L/∂S_{t,u} = P_{t,u} (∂L/∂P_{t,u} − Σ_{k=1}^{3} P_{t,k} ∂L/∂P_{t,k})" in out
        assert "∂L/∂Q = (1/√2) ∂L/∂S K" in out
    else:
        assert SOFTMAX in out
        assert r"\frac{\partial L}{\partial V} = P^{\top} \frac{\partial L}{\partial O}" in out


def test_eval_and_both_gradchecks_agree() -> None:
    code, out, _ = run("eval", SPEC)
    assert code == 0 and "Q_1_1 = 0.34" in out  # 0.8·0.5 + (−0.3)·0.2
    gradchecks_pass(SPEC)


def test_codegen_writes_a_module_that_checks_itself(tmp_path: Path) -> None:
    codegen_checks_itself(SPEC, tmp_path)


@pytest.mark.parametrize("fmt", ["tikz", "dot"])
def test_graph_draws_the_scores_and_weights(fmt: str) -> None:
    code, out, err = run("graph", SPEC, "--format", fmt)
    assert code == 0 and err == "", err
    assert ("P_2_3" in out) if fmt == "dot" else ("P_{2,3}" in out)


def test_check_names_an_elementwise_softmax() -> None:
    code, out, _ = run("check", SPEC, "-f", r"\frac{\partial L}{\partial S_{t,u}} = "
                       r"P_{t,u} (1 - P_{t,u}) \frac{\partial L}{\partial P_{t,u}}")
    assert code == 1 and "INCORRECT" in out
    assert "the softmax Jacobian of attention is taken as elementwise" in out
    code, out, _ = run("check", SPEC, "-f", SOFTMAX)
    assert code == 0 and "CORRECT" in out


@needs_pdflatex
def test_the_notes_compile(tmp_path: Path) -> None:
    assert "Through the attention head" in notes_compile(SPEC, tmp_path)
