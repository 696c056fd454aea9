"""The matrix code of layered networks against the lambdified δ-form."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from layered_specs import random_layered, write_spec
from paths import numeric_specs

from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.evaluation import VECTORIZE_ABOVE, _mean_pass, evaluate
from symbackprop.numeric.lambdified import compile_network
from symbackprop.numeric.points import random_values
from symbackprop.numeric.vectorized import compile_layered, layered_plan, vectorize
from symbackprop.spec.load import Values, load_spec

SPECS = numeric_specs()  # the specs with numbers: a loss with a formula


def _net(path: Path) -> Network:
    """The network of ``path``; an unspecified f (seed 000) evaluated as tanh, asked for."""
    net = build_network(load_spec(path))
    return net.with_stand_ins(dict.fromkeys(net.functions, "tanh"))


def _compare(net: Network, seed: int, examples: int = 3) -> None:
    """Loss, gradient, unit values and δ of the matrix code equal the lambdified δ-form."""
    vec = vectorize(net)
    assert vec is not None
    values = random_values(net, seed=seed, examples=examples)
    compiled = compile_network(net, derive(net), module="numpy")
    loss, grads, per_example = _mean_pass(compiled, dict(values.params), values)
    x = vec.batch([e.inputs for e in values.examples], vec.plan.inputs)
    t = vec.batch([e.targets for e in values.examples], vec.plan.outputs)
    batch = vec.run(vec.pack(values.params), x, t)
    assert batch.loss == pytest.approx(loss, rel=1e-12, abs=1e-15)
    got = vec.unpack(batch.gradient)
    for name, expected in grads.items():
        assert got[name] == pytest.approx(expected, rel=1e-10, abs=1e-14), name
    for i, ex in enumerate(per_example):
        assert batch.losses[i] == pytest.approx(ex.loss, rel=1e-12, abs=1e-15)
        for unit, v in ex.units.items():
            assert batch.outs[unit][i] == pytest.approx(v["out"], rel=1e-12, abs=1e-15)
            assert batch.nets[unit][i] == pytest.approx(v["net"], rel=1e-12, abs=1e-15)


# a shared bias, a skip connection, a constant bias, a frozen parameter, weight decay, a
# convolution or pooling layer (not a full weight matrix), an unrolled recurrent layer and a
# dropout, embedding, normalisation, attention, LSTM or GRU layer (no weighted sum alone)
# have no matrix code
LAYERED = [p for p in SPECS if p.stem not in (
    "relu-mlp", "skip-connection", "constant-bias-2-2-1", "weight-decay-2-2-1",
    "frozen-weight-2-2-1", "conv2d-3x3", "conv-pool", "rnn-bptt", "dropout", "embedding",
    "seed-001-mx-plus-c", "layernorm", "batchnorm", "attention", "lstm", "gru")]


@pytest.mark.parametrize("path", LAYERED, ids=lambda p: p.stem)
def test_matrix_code_matches_delta_form_on_specs(path: Path) -> None:
    _compare(_net(path), seed=3)


@pytest.mark.parametrize("seed", range(8))
def test_matrix_code_matches_delta_form_on_random_nets(tmp_path: Path, seed: int) -> None:
    _compare(_net(random_layered(tmp_path, seed)), seed=seed)


def test_shared_and_reordered_parameters(tmp_path: Path) -> None:
    """Weights named out of order and shared between units add their gradients up."""
    path = tmp_path / "shared.yaml"
    path.write_text(
        "inputs: [x1, x2]\n"
        "layers:\n"
        "  - {name: h, units: [h1, h2], activation: tanh, bias: c,\n"
        "     weights: [[w4, w1], [w1, w3]]}\n"
        "  - {name: o, units: [o1], activation: sigmoid, bias: [d], weights: [[v, v]]}\n"
        "loss: squared_error\n", encoding="utf-8")
    net = _net(path)
    plan = layered_plan(net)
    assert plan is not None
    assert [lay.weights.kind for lay in plan.layers] == ["index", "shared"]
    assert plan.layers[0].bias is not None and plan.layers[0].bias.kind == "shared"
    _compare(net, seed=5)


def test_output_layer_stays_finite_at_extreme_net_inputs(tmp_path: Path) -> None:
    for act, loss in (("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy"),
                      ("softplus", "squared_error"), ("sigmoid", "cross_entropy")):
        net = _net(write_spec(tmp_path, f"x-{act}-{loss}", 1, [(2, act)], loss))
        plan = layered_plan(net)
        assert plan is not None
        vec = compile_layered(plan)
        theta = np.array([1.0, -1.0, 0.0, 0.0])  # z = (x, −x)
        x = np.array([[1000.0], [-1000.0]])
        t = np.array([[0.3, 0.7], [0.6, 0.4]])
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            batch = vec.run(theta, x, t)
        assert np.all(np.isfinite(batch.losses)), (act, loss)
        assert np.all(np.isfinite(batch.gradient)), (act, loss)
        assert batch.loss > 100  # a confident wrong answer costs about |z|


def test_softmax_cross_entropy_is_exact_for_any_targets(tmp_path: Path) -> None:
    """δ = a Σt − t: right even when the targets do not sum to 1 (checked by differences)."""
    net = _net(write_spec(tmp_path, "sm", 3, [(4, "tanh"), (3, "softmax")], "cross_entropy"))
    vec = vectorize(net)
    assert vec is not None
    rng = np.random.default_rng(0)
    theta = rng.uniform(-1, 1, vec.size)
    x, t = rng.uniform(-2, 2, (5, 3)), rng.uniform(0, 1, (5, 3))
    g = vec.run(theta, x, t).gradient
    h = 1e-6
    for k in range(vec.size):
        e = np.zeros(vec.size)
        e[k] = h
        numeric = (vec.cost(theta + e, x, t) - vec.cost(theta - e, x, t)) / (2 * h)
        assert g[k] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_evaluate_uses_matrix_code_for_large_nets(tmp_path: Path) -> None:
    net = _net(write_spec(tmp_path, "wide", 20, [(20, "sigmoid"), (5, "sigmoid")],
                          "squared_error"))
    assert len(net.params) > VECTORIZE_ABOVE
    values = random_values(net, seed=2, examples=2)
    result = evaluate(net, derive(net), Values(values.params, 0.1, values.examples), steps=2)
    compiled = compile_network(net, derive(net), module="numpy")
    loss, grads, per_example = _mean_pass(compiled, dict(values.params), values)
    assert result.loss == pytest.approx(loss, rel=1e-12)
    for unit, v in per_example[0].units.items():
        assert result.units[unit] == pytest.approx(v, rel=1e-12)
    for name, g in grads.items():
        assert result.gradients[name] == pytest.approx(g, rel=1e-9, abs=1e-15)
    assert len(result.history) == 3 and result.history[-1] < result.history[0]


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "softplus"])
def test_products_leave_the_batch_as_the_long_dimension(tmp_path: Path, hidden: str) -> None:
    """Each z and a comes out column-major (the product runs as (W aᵀ)ᵀ), and so does every
    hidden δ: the gradient product δᵀ a gets a row-major δᵀ, BLAS's fastest operand."""
    net = _net(write_spec(tmp_path, hidden, 6, [(5, hidden), (4, hidden), (3, "sigmoid")],
                          "squared_error"))
    vec = vectorize(net)
    assert vec is not None
    rng = np.random.default_rng(1)
    theta = rng.uniform(-1, 1, vec.size)
    x, t = rng.uniform(-2, 2, (40, 6)), rng.uniform(0, 1, (40, 3))
    _, _, zs, acts, deltas = vec.core(theta, x, t)
    assert all(z.flags.f_contiguous and not z.flags.c_contiguous for z in zs)
    assert all(a.flags.f_contiguous for a in acts)
    assert all(d.T.flags.c_contiguous for d in deltas[:-1])
