"""Spec reading: valid specs load, malformed ones give one located message and exit 2."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from paths import ROOT

from symbackprop.errors import SpecError
from symbackprop.spec.load import load_spec, load_values

SPECS = sorted((ROOT / "specs").glob("*.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_every_bundled_spec_loads(path: Path) -> None:
    spec = load_spec(path)
    assert spec.params, "a network without parameters has nothing to derive"
    assert spec.outputs


def test_empty_file_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "empty.yaml"
    p.write_text("   \n")
    with pytest.raises(SpecError, match="empty"):
        load_spec(p)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        load_spec(tmp_path / "nope.yaml")


def test_seed_004_is_wired_as_the_seed_writes_it() -> None:
    spec = load_spec(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml")
    edges = {(e.source, e.target): e.weight for e in spec.edges}
    assert edges == {
        ("i1", "h1"): "w1", ("i2", "h1"): "w2", ("i1", "h2"): "w3", ("i2", "h2"): "w4",
        ("h1", "o1"): "w5", ("h2", "o1"): "w6", ("h1", "o2"): "w7", ("h2", "o2"): "w8",
    }
    assert dict(spec.biases) == {"h1": "b1", "h2": "b1", "o1": "b2", "o2": "b2"}
    assert spec.loss.factor == Fraction(1, 2)
    assert spec.unit("h1").net_latex == "in_{h1}"
    assert spec.unit("o1").target_latex == "target_{o1}"
    assert spec.values.learning_rate == 0.5
    assert spec.values.examples[0].inputs == {"i1": 0.05, "i2": 0.10}


def test_default_layer_indexed_names_follow_seed_001() -> None:
    spec = load_spec(ROOT / "specs" / "seed-001-linear-1-1-2-1.yaml")
    latex = {p.latex for p in spec.params}
    assert {"w^{[1]}_{1,1}", "b^{[1]}_{1}", "w^{[2]}_{2,1}", "w^{[3]}_{1,2}",
            "b^{[3]}_{1}"} <= latex
    assert len(spec.params) == 9  # the seed lists nine parameters


def test_seed_002_indexes_weights_by_source_layer() -> None:
    spec = load_spec(ROOT / "specs" / "seed-002-four-layer.yaml")
    by_latex = {p.latex: p.name for p in spec.params}
    # w^2_{22} connects a^2_2 to z^3_2
    name = by_latex["w^{2}_{22}"]
    edge = next(e for e in spec.edges if e.weight == name)
    assert spec.unit(edge.source).latex == "a^{2}_{2}"
    assert spec.unit(edge.target).net_latex == "z^{3}_{2}"


def test_bias_shared_across_layers_is_one_parameter() -> None:
    spec = load_spec(ROOT / "specs" / "seed-003-stackexchange-chain.yaml")
    assert [b for _, b in spec.biases] == ["b", "b"]
    assert [p.name for p in spec.params if p.kind == "bias"] == ["b"]


def test_toml_and_json_read_the_same_schema(tmp_path: Path) -> None:
    toml = tmp_path / "net.toml"
    toml.write_text('inputs = ["x1", "x2"]\nloss = "squared_error"\n\n[[layers]]\n'
                    'size = 2\nactivation = "tanh"\n\n[[layers]]\nsize = 1\n'
                    'activation = "sigmoid"\n')
    json_file = tmp_path / "net.json"
    json_file.write_text('{"inputs": ["x1", "x2"], "loss": "squared_error", "layers": '
                         '[{"size": 2, "activation": "tanh"}, '
                         '{"size": 1, "activation": "sigmoid"}]}')
    yaml_file = tmp_path / "net.yaml"
    yaml_file.write_text("inputs: [x1, x2]\nloss: squared_error\nlayers:\n"
                         "  - {size: 2, activation: tanh}\n  - {size: 1, activation: sigmoid}\n")
    a, b, c = (load_spec(p) for p in (toml, json_file, yaml_file))
    assert a.params == b.params == c.params
    assert a.edges == b.edges == c.edges


def test_toml_error_names_line(tmp_path: Path) -> None:
    p = tmp_path / "net.toml"
    p.write_text('inputs = ["x1"]\nloss = "squared_error"\n\n[[layers]]\nsize = 1\n'
                 'activaton = "tanh"\n')
    with pytest.raises(SpecError) as info:
        load_spec(p)
    assert info.value.line == 6
    assert "did you mean `activation`" in str(info.value)


def test_values_file_reads_values_block(tmp_path: Path) -> None:
    spec = load_spec(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml")
    p = tmp_path / "at.yaml"
    p.write_text("inputs: {i1: 1, i2: 2}\ntargets: {o1: 0, o2: 1}\nlearning_rate: 0.1\n")
    values = load_values(p, spec)
    assert values.examples[0].inputs == {"i1": 1.0, "i2": 2.0}
    assert values.learning_rate == 0.1
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: {i3: 1}\ntargets: {o1: 0}\n")
    with pytest.raises(SpecError, match="no input called `i3`"):
        load_values(bad, spec)


def test_targets_may_be_keyed_by_the_names_derive_prints(tmp_path: Path) -> None:
    # seed 001 prints its target as y and seed 004 as target_o1: a values file may use
    # those names as well as the output units' own (u3_1, o1), but not both for one unit
    seed_001 = load_spec(ROOT / "specs" / "seed-001-linear-1-1-2-1.yaml")
    seed_004 = load_spec(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml")
    p = tmp_path / "at.yaml"
    p.write_text("inputs: {x: 3}\ntargets: {y: 1/4}\n")
    assert load_values(p, seed_001).examples[0].targets == {"u3_1": 0.25}
    p.write_text("inputs: {i1: 1, i2: 2}\ntargets: {target_o1: 0.5, o2: 1}\n")
    assert load_values(p, seed_004).examples[0].targets == {"o1": 0.5, "o2": 1.0}
    p.write_text("inputs: {i1: 1, i2: 2}\ntargets: {o1: 0.5, target_o1: 1}\n")
    with pytest.raises(SpecError, match=r"at.yaml:2: values.targets.target_o1: "
                       r"`target_o1` and `o1` are both the target of `o1`"):
        load_values(p, seed_004)
    p.write_text("inputs: {i1: 1, i2: 2}\ntargets: {target_o3: 0.5}\n")
    with pytest.raises(SpecError, match="no output unit called `target_o3`"):
        load_values(p, seed_004)


@pytest.mark.parametrize("snippet, message", [
    ("inputs: [x1]\nlayers: [{size: 1, activation: {kind: leaky_relu, alpha: x}}]\n"
     "loss: squared_error\n", "expected a number"),
    ("inputs: [x1]\nlayers: [{size: 1, activation: tanh, bias: [b1, b2]}]\n"
     "loss: squared_error\n", "expected 1 bias names"),
    ("inputs: [x1]\nlayers: [{units: [x1], activation: tanh}]\nloss: squared_error\n",
     "unit name `x1` is already used"),
    ("inputs: [x1]\nlayers: [{units: [h], activation: tanh, weights: [[w]], bias: w}]\n"
     "loss: squared_error\n", "used both as a weight and as a bias"),
    ("inputs: [x1]\nlayers:\n  - {size: 2, activation: softmax}\n  - {size: 1, "
     "activation: tanh}\nloss: squared_error\n", "softmax is supported only on the output"),
    ("inputs: [x1]\nlayers: [{size: 1, activation: tanh, from: [nowhere]}]\n"
     "loss: squared_error\n", "no layer, input or unit called `nowhere`"),
    ("inputs: []\nlayers: [{size: 1, activation: tanh}]\nloss: squared_error\n",
     "at least one input"),
    ("inputs: [x1]\nlayers: [{size: 1, activation: tanh}]\n"
     "loss: {kind: squared_error, reduction: avg}\n", "unknown reduction `avg`"),
    ("inputs: [x1]\nlayers: [{size: 1, activation: softmax}]\nloss: bce\n",
     "a softmax layer of one unit always outputs 1"),
    ("inputs: [x1]\nlayers: [{size: 1, activation: softmax}]\nloss: cross_entropy\n",
     "a softmax layer of one unit always outputs 1: nothing reaches the loss"),
    ("inputs: [x1]\nlayers: [{size: 1, activation: softmax}]\nloss: squared_error\n",
     "every gradient would be 0"),
    ("inputs: [x1]\nlayers: [{size: 2, activation: tanh}]\nloss: bce\n",
     "a tanh output can be negative"),
])
def test_invalid_networks_are_rejected(tmp_path: Path, snippet: str, message: str) -> None:
    p = tmp_path / "net.yaml"
    p.write_text(snippet)
    with pytest.raises(SpecError) as info:
        load_spec(p)
    assert message in str(info.value)
    assert info.value.line is not None


def test_softmax_cross_entropy_targets_must_be_a_distribution(tmp_path: Path) -> None:
    p = tmp_path / "net.yaml"
    p.write_text("inputs: [x]\nlayers: [{size: 2, activation: softmax}]\nloss: cross_entropy\n"
                 "values:\n  inputs: {x: 1}\n  targets: {u1_1: 0.5, u1_2: 0.7}\n")
    with pytest.raises(SpecError, match="sum to 1") as info:
        load_spec(p)
    assert info.value.line == 6
    p.write_text(p.read_text().replace("0.7", "0.5"))
    assert load_spec(p).values.examples[0].targets == {"u1_1": 0.5, "u1_2": 0.5}


def test_the_matrix_layout_is_column_or_row(tmp_path: Path) -> None:
    base = "inputs: [x1]\nlayers:\n  - {size: 1, activation: linear}\nloss: squared_error\n"
    p = tmp_path / "layout.yaml"
    p.write_text(base, encoding="utf-8")
    assert load_spec(p).notation.layout == "column"
    p.write_text("notation: {layout: row}\n" + base, encoding="utf-8")
    assert load_spec(p).notation.layout == "row"
    p.write_text("notation: {layout: rows}\n" + base, encoding="utf-8")
    with pytest.raises(SpecError, match=r"notation\.layout: unknown choice `rows`") as info:
        load_spec(p)
    assert "row" in str(info.value.hint or info.value)


def test_binary_cross_entropy_may_be_summed_over_a_softmax_layer(tmp_path: Path) -> None:
    p = tmp_path / "net.yaml"
    p.write_text("inputs: [x]\nlayers: [{size: 3, activation: softmax}]\nloss: bce\n"
                 "values:\n  inputs: {x: 1}\n  targets: {u1_1: 1, u1_2: 1, u1_3: 0}\n")
    spec = load_spec(p)
    assert spec.loss.kind == "binary_cross_entropy"
    # the targets are one probability per output, not a distribution over the layer
    assert sum(spec.values.examples[0].targets.values()) == 2
