"""Which networks are layered, and where each W^l and b^l lives in θ."""

from __future__ import annotations

from pathlib import Path

import pytest
from layered_specs import write_spec
from paths import ROOT, numeric_specs

from symbackprop.network.build import Network, build_network
from symbackprop.numeric.layered_plan import Block, layered_plan
from symbackprop.spec.load import load_spec

SPECS = numeric_specs()  # the specs with numbers: a loss with a formula


def _net(path: Path) -> Network:
    """The network of ``path``; an unspecified f (seed 000) evaluated as tanh, asked for."""
    net = build_network(load_spec(path))
    return net.with_stand_ins(dict.fromkeys(net.functions, "tanh"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_layered_detection(path: Path) -> None:
    # relu-mlp mixes activations within a layer; skip-connection has skip edges; a constant
    # bias or a frozen parameter has no block of θ and the matrix code has no weight decay, so
    # those networks are computed by the scalar code; a convolution or pooling layer is not a
    # full weight matrix, an unrolled recurrent layer shares its weights over steps, and a
    # dropout, embedding, normalisation, attention, LSTM or GRU layer or a formula node is no
    # weighted sum
    assert (layered_plan(_net(path)) is None) == (path.stem in (
        "relu-mlp", "skip-connection", "constant-bias-2-2-1", "weight-decay-2-2-1",
        "frozen-weight-2-2-1", "conv2d-3x3", "conv-pool", "rnn-bptt", "dropout", "embedding",
        "seed-001-mx-plus-c", "layernorm", "batchnorm", "attention", "lstm", "gru"))


def test_weights_in_spec_order_are_slices_of_theta() -> None:
    plan = layered_plan(_net(ROOT / "benchmarks" / "specs" / "mlp-784-30-10.yaml"))
    assert plan is not None
    assert plan.sizes == (784, 30, 10)
    blocks = [(b.kind, b.start, b.shape) for lay in plan.layers
              for b in (lay.weights, lay.bias) if b is not None]
    assert blocks == [("slice", 0, (30, 784)), ("slice", 23520, (30,)),
                      ("slice", 23550, (10, 30)), ("slice", 23850, (10,))]


def test_shared_and_reordered_names_are_gathered(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(
        "inputs: [x1, x2]\n"
        "layers:\n"
        "  - {name: h, units: [h1, h2], activation: tanh, bias: c,\n"
        "     weights: [[w4, w1], [w1, w3]]}\n"
        "  - {name: o, units: [o1], activation: sigmoid, bias: [d], weights: [[v, v]]}\n"
        "loss: squared_error\n", encoding="utf-8")
    plan = layered_plan(_net(path))
    assert plan is not None
    first, second = plan.layers
    assert first.weights.kind == "index" and first.bias is not None
    assert first.bias.kind == "shared"
    assert second.weights.kind == "shared" and second.weights.shape == (1, 2)
    names = plan.param_names
    assert [names[i] for i in first.weights.index] == ["w4", "w1", "w1", "w3"]


def test_a_layer_without_biases_has_none(tmp_path: Path) -> None:
    net = _net(write_spec(tmp_path, "nobias", 2, [(3, "tanh"), (1, "linear")], "squared_error",
                          bias="none"))
    plan = layered_plan(net)
    assert plan is not None
    assert [lay.activation for lay in plan.layers] == ["tanh", "linear"]
    assert [lay.bias for lay in plan.layers] == [None, None]
    assert plan.layers[0].weights == Block("slice", (3, 2), start=0)
