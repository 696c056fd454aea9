"""specs/dropout.yaml (dense → dropout → dense) through every command: derive in every
format with the rule ∂L/∂a_j = (m_j / p) δ_j, eval, gradcheck (full and directional),
codegen, graph, check and notes that compile."""

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

SPEC = str(SPECS / "dropout.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


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
    for method in ("full", "directional"):
        code, out, _ = run("gradcheck", SPEC, "--method", method)
        assert code == 0, out
        assert " disagree," not in out and "FAIL" not in out


def test_codegen_writes_a_module_that_checks_itself(tmp_path: Path) -> None:
    target = tmp_path / "grad.py"
    code, _, err = run("codegen", SPEC, "-o", str(target))
    assert code == 0, err
    done = subprocess.run([sys.executable, str(target)], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert done.returncode == 0 and ": ok" in done.stdout, done.stdout + done.stderr


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


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                    reason="pdflatex is not installed (under CI this fails instead)")
def test_the_notes_compile(tmp_path: Path) -> None:
    target = tmp_path / "notes.tex"
    code, _, err = run("notes", SPEC, "-o", str(target), "--pdf")
    assert code == 0, err
    assert (tmp_path / "notes.pdf").exists()
    assert "Through an (inverted) dropout layer" in target.read_text(encoding="utf-8")
