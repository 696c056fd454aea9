"""layer_norm layers in a spec: μ, σ² and y_j as formulas of the layer below, of μ and σ², and
of γ_j and β_j,
ε read as a number or a fraction, and one located message (file, line, field, hint; exit
status 2) for every misplaced or malformed layer norm."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from spec_texts import load_error, load_text

from symbackprop.cli.app import main

SPEC = """inputs: {size: 2}
layers:
  - {name: hidden, units: 3, activation: tanh}
  - {name: norm, kind: layer_norm, epsilon: EPS}
  - {units: 1, activation: linear}
loss: squared_error
"""


def _text(eps: str = "1e-5") -> str:
    return SPEC.replace("EPS", eps)


def test_a_layer_norm_unit_is_a_formula_of_the_layer_below_with_gamma_and_beta(
        tmp_path: Path) -> None:
    spec = load_text(tmp_path, _text("1/3"))
    norm = spec.layers[1]
    assert norm.norm is not None and norm.norm.epsilon == Fraction(1, 3)
    assert norm.units == ("u2_1", "u2_2", "u2_3") and norm.activation.kind == "linear"
    below = ("u1_1", "u1_2", "u1_3")
    assert [(f.unit, f.parents, f.params) for f in spec.formulas] == [
        ("u2_mu", below, ()), ("u2_var", (*below, "u2_mu"), ()),
        *((f"u2_{j}", (f"u1_{j}", "u2_mu", "u2_var"), (f"gamma_{j}", f"beta_{j}"))
          for j in (1, 2, 3))]
    # μ and σ² are units of the layer under the names the paper gives them
    assert {u.name: u.latex for u in spec.units if u.layer == 2} == {
        "u2_mu": r"\mu", "u2_var": r"\sigma^{2}", **{f"u2_{j}": f"a^{{[2]}}_{{{j}}}"
                                                   for j in (1, 2, 3)}}
    latex = {p.name: (p.latex, p.kind) for p in spec.params}
    assert latex["gamma_2"] == (r"\gamma_{2}", "weight")
    assert latex["beta_3"] == (r"\beta_{3}", "bias")
    assert {e.source for e in spec.edges if e.target == "u3_1"} == {"u2_1", "u2_2", "u2_3"}
    assert not any(e.target.startswith("u2_") for e in spec.edges)


def test_epsilon_defaults_to_one_in_a_hundred_thousand(tmp_path: Path) -> None:
    spec = load_text(tmp_path, _text().replace(", epsilon: 1e-5", ""))
    assert spec.layers[1].norm is not None
    assert spec.layers[1].norm.epsilon == Fraction(1, 100000)


def test_two_layer_norms_carry_their_layer_as_a_superscript(tmp_path: Path) -> None:
    spec = load_text(tmp_path, _text().replace(
        "  - {units: 1", "  - {units: 2, activation: tanh}\n"
        "  - {name: norm2, kind: layer_norm}\n  - {units: 1"))
    latex = {p.name: p.latex for p in spec.params}
    assert latex["gamma_2_1"] == r"\gamma^{[2]}_{1}"
    assert latex["beta_4_2"] == r"\beta^{[4]}_{2}"
    assert spec.unit("u4_mu").latex == r"\mu^{[4]}"
    assert spec.unit("u2_var").latex == r"(\sigma^{[2]})^{2}"


@pytest.mark.parametrize(("text", "field", "line", "words"), [
    (_text("0"), "layers[1].epsilon", 4, "epsilon must be positive"),
    (_text("-1e-5"), "layers[1].epsilon", 4, "epsilon must be positive"),
    (_text("small"), "layers[1].epsilon", 4, "number"),
    (_text().replace("units: 3, activation: tanh", "units: 1, activation: tanh"),
     "layers[1].kind", 4, "always outputs β"),
    (_text().replace("  - {units: 1, activation: linear}\n", ""), "layers[1].kind", 4,
     "cannot be the last layer"),
    (_text().replace("  - {name: hidden, units: 3, activation: tanh}\n", ""),
     "layers[0].kind", 3, "cannot be the first layer"),
    (_text().replace("epsilon: 1e-5", "epsilon: 1e-5, eps: 2"), "layers[1].eps", 4, "eps"),
    (_text() + "edges:\n  - {from: x1, to: u2_1, weight: v}\n", "edges[0].to", 8,
     "is a layer_norm unit"),
], ids=["zero", "negative", "word", "size-one", "last", "first", "unknown-key", "edge-into"])
def test_a_bad_layer_norm_is_located(tmp_path: Path, text: str, field: str, line: int,
                                     words: str) -> None:
    error = load_error(tmp_path, text)
    assert error.field == field and words in error.message, (error.field, error.message)
    assert error.line == line
    assert error.file is not None and error.file.endswith("net.yaml") and error.hint


def test_a_layer_norm_after_a_dropout_layer_is_refused(tmp_path: Path) -> None:
    error = load_error(tmp_path, _text().replace(
        "  - {name: norm", "  - {name: drop, kind: dropout, p: 1}\n  - {name: norm")
        + "values: {mask: {drop: [1, 1, 1]}}\n")
    assert error.field == "layers[2].kind" and "reads a dense layer" in error.message


def test_the_command_line_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(_text("0"), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path)])
    assert result.exit_code == 2
    assert "net.yaml:4: layers[1].epsilon: epsilon must be positive" in result.output
