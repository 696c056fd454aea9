"""Dropout layers against an outside reference: the network written directly in array code
(x, optionally masked as m ⊙ x / p, a dense layer, the mask m ⊙ a / p, a dense output layer)
and differentiated by autograd, over generated specs (sizes, keep probabilities, masks,
activations, losses, dropout of the inputs too). The package's compiled gradients equal
autograd's for every parameter and ``gradcheck`` passes; the bundled spec
(specs/dropout.yaml) agrees as well.

The reference reads only the case it writes as YAML and the documented default names, never
the package's units, edges or dropout links.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
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
class DropoutCase:
    """n inputs (masked when ``input_mask``), a dense hidden layer, its dropout, an output."""

    inputs: int
    input_mask: tuple[int, ...] | None  # a dropout of the inputs, before the hidden layer
    input_keep: Fraction
    hidden: int
    hidden_activation: str
    mask: tuple[int, ...]
    keep: Fraction
    outputs: int
    output_activation: str
    loss: str


def reference_loss(case: DropoutCase, theta: dict[str, Any], x: Any, y: Any) -> Any:
    if case.input_mask is not None:
        x = x * np.array(case.input_mask, dtype=float) / float(case.input_keep)
    a = activation(case.hidden_activation, anp.dot(theta["W"], x) + theta["b"])
    dropped = a * np.array(case.mask, dtype=float) / float(case.keep)
    z = anp.dot(theta["V"], dropped) + theta["c"]
    return output_loss(case.output_activation, case.loss, z, y)


def _number(p: Fraction) -> float | str:
    return float(p) if p.denominator in (1, 2, 4, 5, 8, 10) else f"{p.numerator}/{p.denominator}"


def spec_text(case: DropoutCase) -> str:
    layers: list[dict[str, Any]] = []
    masks: dict[str, list[int]] = {}
    if case.input_mask is not None:
        layers.append({"name": "dropin", "kind": "dropout", "p": _number(case.input_keep)})
        masks["dropin"] = list(case.input_mask)
    layers.append({"name": "hidden", "units": case.hidden,
                   "activation": case.hidden_activation})
    layers.append({"name": "drop", "kind": "dropout", "p": _number(case.keep)})
    masks["drop"] = list(case.mask)
    layers.append({"name": "out", "units": case.outputs, "activation": case.output_activation})
    return yaml.safe_dump({"inputs": {"size": case.inputs}, "layers": layers,
                           "loss": case.loss, "values": {"mask": masks}})


def named(case: DropoutCase, theta: dict[str, np.ndarray]) -> dict[str, float]:
    """Entries under the default names w_l_j_k, b_l_j, l the number of the layer a weight
    leads into (the dropout layers count)."""
    hidden = 2 if case.input_mask is not None else 1
    layer = {"W": ("w", hidden), "b": ("b", hidden), "V": ("w", hidden + 2),
             "c": ("b", hidden + 2)}
    out: dict[str, float] = {}
    for name, array in theta.items():
        head, number = layer[name]
        for at in np.ndindex(*array.shape):
            out[f"{head}_{number}_" + "_".join(str(i + 1) for i in at)] = float(array[at])
    return out


def masks(size: int) -> st.SearchStrategy[tuple[int, ...]]:
    return st.lists(st.sampled_from((0, 1)), min_size=size, max_size=size).map(tuple)


KEEPS = st.sampled_from((Fraction(1, 2), Fraction(1, 4), Fraction(4, 5), Fraction(2, 3),
                         Fraction(1)))


@st.composite
def dropout_cases(draw: st.DrawFn) -> DropoutCase:
    inputs = draw(st.integers(1, 3))
    hidden = draw(st.integers(1, 4))
    input_mask = draw(st.none() | masks(inputs))
    loss = draw(st.sampled_from(("squared_error", "binary_cross_entropy", "cross_entropy")))
    outputs = {"binary_cross_entropy": 1, "cross_entropy": 2}.get(loss) or draw(
        st.integers(1, 2))
    output_activation = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(
        loss) or draw(st.sampled_from(("linear", "tanh", "sigmoid")))
    return DropoutCase(inputs, input_mask, draw(KEEPS), hidden,
                       draw(st.sampled_from(ACTIVATIONS)), draw(masks(hidden)), draw(KEEPS),
                       outputs, output_activation, loss)


def _check(case: DropoutCase, seed: int, path: Path) -> None:
    path.write_text(spec_text(case), encoding="utf-8")
    spec = load_spec(path)
    rng = np.random.default_rng(seed)
    theta = {"W": rng.uniform(-1, 1, (case.hidden, case.inputs)),
             "b": rng.uniform(-1, 1, case.hidden),
             "V": rng.uniform(-1, 1, (case.outputs, case.hidden)),
             "c": rng.uniform(-1, 1, case.outputs)}
    x = rng.uniform(-2, 2, case.inputs)
    y = rng.dirichlet(np.ones(case.outputs)) if case.loss == "cross_entropy" \
        else rng.uniform(0.05, 0.95, case.outputs)
    params = named(case, theta)
    assert set(params) == {p.name for p in spec.params}
    inputs = {f"x{k + 1}": float(v) for k, v in enumerate(x)}
    targets = {o: float(t) for o, t in zip(spec.outputs, y, strict=True)}
    expected_loss = float(reference_loss(case, theta, x, y))
    expected = named(case, grad(lambda t: reference_loss(case, t, x, y))(theta))
    agrees_with_reference(spec, params, inputs, targets, expected_loss, expected)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=dropout_cases(), seed=st.integers(0, 2**32 - 1))
def test_dropout_gradients_equal_autograd_on_array_code(
        case: DropoutCase, seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    _check(case, seed, tmp_path_factory.mktemp("dropout") / "net.yaml")


@pytest.mark.parametrize("case", [
    DropoutCase(2, None, Fraction(1), 3, "sigmoid", (1, 0, 1), Fraction(1, 2), 1, "sigmoid",
                "binary_cross_entropy"),
    DropoutCase(3, (0, 1, 1), Fraction(2, 3), 2, "tanh", (0, 0), Fraction(1, 4), 2, "softmax",
                "cross_entropy"),
    DropoutCase(1, (1,), Fraction(1), 2, "softplus", (1, 1), Fraction(1), 2, "linear",
                "squared_error"),
], ids=["bundled-shape", "inputs-dropped-all-hidden-dropped", "keep-everything"])
def test_chosen_dropout_networks_equal_autograd(case: DropoutCase, tmp_path: Path) -> None:
    _check(case, 7, tmp_path / "net.yaml")


def test_a_dropped_unit_passes_no_gradient_and_a_kept_one_is_scaled_by_one_over_p(
        tmp_path: Path) -> None:
    """At the bundled shape, the weights into a dropped hidden unit have gradient 0, and those
    into a kept one are the reference's, which scales δ by 1/p."""
    case = DropoutCase(2, None, Fraction(1), 3, "sigmoid", (1, 0, 1), Fraction(1, 2), 1,
                       "sigmoid", "binary_cross_entropy")
    _check(case, 3, tmp_path / "net.yaml")
    spec = load_spec(tmp_path / "net.yaml")
    net = build_network(spec)
    rng = np.random.default_rng(3)
    theta = {"W": rng.uniform(-1, 1, (3, 2)), "b": rng.uniform(-1, 1, 3),
             "V": rng.uniform(-1, 1, (1, 3)), "c": rng.uniform(-1, 1, 1)}
    x = rng.uniform(-2, 2, 2)
    run = tool_runs(net, derive(net), named(case, theta),
                    [({"x1": float(x[0]), "x2": float(x[1])}, {"u3_1": 0.7})])[0]
    assert run.gradients["w_1_2_1"] == 0 and run.gradients["b_1_2"] == 0
    assert run.gradients["w_1_1_1"] != 0


def test_a_backward_pass_without_the_one_over_p_scale_is_caught(tmp_path: Path) -> None:
    """The comparison can fail: gradients below the dropout layer taken p times the
    reference's (its backward pass without 1/p) disagree with the package."""
    case = DropoutCase(2, None, Fraction(1), 3, "tanh", (1, 0, 1), Fraction(1, 2), 1,
                       "linear", "squared_error")
    path = tmp_path / "net.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    net = build_network(load_spec(path))
    rng = np.random.default_rng(5)
    theta = {"W": rng.uniform(-1, 1, (3, 2)), "b": rng.uniform(-1, 1, 3),
             "V": rng.uniform(-1, 1, (1, 3)), "c": rng.uniform(-1, 1, 1)}
    x = rng.uniform(-2, 2, 2)
    y = np.array([0.3])
    full = grad(lambda t: reference_loss(case, t, x, y))(theta)
    unscaled = {**full, "W": full["W"] * float(case.keep), "b": full["b"] * float(case.keep)}
    run = tool_runs(net, derive(net), named(case, theta),
                    [({"x1": float(x[0]), "x2": float(x[1])}, {"u3_1": 0.3})])[0]
    assert not mismatches(run.gradients, named(case, full))
    assert mismatches(run.gradients, named(case, unscaled))


def test_the_bundled_dropout_spec_equals_autograd() -> None:
    """specs/dropout.yaml at its own values, against the array code of the same network."""
    spec = load_spec(SPECS / "dropout.yaml")
    drop = next(lay for lay in spec.layers if lay.dropout is not None)
    case = DropoutCase(2, None, Fraction(1), 3, "sigmoid", drop.dropout.mask,
                       drop.dropout.keep, 1, "sigmoid", "binary_cross_entropy")
    values = spec.values
    p = values.params
    theta = {"W": np.array([[p[f"w_1_{j}_{k}"] for k in (1, 2)] for j in (1, 2, 3)]),
             "b": np.array([p[f"b_1_{j}"] for j in (1, 2, 3)]),
             "V": np.array([[p[f"w_3_1_{k}"] for k in (1, 2, 3)]]),
             "c": np.array([p["b_3_1"]])}
    ex = values.examples[0]
    x = np.array([ex.inputs["x1"], ex.inputs["x2"]])
    y = np.array([ex.targets["u3_1"]])
    expected = named(case, grad(lambda t: reference_loss(case, t, x, y))(theta))
    agrees_with_reference(spec, dict(p), ex.inputs, ex.targets,
                          float(reference_loss(case, theta, x, y)), expected)
