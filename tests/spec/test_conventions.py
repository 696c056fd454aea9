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
