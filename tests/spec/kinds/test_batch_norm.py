"""batch_norm layers in a spec over a batch: the layers below unrolled over the m examples with
shared weights, μ_B and σ_B² formulas of every example's unit, x̂_i and y_i per example, ε
read as a number or a fraction, and one located message (file, line, field, hint; exit
status 2) for every misplaced or malformed batch norm."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from spec_texts import load_error, load_text

from symbackprop.cli.app import main

SPEC = """inputs: {size: 2, batch: 3}
layers:
  - {name: hidden, units: 1, activation: tanh}
  - {name: norm, kind: batch_norm, epsilon: EPS}
loss: squared_error
"""


def _text(eps: str = "1e-5") -> str:
    return SPEC.replace("EPS", eps)


def test_the_batch_couples_the_examples_only_through_the_batch_norm(tmp_path: Path) -> None:
    spec = load_text(tmp_path, _text("1/3"))
    hidden, norm = spec.layers
    assert [i.name for i in spec.inputs] == ["x_1_1", "x_1_2", "x_2_1", "x_2_2", "x_3_1",
                                             "x_3_2"]
    assert spec.inputs[2].latex == "x^{(2)}_{1}"
    assert hidden.units == ("u1_1_1", "u1_2_1", "u1_3_1")
    # every example's unit reads that example's inputs through the same two weights
    assert sorted((e.source, e.target, e.weight) for e in spec.edges) == [
        (f"x_{i}_{k}", f"u1_{i}_1", f"w_1_1_{k}") for i in (1, 2, 3) for k in (1, 2)]
    assert sorted(spec.biases) == [(f"u1_{i}_1", "b_1_1") for i in (1, 2, 3)]
    g = norm.batch
    assert g is not None and g.epsilon == Fraction(1, 3) and g.examples == 3
    assert norm.units == ("u2_1_1", "u2_2_1", "u2_3_1") == spec.outputs
    formulas = {f.unit: (f.parents, f.params) for f in spec.formulas}
    assert formulas["u2_mu_1"] == (hidden.units, ())
    assert formulas["u2_var_1"] == ((*hidden.units, "u2_mu_1"), ())
    assert formulas["u2_hat_2_1"] == (("u1_2_1", "u2_mu_1", "u2_var_1"), ())
    assert formulas["u2_2_1"] == (("u2_hat_2_1",), ("gamma", "beta"))
    # with one unit per example, the paper's names
    latex = {u.name: u.latex for u in spec.units if u.layer == 2}
    assert (latex["u2_mu_1"], latex["u2_var_1"], latex["u2_hat_3_1"]) == (
        r"\mu_B", r"\sigma_B^2", r"\hat{x}_{3}")
    assert {p.name: (p.latex, p.kind) for p in spec.params if p.name in ("gamma", "beta")} \
        == {"gamma": (r"\gamma", "weight"), "beta": (r"\beta", "bias")}
    assert {spec.unit(u).group for u in norm.units} == {1, 2, 3}


def test_several_units_carry_their_index(tmp_path: Path) -> None:
    spec = load_text(tmp_path, _text().replace("units: 1, activation: tanh",
                                               "units: 2, activation: tanh"))
    latex = {u.name: u.latex for u in spec.units if u.layer == 2}
    assert latex["u2_mu_2"] == r"\mu_{B,2}" and latex["u2_hat_3_1"] == r"\hat{x}_{3,1}"
    assert {p.name for p in spec.params} >= {"gamma_1", "gamma_2", "beta_2"}
    assert spec.layers[1].units == ("u2_1_1", "u2_1_2", "u2_2_1", "u2_2_2", "u2_3_1",
                                    "u2_3_2")


def test_a_layer_after_the_batch_norm_is_applied_to_every_example(tmp_path: Path) -> None:
    spec = load_text(tmp_path, _text().replace(
        "loss: squared_error", "  - {units: 2, activation: softmax}\nloss: cross_entropy"))
    assert spec.layers[2].units == ("u3_1_1", "u3_1_2", "u3_2_1", "u3_2_2", "u3_3_1",
                                    "u3_3_2")
    assert spec.output_groups() == (("u3_1_1", "u3_1_2"), ("u3_2_1", "u3_2_2"),
                                  ("u3_3_1", "u3_3_2"))


def test_the_notation_names_the_example(tmp_path: Path) -> None:
    spec = load_text(tmp_path, "notation: {input: 'u_{{example}}'}\n" + _text().replace(
        "{name: hidden, units: 1, activation: tanh}",
        "{name: hidden, units: 1, activation: linear, notation: {net: 'x_{{example}}', "
        "activation: 'x_{{example}}', weight: 'w_{{k}}', bias: 'b'}}").replace(
        "size: 2", "size: 1"))
    assert [i.name for i in spec.inputs] == ["u_1", "u_2", "u_3"]
    assert spec.unit("u1_2_1").latex == "x_{2}" and {p.name for p in spec.params} == {
        "w_1", "b", "gamma", "beta"}


@pytest.mark.parametrize(("text", "field", "line", "words"), [
    (_text("0"), "layers[1].epsilon", 4, "epsilon must be positive"),
    (_text("small"), "layers[1].epsilon", 4, "number"),
    (_text().replace("batch: 3", "batch: 1"), "inputs.batch", 1, "variance 0"),
    (_text().replace("  - {name: hidden, units: 1, activation: tanh}\n", ""),
     "layers[0].kind", 3, "dense layer below it"),
    (_text().replace("inputs: {size: 2, batch: 3}", "inputs: {size: 2}"), "layers[1].kind",
     4, "over a batch"),
    (_text().replace("epsilon: 1e-5", "epsilon: 1e-5, eps: 2"), "layers[1].eps", 4, "eps"),
    (_text().replace("{name: hidden, units: 1", "{name: hidden, kind: dropout, p: 1, units: 1"),
     "layers[0].kind", 3, "dense and batch_norm layers"),
    (_text().replace(
        "loss:", "  - {units: 1, activation: tanh}\n  - {kind: batch_norm}\nloss:"),
     "layers[3].kind", 6, "one batch_norm layer"),
    ("notation: {net: 'z_{{index}}'}\n" + _text(), "notation.net", 1, "names the example"),
], ids=["zero", "word", "one-example", "first", "no-batch", "unknown-key", "other-kind",
        "two", "template-without-example"])
def test_a_bad_batch_norm_is_located(tmp_path: Path, text: str, field: str, line: int,
                                     words: str) -> None:
    error = load_error(tmp_path, text)
    assert error.field == field and words in error.message, (error.field, error.message)
    assert error.line == line
    assert error.file is not None and error.file.endswith("net.yaml") and error.hint


def test_the_command_line_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(_text("0"), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path)])
    assert result.exit_code == 2
    assert "net.yaml:4: layers[1].epsilon: epsilon must be positive" in result.output
