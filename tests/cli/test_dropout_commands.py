"""specs/dropout.yaml (dense → dropout → dense) through every command: derive in every
format with the rule ∂L/∂a_j = (m_j / p) δ_j, eval, gradcheck (full and directional),
codegen, graph, check and notes that compile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kind_commands import codegen_checks_itself, gradchecks_pass, needs_pdflatex, notes_compile, run
from paths import SPECS

SPEC = str(SPECS / "dropout.yaml")


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_the_scaled_links_and_the_rule_in_every_format(fmt: str) -> None:
    code, out, err = run("derive", SPEC, "--format", fmt, "--form", "delta")
    assert code == 0 and err == "", err
    if fmt == "json":
        data = json.loads(out)
        assert [d["text"] for d in data["deltas"]].count("delta_1_2 = 0") == 1
        return
    if fmt == "text":
        assert "z_2_1 = 2·a_1_1" in out and "z_2_2 = 0·a_1_2" in out
        assert "delta_1_2 = 0" in out
        assert "∂L/∂a^{[1]}_{j} = (m_{j} / p) δ^{[2]}_{j}, m = (1, 0, 1), p = 1/2" in out
    else:
        assert (r"\frac{\partial L}{\partial a^{[1]}_{j}} = \frac{m_{j}}{p} \delta^{[2]}_{j}, "
                r"\quad m = (1, 0, 1),\ p = \frac{1}{2}") in out


def test_eval_and_both_gradchecks_agree() -> None:
    code, out, _ = run("eval", SPEC)
    assert code == 0 and "a_2_2 = 0" in out
    gradchecks_pass(SPEC)


def test_codegen_writes_a_module_that_checks_itself(tmp_path: Path) -> None:
    codegen_checks_itself(SPEC, tmp_path)


@pytest.mark.parametrize("fmt", ["tikz", "dot"])
def test_graph_draws_the_dropout_units(fmt: str) -> None:
    code, out, err = run("graph", SPEC, "--format", fmt)
    assert code == 0 and err == "", err
    assert ("z_2_2" in out) if fmt == "dot" else ("z^{[2]}_{2}" in out)


def test_check_names_the_missing_scale() -> None:
    code, out, _ = run("check", SPEC, "-f",
                       r"\frac{\partial L}{\partial a^{[1]}_{1}} = \delta^{[2]}_{1}")
    assert code == 1 and "INCORRECT" in out
    assert "dropout's backward pass is without the 1/p scale" in out
    code, out, _ = run("check", SPEC, "-f",
                       r"\frac{\partial L}{\partial a^{[1]}_{1}} = 2 \delta^{[2]}_{1}")
    assert code == 0 and "CORRECT" in out


@needs_pdflatex
def test_the_notes_compile(tmp_path: Path) -> None:
    assert "Through an (inverted) dropout layer" in notes_compile(SPEC, tmp_path)
