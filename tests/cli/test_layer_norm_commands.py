"""specs/layernorm.yaml (dense → layer_norm → dense → softmax) through every
command: derive in every format, eval, gradcheck (full and directional), codegen, graph,
check of ∂L/∂γ_j written with Σ (correct, and mutants without 1/√(σ² + ε) or with an
uncentred variance) and notes that compile."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main

SPEC = str(SPECS / "layernorm.yaml")
MU = r"\frac{1}{3}\sum_{k=1}^{3} a^{[1]}_{k}"
GAMMA = r"\frac{\partial L}{\partial \gamma_{1}} = "


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_the_normalised_units_with_gamma_and_beta_in_every_format(
        fmt: str) -> None:
    code, out, err = run("derive", SPEC, "--format", fmt, "--form", "delta")
    assert code == 0 and err == "", err
    if fmt == "json":
        data = json.loads(out)
        texts = [d["text"] for d in data["definitions"]]
        assert any(t.startswith("z_2_1 = gamma_1·") and t.endswith("+ beta_1")
                   for t in texts), texts
        return
    if fmt == "text":
        assert "z_mu = (a_1_1 + a_1_2 + a_1_3)/3" in out
        assert "z_sigma_2 = ((a_1_1 - mu)^2 + (a_1_2 - mu)^2 + (a_1_3 - mu)^2)/3" in out
        assert "z_2_2 = gamma_2·((a_1_2 - mu)/sqrt(sigma_2 + 1/100000)) + beta_2" in out
    else:
        assert r"\gamma_{1}" in out and r"\beta_{3}" in out
        assert r"\mu" in out and r"\sigma^{2}" in out


def test_eval_and_both_gradchecks_agree() -> None:
    code, out, _ = run("eval", SPEC)
    assert code == 0 and "gamma_1" in out and "beta_3" in out
    for method in ("full", "directional"):
        code, out, _ = run("gradcheck", SPEC, "--method", method)
        assert code == 0, out
        assert " disagree," not in out and "FAIL" not in out
        assert "gamma_2" in out


def test_codegen_writes_a_module_that_checks_itself(tmp_path: Path) -> None:
    target = tmp_path / "grad.py"
    code, _, err = run("codegen", SPEC, "-o", str(target))
    assert code == 0, err
    done = subprocess.run([sys.executable, str(target)], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert done.returncode == 0 and ": ok" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("fmt", ["tikz", "dot"])
def test_graph_draws_the_layer_norm_units(fmt: str) -> None:
    code, out, err = run("graph", SPEC, "--format", fmt)
    assert code == 0 and err == "", err
    assert ("z_2_3" in out) if fmt == "dot" else ("z^{[2]}_{3}" in out)


def test_check_reads_the_gain_gradient_written_with_sums_and_mu() -> None:
    variance = rf"\frac{{1}}{{3}}\sum_{{k=1}}^{{3}} (a^{{[1]}}_{{k}} - {MU})^2"
    code, out, _ = run("check", SPEC, "-f", GAMMA + rf"\delta^{{[2]}}_{{1}} "
                       rf"\frac{{a^{{[1]}}_{{1}} - {MU}}}{{\sqrt{{{variance} + 10^{{-5}}}}}}")
    assert code == 0 and "CORRECT" in out and "INCORRECT" not in out
    code, out, _ = run("check", SPEC, "-f", GAMMA + r"\delta^{[2]}_{1} \frac{a^{[1]}_{1} - \mu}"
                       r"{\sqrt{\frac{1}{3}\sum_{k=1}^{3} (a^{[1]}_{k} - \mu)^2 + 10^{-5}}}")
    assert code == 0 and "CORRECT" in out and "INCORRECT" not in out
    code, out, _ = run("check", SPEC, "-f",
                       r"\frac{\partial L}{\partial \beta_{2}} = \delta^{[2]}_{2}")
    assert code == 0 and "CORRECT" in out and "INCORRECT" not in out


@pytest.mark.parametrize("wrong", [
    rf"\delta^{{[2]}}_{{1}} (a^{{[1]}}_{{1}} - {MU})",  # without 1/√(σ² + ε)
    rf"\delta^{{[2]}}_{{1}} \frac{{a^{{[1]}}_{{1}} - {MU}}}"
    r"{\sqrt{\frac{1}{3}\sum_{k=1}^{3} (a^{[1]}_{k})^2 + 10^{-5}}}",  # uncentred variance
    rf"\delta^{{[2]}}_{{2}} \frac{{a^{{[1]}}_{{2}} - {MU}}}"
    rf"{{\sqrt{{\frac{{1}}{{3}}\sum_{{k=1}}^{{3}} (a^{{[1]}}_{{k}} - {MU})^2 + 10^{{-5}}}}}}",
], ids=["no-scale", "uncentred-variance", "another-unit"])
def test_check_refuses_wrong_gain_gradients(wrong: str) -> None:
    code, out, _ = run("check", SPEC, "-f", GAMMA + wrong)
    assert code == 1 and "INCORRECT" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                    reason="pdflatex is not installed (under CI this fails instead)")
def test_the_notes_compile(tmp_path: Path) -> None:
    target = tmp_path / "notes.tex"
    code, _, err = run("notes", SPEC, "-o", str(target), "--pdf")
    assert code == 0, err
    assert (tmp_path / "notes.pdf").exists()
    assert r"\gamma_{1}" in target.read_text(encoding="utf-8")
