"""specs/batchnorm.yaml (x_i = w u_i + b over a batch of 3, batch_norm, squared
error) through every command: derive in every format with Ioffe and Szegedy's results, eval,
gradcheck (full and directional), codegen, graph, check and notes that compile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kind_commands import codegen_checks_itself, gradchecks_pass, needs_pdflatex, notes_compile, run
from paths import SPECS

SPEC = str(SPECS / "batchnorm.yaml")
DX = (r"\frac{\partial L}{\partial x_{i}} = \frac{\gamma}{m\sqrt{\sigma_B^2 + \epsilon}} "
      r"\left( m \frac{\partial L}{\partial y_{i}} - \sum_{j=1}^{m} \frac{\partial L}{\partial "
      r"y_{j}} - \hat{x}_{i} \sum_{j=1}^{m} \frac{\partial L}{\partial y_{j}} \hat{x}_{j} "
      r"\right)")


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_the_staged_graph_and_the_results_in_every_format(fmt: str) -> None:
    code, out, err = run("derive", SPEC, "--format", fmt, "--form", "delta")
    assert code == 0 and err == "", err
    if fmt == "json":
        texts = [d["text"] for d in json.loads(out)["definitions"]]
        assert "mu_B = (x_1 + x_2 + x_3)/3" in texts
        assert "y_2 = gamma·hat_x_2 + beta" in texts
        return
    if fmt == "text":
        assert "hat_x_1 = (x_1 - mu_B)/sqrt(sigma_B_2 + 1/100000)" in out
        assert "delta_hat_x_1 = delta_y_1·gamma" in out
        assert DX in out
    else:
        assert DX + r", \quad m = 3,\ \epsilon = \frac{1}{100000}" in out
        assert (r"\frac{\partial L}{\partial \gamma} = \sum_{i=1}^{m} \frac{\partial L}"
                r"{\partial y_{i}} \hat{x}_{i}") in out


def test_eval_and_both_gradchecks_agree() -> None:
    code, out, _ = run("eval", SPEC)
    assert code == 0 and "sigma_B_2" in out and "hat_x_3" in out
    gradchecks_pass(SPEC)


def test_codegen_writes_a_module_that_checks_itself(tmp_path: Path) -> None:
    codegen_checks_itself(SPEC, tmp_path)


@pytest.mark.parametrize("fmt", ["tikz", "dot"])
def test_graph_draws_the_batch_statistics(fmt: str) -> None:
    code, out, err = run("graph", SPEC, "--format", fmt)
    assert code == 0 and err == "", err
    assert ("mu_B" in out) if fmt == "dot" else (r"\mu_B" in out)


def test_check_names_the_statistics_held_constant() -> None:
    code, out, _ = run("check", SPEC, "-f", DX)
    assert code == 0 and "CORRECT" in out
    code, out, _ = run("check", SPEC, "-f",
                       r"\frac{\partial L}{\partial x_i} = \frac{\gamma}{\sqrt{\sigma_B^2 + "
                       r"\epsilon}} \frac{\partial L}{\partial y_i}")
    assert code == 1 and "INCORRECT" in out
    assert "the batch statistics are treated as constants" in out


@needs_pdflatex
def test_the_notes_compile(tmp_path: Path) -> None:
    assert "Through a batch normalisation layer" in notes_compile(SPEC, tmp_path)
