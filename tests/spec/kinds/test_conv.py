"""conv1d and conv2d layers in a spec: the units, shared parameters and edges they compile
into, their default names, and one located message for every malformed layer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from spec_texts import load_text

from symbackprop.cli.app import main
from symbackprop.errors import SpecError
from symbackprop.spec.load import NetworkSpec

HEAD = "inputs: {shape: [1, 3, 3]}\nlayers:\n"
TAIL = "  - {units: 1, activation: sigmoid}\nloss: binary_cross_entropy\n"


def _conv(tmp_path: Path, layer: str, head: str = HEAD) -> NetworkSpec:
    return load_text(tmp_path, head + f"  - {{{layer}}}\n" + TAIL)


def test_a_conv2d_layer_is_cross_correlation_with_shared_weights(tmp_path: Path) -> None:
    spec = _conv(tmp_path, "kind: conv2d, filters: 2, kernel: 2, activation: relu")
    assert [i.latex for i in spec.inputs[:2]] == ["x_{1,1,1}", "x_{1,1,2}"]
    assert spec.input_shape == (1, 3, 3)
    conv = spec.layers[0]
    assert conv.conv is not None and conv.conv.output == (2, 2, 2)
    assert len(conv.units) == 8
    unit = spec.unit("u1_2_1_2")  # filter 2, row 1, column 2
    assert (unit.net_latex, unit.latex, unit.delta_latex) == (
        "z^{[1]}_{2,1,2}", "a^{[1]}_{2,1,2}", r"\delta^{[1]}_{2,1,2}")
    # z_{2,1,2} = Σ_{m,n} w_{2,1,m,n} x_{1,m,1+n} + b_2: the window one column to the right
    into = [(e.source, e.weight) for e in spec.edges if e.target == "u1_2_1_2"]
    assert into == [("x_1_1_2", "w_1_2_1_1_1"), ("x_1_1_3", "w_1_2_1_1_2"),
                    ("x_1_2_2", "w_1_2_1_2_1"), ("x_1_2_3", "w_1_2_1_2_2")]
    assert dict(spec.biases)["u1_2_1_2"] == "b_1_2"
    latex = {p.name: p.latex for p in spec.params}
    assert latex["w_1_2_1_2_1"] == "w^{[1]}_{2,1,2,1}" and latex["b_1_2"] == "b^{[1]}_{2}"
    # 2 filters × 1 channel × 2 × 2 kernel weights, 2 biases, then 8 + 1 for the dense layer
    assert len(spec.params) == 8 + 2 + 9
    # every kernel weight is used at all four positions
    uses = [e.weight for e in spec.edges].count("w_1_1_1_1_1")
    assert uses == 4


def test_stride_and_padding_enter_the_index_map(tmp_path: Path) -> None:
    head = "inputs: {shape: [1, 4, 4]}\nlayers:\n"
    spec = _conv(tmp_path, "kind: conv2d, filters: 1, kernel: 3, stride: 2, padding: 1, "
                 "activation: tanh", head)
    assert spec.layers[0].conv is not None and spec.layers[0].conv.output == (1, 2, 2)
    # output (2, 2) reads rows and columns s(i−1) + m − p = 2 + m − 1 = m + 1, all inside
    into = {e.weight: e.source for e in spec.edges if e.target == "u1_1_2_2"}
    assert into["w_1_1_1_1_1"] == "x_1_2_2" and into["w_1_1_1_3_3"] == "x_1_4_4"
    # output (1, 1) meets the padding for m = 1 or n = 1: those taps have no edge
    corner = {e.weight: e.source for e in spec.edges if e.target == "u1_1_1_1"}
    assert len(corner) == 4 and corner["w_1_1_1_2_2"] == "x_1_1_1"


def test_conv1d_and_a_second_convolution_read_the_shape_before(tmp_path: Path) -> None:
    text = ("inputs: {shape: [2, 5]}\nlayers:\n"
            "  - {kind: conv1d, filters: 3, kernel: 2, activation: tanh, bias: none}\n"
            "  - {kind: conv1d, filters: 1, kernel: [2], stride: [2], activation: linear}\n"
            + TAIL)
    spec = load_text(tmp_path, text)
    first, second = (lay.conv for lay in spec.layers[:2])
    assert first is not None and first.output == (3, 4)
    assert second is not None and second.source == (3, 4) and second.output == (1, 2)
    assert not any(u.startswith("u1_") for u, _ in spec.biases)
    assert {p.latex for p in spec.params} >= {"w^{[2]}_{1,3,2}", "b^{[2]}_{1}"}


@pytest.mark.parametrize(("layer", "head", "field", "message"), [
    ("kind: conv3d, filters: 1, kernel: 2, activation: relu", HEAD, "layers[0].kind",
     "unknown layer kind `conv3d`"),
    ("kind: conv2d, kernel: 2, activation: relu", HEAD, "layers[0]",
     "missing required key `filters`"),
    ("kind: conv2d, filters: 1, kernel: 2, activation: relu, units: 3", HEAD,
     "layers[0].units", "unknown key `units`"),
    ("kind: conv2d, filters: 1, kernel: 4, activation: relu", HEAD, "layers[0].kernel",
     "does not fit"),
    ("kind: conv2d, filters: 1, kernel: 2, padding: 2, activation: relu", HEAD,
     "layers[0].padding", "not below the kernel size"),
    ("kind: conv2d, filters: 1, kernel: 2, padding: 1, stride: 4, activation: relu", HEAD,
     "layers[0].padding", "never meets the source"),
    ("kind: conv2d, filters: 0, kernel: 2, activation: relu", HEAD, "layers[0].filters",
     "whole number"),
    ("kind: conv2d, filters: 1, kernel: [2, 2, 2], activation: relu", HEAD,
     "layers[0].kernel", "expected 2 sizes"),
    ("kind: conv1d, filters: 1, kernel: 2, activation: relu", HEAD, "layers[0].kind",
     "shape [C, L]"),
    ("kind: conv2d, filters: 1, kernel: 2, activation: softmax", HEAD,
     "layers[0].activation", "softmax does not apply"),
    ("kind: conv2d, filters: 1, kernel: 2, activation: relu, bias: many", HEAD,
     "layers[0].bias", "unknown choice"),
    ("kind: conv2d, filters: 1, kernel: 2, activation: relu",
     "inputs: [a, b]\nlayers:\n", "layers[0].kind", "needs a shaped source"),
    ("kind: conv2d, filters: 1, kernel: 2, activation: relu",
     "inputs: {shape: [1, 0, 3]}\nlayers:\n", "inputs.shape[1]", "whole number"),
    ("kind: conv2d, filters: 1, kernel: 2, activation: relu",
     "inputs: {shape: 3}\nlayers:\n", "inputs.shape", "list of 2 or 3 sizes"),
    ("kind: conv2d, filters: 100000, kernel: 1, activation: relu", HEAD,
     "layers[0].filters", "more than"),
])
def test_a_malformed_convolution_is_one_located_message(
        tmp_path: Path, layer: str, head: str, field: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        _conv(tmp_path, layer, head)
    assert message in caught.value.message
    assert caught.value.field == field
    assert caught.value.line is not None


def test_a_convolution_after_a_dense_layer_is_refused(tmp_path: Path) -> None:
    text = (HEAD + "  - {units: 2, activation: tanh}\n"
            "  - {kind: conv1d, filters: 1, kernel: 1, activation: tanh}\n" + TAIL)
    with pytest.raises(SpecError, match="needs a shaped source") as caught:
        load_text(tmp_path, text)
    assert caught.value.line == 4


def test_the_command_line_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(HEAD + "  - {kind: conv2d, filters: 1, kernel: 5, activation: relu}\n"
                    + TAIL, encoding="utf-8")
    result = CliRunner().invoke(main, ["derive", str(path)])
    assert result.exit_code == 2
    assert "net.yaml:3" in result.output and "Traceback" not in result.output


def test_kind_dense_is_the_layer_without_a_kind(tmp_path: Path) -> None:
    plain = load_text(tmp_path,
                      "inputs: [a, b]\nlayers:\n  - {units: 2, activation: tanh}\n" + TAIL)
    named = load_text(tmp_path, "inputs: [a, b]\nlayers:\n"
                      "  - {kind: dense, units: 2, activation: tanh}\n" + TAIL)
    assert (named.units, named.edges, named.params) == (plain.units, plain.edges, plain.params)
    assert named.layers[0].conv is None
