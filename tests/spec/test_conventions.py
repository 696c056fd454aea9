"""Constant, non-trainable biases: `bias: {value: 1, trainable: false}` on a layer."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from paths import SPECS

from symbackprop.errors import SpecError
from symbackprop.spec.load import load_spec

NET = ("inputs: [x1]\nlayers:\n  - {{size: 2, activation: tanh, bias: {bias}}}\n"
       "  - {{size: 1, activation: sigmoid}}\nloss: squared_error\n")


def _spec(tmp_path: Path, bias: str) -> Path:
    path = tmp_path / "net.yaml"
    path.write_text(NET.format(bias=bias), encoding="utf-8")
    return path


def test_a_constant_bias_is_a_number_not_a_parameter(tmp_path: Path) -> None:
    spec = load_spec(_spec(tmp_path, "{value: 1/2, trainable: false}"))
    assert spec.constants == (("u1_1", Fraction(1, 2)), ("u1_2", Fraction(1, 2)))
    assert {p.name for p in spec.params} == {"w_1_1_1", "w_1_2_1", "w_2_1_1", "w_2_1_2",
                                             "b_2_1"}
    assert {unit for unit, _ in spec.biases} == {"u2_1"}


def test_the_bundled_constant_bias_spec_has_only_weights() -> None:
    spec = load_spec(SPECS / "constant-bias-2-2-1.yaml")
    assert [p.kind for p in spec.params] == ["weight"] * 6
    assert dict(spec.constants) == {"h1": 1, "h2": 1, "o1": 1}


@pytest.mark.parametrize("bias, line_field, message", [
    ("{value: 1, trainable: true}", "bias.trainable", "`trainable` must be `false`"),
    ("{value: 1}", "bias", "trainable"),
    ("{trainable: false}", "bias", "value"),
    ("{value: one, trainable: false}", "bias.value", "expected a number"),
    ("{value: 1, trainable: false, name: b}", "bias", "name"),
])
def test_a_malformed_constant_bias_names_its_field(tmp_path: Path, bias: str, line_field: str,
                                                   message: str) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(_spec(tmp_path, bias))
    assert message in str(info.value)
    assert info.value.line == 3
    assert line_field in str(info.value)


# ------------------------------------------------------------------------- weight decay

DECAY = ("inputs: [x1]\nlayers: [{{size: 1, activation: tanh}}]\nloss: squared_error\n"
         "{decay}values:\n  inputs: {{x1: 1}}\n  targets: {{u1_1: 0}}\n{value}")


def test_weight_decay_is_declared_and_valued(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(DECAY.format(decay="weight_decay: {biases: true}\n",
                                 value="  weight_decay: 1/100\n"), encoding="utf-8")
    spec = load_spec(path)
    assert spec.weight_decay is not None and spec.weight_decay.biases
    assert spec.weight_decay.latex == r"\lambda"
    assert spec.values.weight_decay == 0.01
    assert spec.names.of("weight decay").latex == r"\lambda"


@pytest.mark.parametrize("decay, value, line, message", [
    ("", "  weight_decay: 0.1\n", 7, "the spec declares no weight decay"),
    ("weight_decay: {}\n", "  weight_decay: -0.1\n", 8, "must be 0 or more"),
    ("weight_decay: {biases: maybe}\n", "", 4, "expected `true` or `false`"),
    ("weight_decay: {bias: false}\n", "", 4, "bias"),
    ("weight_decay: {}\nnotation: {weight_decay: 'w^{[1]}_{1,1}'}\n", "", 5, "w_1_1_1"),
])
def test_a_malformed_weight_decay_names_its_line(tmp_path: Path, decay: str, value: str,
                                                 line: int, message: str) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(DECAY.format(decay=decay, value=value), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert message in str(info.value)
    assert info.value.line == line


# ------------------------------------------------------------------------ frozen parameters

# b1 is one bias shared by both layers
FROZEN = ("inputs: [x1, x2]\nlayers:\n"
          "  - {{name: hidden, units: [h1], activation: tanh, bias: b1, weights: [[w1, w2]]}}\n"
          "  - {{name: output, units: [o1], activation: sigmoid, bias: b1, weights: [[w3]]}}\n"
          "loss: squared_error\n{frozen}")


def _frozen(tmp_path: Path, frozen: str) -> Path:
    path = tmp_path / "net.yaml"
    path.write_text(FROZEN.format(frozen=frozen), encoding="utf-8")
    return path


def test_frozen_parameters_stay_parameters(tmp_path: Path) -> None:
    spec = load_spec(_frozen(tmp_path, "frozen: [w3, b1]\n"))
    assert spec.frozen == ("w3", "b1")
    assert [p.name for p in spec.params] == ["w1", "w2", "b1", "w3"]
    assert {unit for unit, b in spec.biases if b == "b1"} == {"h1", "o1"}


def test_without_the_key_nothing_is_frozen(tmp_path: Path) -> None:
    assert load_spec(_frozen(tmp_path, "")).frozen == ()


@pytest.mark.parametrize("frozen, field, message, hint", [
    ("frozen: [w4]\n", "frozen[0]", "no parameter called `w4` to freeze",
     "expected one of: `b1`, `w1`, `w2`, `w3`"),
    ("frozen: [w1, b2]\n", "frozen[1]", "no parameter called `b2` to freeze", "`b1`"),
    ("frozen: [x1]\n", "frozen[0]", "`x1` names the input `x1`, not a parameter",
     "only a weight or a bias"),
    ("frozen: [h1]\n", "frozen[0]", "`h1` names the unit `h1`, not a parameter", ""),
    ("frozen: [z_2_1]\n", "frozen[0]", "`z_2_1` names the net input of `o1`", ""),
    ("frozen: [L]\n", "frozen[0]", "`L` names the loss", ""),
    ("frozen: [w1, w1]\n", "frozen[1]", "`w1` is frozen twice", "list it once"),
    ("frozen: w1\n", "frozen", "expected a list", ""),
    ("frozen: [[w1]]\n", "frozen[0]", "expected text", ""),
    ("frozen: [w1, w2, w3, b1]\n", "frozen", "every parameter is frozen",
     "leave at least one"),
])
def test_a_wrong_frozen_entry_names_file_line_and_field(tmp_path: Path, frozen: str,
                                                        field: str, message: str,
                                                        hint: str) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(_frozen(tmp_path, frozen))
    text = str(info.value)
    assert info.value.line == 6
    assert text.startswith(f"{tmp_path / 'net.yaml'}:6: {field}: ")
    assert message in text and hint in text


def test_a_wrong_frozen_entry_exits_2_on_the_command_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from symbackprop.cli.app import main

    path = _frozen(tmp_path, "frozen:\n  - w1\n  - w_3\n")
    result = CliRunner().invoke(main, ["derive", str(path)])
    assert result.exit_code == 2
    assert f"{path}:8: frozen[1]: no parameter called `w_3` to freeze" in result.output
    assert "did you mean `w3`?" in result.output
