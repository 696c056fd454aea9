"""derive prints a convolution parameter's gradient as one sum over positions, and check
reads that line back: correct as printed, incorrect with the kernel flipped or with one
position only; a dense network prints no such line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.check import Checker
from symbackprop.check.judging.verdict import check_formula
from symbackprop.cli.app import main
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

SPEC = """\
inputs: {shape: [1, 3, 3]}
layers:
  - {kind: conv2d, filters: 1, kernel: 2, activation: tanh}
  - {units: 1, activation: sigmoid}
loss: binary_cross_entropy
"""
LHS = r"\frac{\partial L}{\partial w^{[1]}_{1,1,2,1}} = "


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("conv") / "net.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def checker(spec: Path) -> Checker:
    return Checker(build_network(load_spec(spec)))


def test_derive_prints_the_sum_over_positions(spec: Path) -> None:
    printed = CliRunner().invoke(main, ["derive", str(spec), "--param", "w_1_1_1_2_1",
                                        "--format", "latex"])
    assert printed.exit_code == 0, printed.output
    assert LHS.rstrip(" =") + r" &= \sum_{i=1}^{2}\sum_{j=1}^{2} \delta^{[1]}_{1,i,j} " \
        r"x_{1,i+1,j} \\" in printed.output
    text = CliRunner().invoke(main, ["derive", str(spec), "--param", "b_1_1"]).output
    assert "  = Σ_{i=1}^{2} Σ_{j=1}^{2} δ^{[1]}_{1,i,j}\n" in text


@pytest.mark.parametrize(("formula", "verdict"), [
    (r"\sum_{i=1}^{2}\sum_{j=1}^{2} \delta^{[1]}_{1,i,j} x_{1,i+1,j}", "correct"),
    # the kernel flipped: x_{c, i−m+2, j−n+2} reads tap (2, 1) where (1, 2) belongs
    (r"\sum_{i=1}^{2}\sum_{j=1}^{2} \delta^{[1]}_{1,i,j} x_{1,i,j+1}", "incorrect"),
    # one position instead of the sum over positions
    (r"\delta^{[1]}_{1,1,1} x_{1,2,1}", "incorrect"),
])
def test_check_reads_the_index_form(checker: Checker, formula: str, verdict: str) -> None:
    assert check_formula(checker, None, LHS + formula).verdict == verdict


def test_a_dense_network_prints_no_index_form() -> None:
    from paths import SPECS

    printed = CliRunner().invoke(main, ["derive", str(SPECS / "seed-004-mazur-2-2-2.yaml"),
                                        "--format", "latex"]).output
    assert r"\sum" not in printed
