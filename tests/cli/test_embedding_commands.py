"""specs/embedding.yaml (embedding → dense → softmax) through every command: derive in every
format with the rule ∂L/∂E_{v,k} = Σ_{t : token_t = v} δ_{t,k}, eval, gradcheck (full and
directional), codegen, graph, check and notes that compile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kind_commands import codegen_checks_itself, gradchecks_pass, needs_pdflatex, notes_compile, run
from paths import SPECS

SPEC = str(SPECS / "embedding.yaml")


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_sums_a_repeated_tokens_row_in_every_format(fmt: str) -> None:
    code, out, err = run("derive", SPEC, "--format", fmt, "--form", "delta")
    assert code == 0 and err == "", err
    if fmt == "json":
        data = json.loads(out)
        assert data["gradients"] and "Traceback" not in out
        return
    if fmt == "text":
        assert "∂L/∂E_3_1\n  = delta_1_1_1 + delta_1_3_1" in out
        assert "∂L/∂E_2_1\n  = 0" in out
        assert "∂L/∂E_{v,k} = Σ_{t : token_t = v} δ^{[1]}_{t,k}, token = (3, 1, 3)" in out
    else:
        assert (r"\frac{\partial L}{\partial E_{v,k}} = \sum_{t : \mathrm{token}_t = v} "
                r"\delta^{[1]}_{t,k}, \quad \mathrm{token} = (3, 1, 3)") in out


def test_eval_and_both_gradchecks_agree() -> None:
    code, out, _ = run("eval", SPEC)
    assert code == 0 and "a_1_3_1 = -0.3" in out
    gradchecks_pass(SPEC)


def test_codegen_writes_a_module_that_checks_itself(tmp_path: Path) -> None:
    codegen_checks_itself(SPEC, tmp_path)


@pytest.mark.parametrize("fmt", ["tikz", "dot"])
def test_graph_draws_the_table_entries(fmt: str) -> None:
    code, out, err = run("graph", SPEC, "--format", fmt)
    assert code == 0 and err == "", err
    assert ("E_3_1" in out) if fmt == "dot" else ("E_{3,1}" in out)


def test_check_names_an_overwritten_gradient() -> None:
    code, out, _ = run("check", SPEC, "-f",
                       r"\frac{\partial L}{\partial E_{3,1}} = \delta^{[1]}_{3,1}")
    assert code == 1 and "INCORRECT" in out
    assert "the embedding gradient is not accumulated over the token's occurrences" in out
    code, out, _ = run("check", SPEC, "-f", r"\frac{\partial L}{\partial E_{3,1}} = "
                       r"\delta^{[1]}_{1,1} + \delta^{[1]}_{3,1}")
    assert code == 0 and "CORRECT" in out


@needs_pdflatex
def test_the_notes_compile(tmp_path: Path) -> None:
    assert "The table of an embedding layer" in notes_compile(SPEC, tmp_path)
