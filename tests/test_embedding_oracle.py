"""Embedding layers against an outside reference: the network written directly in array code
(the table E indexed by the token ids, ``E[tokens]``, flattened, optionally a dense layer, a
dense output layer) and differentiated by autograd, whose gradient of an indexed array adds
the gradients of repeated indices, over generated specs (sequence lengths, vocabularies,
widths, tokens with and without repeats, activations, losses). The package's compiled
gradients equal autograd's for every parameter and ``gradcheck`` passes; the bundled spec
(specs/embedding.yaml) agrees as well.

The reference reads only the case it writes as YAML and the documented default names, never
the package's units, edges or biases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import autograd.numpy as anp
import numpy as np
import pytest
import yaml
from autograd import grad
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import activation, agrees_with_reference, mismatches, output_loss, tool_runs
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.spec.load import load_spec

ACTIVATIONS = ("tanh", "sigmoid", "linear", "softplus")


@dataclass(frozen=True)
class EmbeddingCase:
    """T token ids into a table of V rows of width d, an optional dense layer, an output."""

    tokens: tuple[int, ...]  # ids from 1
    vocabulary: int
    dim: int
    hidden: tuple[int, str] | None  # units, activation
    outputs: int
    output_activation: str
    loss: str


def reference_loss(case: EmbeddingCase, theta: dict[str, Any], y: Any) -> Any:
    e = theta["E"][np.array(case.tokens) - 1]  # (T, d): one row per position
    a = anp.reshape(e, (-1,))  # position-major, as the units u1_t_k are numbered
    if case.hidden is not None:
        a = activation(case.hidden[1], anp.dot(theta["W"], a) + theta["b"])
    z = anp.dot(theta["V"], a) + theta["c"]
    return output_loss(case.output_activation, case.loss, z, y)


def spec_text(case: EmbeddingCase) -> str:
    layers: list[dict[str, Any]] = [{"name": "embed", "kind": "embedding",
                                     "vocabulary": case.vocabulary, "dim": case.dim}]
    if case.hidden is not None:
        layers.append({"units": case.hidden[0], "activation": case.hidden[1]})
    layers.append({"units": case.outputs, "activation": case.output_activation})
    return yaml.safe_dump({"inputs": {"tokens": len(case.tokens)}, "layers": layers,
                           "loss": case.loss, "values": {"tokens": list(case.tokens)}})


def arrays(case: EmbeddingCase, rng: np.random.Generator) -> dict[str, np.ndarray]:
    theta = {"E": rng.uniform(-1, 1, (case.vocabulary, case.dim))}
    width = len(case.tokens) * case.dim
    if case.hidden is not None:
        theta["W"] = rng.uniform(-1, 1, (case.hidden[0], width))
        theta["b"] = rng.uniform(-1, 1, case.hidden[0])
        width = case.hidden[0]
    theta["V"] = rng.uniform(-1, 1, (case.outputs, width))
    theta["c"] = rng.uniform(-1, 1, case.outputs)
    return theta


def named(case: EmbeddingCase, theta: dict[str, np.ndarray]) -> dict[str, float]:
    """Entries under the default names: the table's E_v_k, the dense layers' w_l_j_k, b_l_j
    with l the number of the layer a weight leads into."""
    last = 3 if case.hidden is not None else 2
    heads = {"E": "E", "W": "w_2", "b": "b_2", "V": f"w_{last}", "c": f"b_{last}"}
    out: dict[str, float] = {}
    for name, array in theta.items():
        for at in np.ndindex(*array.shape):
            out[f"{heads[name]}_" + "_".join(str(i + 1) for i in at)] = float(array[at])
    return out


@st.composite
def embedding_cases(draw: st.DrawFn) -> EmbeddingCase:
    vocabulary = draw(st.integers(1, 4))
    tokens = tuple(draw(st.lists(st.integers(1, vocabulary), min_size=1, max_size=4)))
    hidden = draw(st.none() | st.tuples(st.integers(1, 3), st.sampled_from(ACTIVATIONS)))
    loss = draw(st.sampled_from(("squared_error", "binary_cross_entropy", "cross_entropy")))
    outputs = {"binary_cross_entropy": 1, "cross_entropy": 2}.get(loss) or draw(
        st.integers(1, 2))
    output_activation = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(
        loss) or draw(st.sampled_from(("linear", "tanh", "sigmoid")))
    return EmbeddingCase(tokens, vocabulary, draw(st.integers(1, 3)), hidden, outputs,
                         output_activation, loss)


def _check(case: EmbeddingCase, seed: int, path: Path) -> None:
    path.write_text(spec_text(case), encoding="utf-8")
    spec = load_spec(path)
    rng = np.random.default_rng(seed)
    theta = arrays(case, rng)
    y = rng.dirichlet(np.ones(case.outputs)) if case.loss == "cross_entropy" \
        else rng.uniform(0.05, 0.95, case.outputs)
    params = named(case, theta)
    assert set(params) == {p.name for p in spec.params}
    targets = {o: float(t) for o, t in zip(spec.outputs, y, strict=True)}
    expected = named(case, grad(lambda t: reference_loss(case, t, y))(theta))
    agrees_with_reference(spec, params, {}, targets, float(reference_loss(case, theta, y)),
                          expected)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=embedding_cases(), seed=st.integers(0, 2**32 - 1))
def test_embedding_gradients_equal_autograd_on_array_code(
        case: EmbeddingCase, seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    _check(case, seed, tmp_path_factory.mktemp("embedding") / "net.yaml")


@pytest.mark.parametrize("case", [
    EmbeddingCase((3, 1, 3), 4, 2, (2, "tanh"), 2, "softmax", "cross_entropy"),
    EmbeddingCase((2, 2, 2, 2), 2, 1, None, 1, "sigmoid", "binary_cross_entropy"),
    EmbeddingCase((1,), 3, 3, (1, "softplus"), 2, "linear", "squared_error"),
], ids=["bundled-shape", "one-token-four-times", "one-position"])
def test_chosen_embedding_networks_equal_autograd(case: EmbeddingCase, tmp_path: Path) -> None:
    _check(case, 11, tmp_path / "net.yaml")


def test_a_repeated_token_accumulates_and_an_overwritten_gradient_is_caught(
        tmp_path: Path) -> None:
    """Token 3 at positions 1 and 3: the package's ∂L/∂E_{3,k} is autograd's sum of both,
    and differs from the gradient of the last occurrence alone (an assignment, not +=)."""
    case = EmbeddingCase((3, 1, 3), 4, 2, (2, "tanh"), 2, "softmax", "cross_entropy")
    path = tmp_path / "net.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    net = build_network(load_spec(path))
    rng = np.random.default_rng(2)
    theta = arrays(case, rng)
    y = np.array([0.3, 0.7])
    full = grad(lambda t: reference_loss(case, t, y))(theta)
    # the last occurrence alone: position 1 reads a frozen copy of the table
    frozen = theta["E"].copy()

    def last_only(t: dict[str, Any]) -> Any:
        rows = [frozen[2], t["E"][0], t["E"][2]]
        e = anp.concatenate(rows)
        a = activation("tanh", anp.dot(t["W"], e) + t["b"])
        return output_loss("softmax", "cross_entropy", anp.dot(t["V"], a) + t["c"], y)

    overwritten = grad(last_only)(theta)
    run = tool_runs(net, derive(net), named(case, theta), [({}, {"u3_1": 0.3, "u3_2": 0.7})])[0]
    assert not mismatches(run.gradients, named(case, full))
    assert mismatches(run.gradients, named(case, overwritten))
    assert run.gradients["E_2_1"] == 0 and run.gradients["E_4_2"] == 0


def test_the_bundled_embedding_spec_equals_autograd() -> None:
    """specs/embedding.yaml at its own values, against the array code of the same network."""
    spec = load_spec(SPECS / "embedding.yaml")
    table = spec.layers[0].embedding
    assert table is not None
    case = EmbeddingCase(table.tokens, table.vocabulary, table.dim, (2, "tanh"), 2, "softmax",
                         "cross_entropy")
    p = spec.values.params
    theta = {"E": np.array([[p[f"E_{v}_{k}"] for k in (1, 2)] for v in (1, 2, 3, 4)]),
             "W": np.array([[p[f"w_2_{j}_{k}"] for k in range(1, 7)] for j in (1, 2)]),
             "b": np.array([p["b_2_1"], p["b_2_2"]]),
             "V": np.array([[p[f"w_3_{j}_{k}"] for k in (1, 2)] for j in (1, 2)]),
             "c": np.array([p["b_3_1"], p["b_3_2"]])}
    ex = spec.values.examples[0]
    y = np.array([ex.targets["u3_1"], ex.targets["u3_2"]])
    expected = named(case, grad(lambda t: reference_loss(case, t, y))(theta))
    agrees_with_reference(spec, dict(p), ex.inputs, ex.targets,
                          float(reference_loss(case, theta, y)), expected)


def test_an_embedding_under_dropout_over_two_examples_equals_autograd(tmp_path: Path) -> None:
    """embedding → dropout → dense, the cost the mean over two examples of the same tokens:
    the package's gradients equal autograd's of the array code, E[tokens] masked and scaled
    by 1/p, and a row of a repeated token sums the kept positions only."""
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump({
        "inputs": {"tokens": 2},
        "layers": [{"name": "embed", "kind": "embedding", "vocabulary": 3, "dim": 2},
                   {"name": "drop", "kind": "dropout", "p": 0.5},
                   {"units": 1, "activation": "sigmoid"}],
        "loss": "binary_cross_entropy",
        "values": {"tokens": [2, 2], "mask": {"drop": [1, 0, 0, 1]},
                   "examples": [{"targets": {"u3_1": 1}}, {"targets": {"u3_1": 0}}]}}),
        encoding="utf-8")
    spec = load_spec(path)
    assert [ex.inputs for ex in spec.values.examples] == [{}, {}]
    rng = np.random.default_rng(4)
    theta = {"E": rng.uniform(-1, 1, (3, 2)), "V": rng.uniform(-1, 1, (1, 4)),
             "c": rng.uniform(-1, 1, 1)}
    mask = np.array([1.0, 0.0, 0.0, 1.0])

    def cost(t: dict[str, Any]) -> Any:
        a = anp.reshape(t["E"][np.array([2, 2]) - 1], (-1,)) * mask / 0.5
        z = anp.dot(t["V"], a) + t["c"]
        return 0.5 * (output_loss("sigmoid", "binary_cross_entropy", z, np.array([1.0]))
                      + output_loss("sigmoid", "binary_cross_entropy", z, np.array([0.0])))

    def names(arrays: dict[str, Any]) -> dict[str, float]:  # the output layer is layer 3
        return {**{f"E_{v + 1}_{k + 1}": float(arrays["E"][v, k]) for v in range(3)
                   for k in range(2)},
                **{f"w_3_1_{k + 1}": float(arrays["V"][0, k]) for k in range(4)},
                "b_3_1": float(arrays["c"][0])}

    expected = names(grad(cost)(theta))
    net = build_network(spec)
    runs = tool_runs(net, derive(net), names(theta), [({}, {"u3_1": 1.0}),
                                                      ({}, {"u3_1": 0.0})])
    mean = {k: (runs[0].gradients[k] + runs[1].gradients[k]) / 2 for k in expected}
    assert not mismatches(mean, expected)
    assert expected["E_2_1"] != 0 and expected["E_2_2"] != 0 and expected["E_1_1"] == 0
