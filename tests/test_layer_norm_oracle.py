"""Layer normalisation against an outside reference: the network written directly in array
code (a dense layer, then γ ⊙ (a − mean a)/√(var a + ε) + β, then a dense output layer) and
differentiated by autograd, over generated specs (sizes, ε, activations, losses). The
package's compiled gradients equal autograd's for every parameter, γ_j and β_j included, and
``gradcheck`` passes; specs/layernorm.yaml agrees as well, also through
``tests/oracle.py``'s forward pass.

The reference reads only the case it writes as YAML and the documented default names
(w_l_j_k, b_l_j, gamma_j, beta_j), never the package's units or formulas.
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
from norm_cases import EPSILONS, draw_head
from oracle import activation, agrees_with_reference, mismatches, oracle, output_loss, tool_runs
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.spec.load import load_spec

ACTIVATIONS = ("tanh", "sigmoid", "linear", "softplus")


@dataclass(frozen=True)
class NormCase:
    """n inputs, a dense hidden layer of H units, its layer norm, a dense output layer."""

    inputs: int
    hidden: int
    hidden_activation: str
    epsilon: Fraction
    outputs: int
    output_activation: str
    loss: str


def reference_loss(case: NormCase, theta: dict[str, Any], x: Any, y: Any) -> Any:
    a = activation(case.hidden_activation, anp.dot(theta["W"], x) + theta["b"])
    mean = anp.sum(a) / case.hidden
    variance = anp.sum((a - mean) ** 2) / case.hidden
    normed = theta["g"] * (a - mean) / anp.sqrt(variance + float(case.epsilon)) + theta["e"]
    z = anp.dot(theta["V"], normed) + theta["c"]
    return output_loss(case.output_activation, case.loss, z, y)


def spec_text(case: NormCase) -> str:
    eps = case.epsilon
    layers = [{"name": "hidden", "units": case.hidden, "activation": case.hidden_activation},
              {"name": "norm", "kind": "layer_norm",
               "epsilon": float(eps) if eps.denominator in (1, 2, 10, 100000)
               else f"{eps.numerator}/{eps.denominator}"},
              {"name": "out", "units": case.outputs, "activation": case.output_activation}]
    return yaml.safe_dump({"inputs": {"size": case.inputs}, "layers": layers,
                           "loss": case.loss})


def named(theta: dict[str, np.ndarray]) -> dict[str, float]:
    """Entries under the default names: W, b into layer 1, γ and β of the norm layer, V, c
    into layer 3."""
    heads = {"W": "w_1_", "b": "b_1_", "g": "gamma_", "e": "beta_", "V": "w_3_", "c": "b_3_"}
    out: dict[str, float] = {}
    for name, array in theta.items():
        for at in np.ndindex(*array.shape):
            out[heads[name] + "_".join(str(i + 1) for i in at)] = float(array[at])
    return out


def _theta(case: NormCase, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {"W": rng.uniform(-1, 1, (case.hidden, case.inputs)),
            "b": rng.uniform(-1, 1, case.hidden),
            "g": rng.uniform(0.5, 1.5, case.hidden), "e": rng.uniform(-0.5, 0.5, case.hidden),
            "V": rng.uniform(-1, 1, (case.outputs, case.hidden)),
            "c": rng.uniform(-1, 1, case.outputs)}


def _point(case: NormCase, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-2, 2, case.inputs)
    y = rng.dirichlet(np.ones(case.outputs)) if case.loss == "cross_entropy" \
        else rng.uniform(0.05, 0.95, case.outputs)
    return x, y


def _check(case: NormCase, seed: int, path: Path) -> None:
    path.write_text(spec_text(case), encoding="utf-8")
    spec = load_spec(path)
    rng = np.random.default_rng(seed)
    theta = _theta(case, rng)
    x, y = _point(case, rng)
    params = named(theta)
    assert set(params) == {p.name for p in spec.params}
    inputs = {f"x{k + 1}": float(v) for k, v in enumerate(x)}
    targets = {o: float(t) for o, t in zip(spec.outputs, y, strict=True)}
    expected = named(grad(lambda t: reference_loss(case, t, x, y))(theta))
    agrees_with_reference(spec, params, inputs, targets,
                          float(reference_loss(case, theta, x, y)), expected)


@st.composite
def norm_cases(draw: st.DrawFn) -> NormCase:
    loss, outputs, output_activation = draw_head(draw, 1)
    return NormCase(draw(st.integers(1, 3)), draw(st.integers(2, 4)),
                    draw(st.sampled_from(ACTIVATIONS)), draw(EPSILONS), outputs,
                    output_activation, loss)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=norm_cases(), seed=st.integers(0, 2**32 - 1))
def test_layer_norm_gradients_equal_autograd_on_array_code(
        case: NormCase, seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    _check(case, seed, tmp_path_factory.mktemp("layernorm") / "net.yaml")


@pytest.mark.parametrize("case", [
    NormCase(2, 3, "tanh", Fraction(1, 100000), 2, "softmax", "cross_entropy"),
    NormCase(1, 2, "linear", Fraction(1, 10), 1, "linear", "squared_error"),
    NormCase(3, 4, "sigmoid", Fraction(1), 1, "sigmoid", "binary_cross_entropy"),
], ids=["bundled-shape", "two-units-linear", "four-units-large-epsilon"])
def test_chosen_layer_norm_networks_equal_autograd(case: NormCase, tmp_path: Path) -> None:
    _check(case, 7, tmp_path / "net.yaml")


def test_a_layer_norm_without_its_variance_term_is_caught(tmp_path: Path) -> None:
    """The comparison can fail: the gradients of a layer norm whose backward pass treats
    σ² as a constant (a common slip) disagree with the package below the norm layer."""
    case = NormCase(2, 3, "tanh", Fraction(1, 10), 1, "linear", "squared_error")
    path = tmp_path / "net.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    net = build_network(load_spec(path))
    rng = np.random.default_rng(5)
    theta = _theta(case, rng)
    x, y = _point(case, rng)

    def frozen_variance(t: dict[str, Any]) -> Any:
        a = activation("tanh", anp.dot(t["W"], x) + t["b"])
        a_now = activation("tanh", np.dot(theta["W"], x) + theta["b"])
        variance = float(np.var(a_now))
        normed = t["g"] * (a - anp.mean(a)) / np.sqrt(variance + 0.1) + t["e"]
        return output_loss("linear", "squared_error", anp.dot(t["V"], normed) + t["c"], y)

    run = tool_runs(net, derive(net), named(theta),
                    [({"x1": float(x[0]), "x2": float(x[1])}, {"u3_1": float(y[0])})])[0]
    assert not mismatches(run.gradients,
                          named(grad(lambda t: reference_loss(case, t, x, y))(theta)))
    assert mismatches(run.gradients, named(grad(frozen_variance)(theta)))


def _bundled() -> tuple[Any, NormCase, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    spec = load_spec(SPECS / "layernorm.yaml")
    norm = next(lay for lay in spec.layers if lay.norm is not None)
    assert norm.norm is not None
    case = NormCase(2, 3, "tanh", norm.norm.epsilon, 2, "softmax", "cross_entropy")
    p = spec.values.params
    theta = {"W": np.array([[p[f"w_1_{j}_{k}"] for k in (1, 2)] for j in (1, 2, 3)]),
             "b": np.array([p[f"b_1_{j}"] for j in (1, 2, 3)]),
             "g": np.array([p[f"gamma_{j}"] for j in (1, 2, 3)]),
             "e": np.array([p[f"beta_{j}"] for j in (1, 2, 3)]),
             "V": np.array([[p[f"w_3_{j}_{k}"] for k in (1, 2, 3)] for j in (1, 2)]),
             "c": np.array([p[f"b_3_{j}"] for j in (1, 2)])}
    ex = spec.values.examples[0]
    x = np.array([ex.inputs["x1"], ex.inputs["x2"]])
    y = np.array([ex.targets["u3_1"], ex.targets["u3_2"]])
    return spec, case, theta, x, y


def test_the_layer_norm_spec_equals_autograd() -> None:
    """specs/layernorm.yaml at its own values, against the array code of the same
    network (ε = 1e-5 read from the spec)."""
    spec, case, theta, x, y = _bundled()
    assert case.epsilon == Fraction(1, 100000)
    ex = spec.values.examples[0]
    expected = named(grad(lambda t: reference_loss(case, t, x, y))(theta))
    agrees_with_reference(spec, dict(spec.values.params), ex.inputs, ex.targets,
                          float(reference_loss(case, theta, x, y)), expected)


def test_the_oracle_forward_pass_agrees_with_the_array_code_on_the_layer_norm_spec() -> None:
    """tests/oracle.py's layer_norm units (from the layer's ε, γ and β) give the array
    code's loss and gradients."""
    spec, case, theta, x, y = _bundled()
    ex = spec.values.examples[0]
    result = oracle(spec, dict(spec.values.params), [(ex.inputs, ex.targets)])
    assert abs(result.loss - float(reference_loss(case, theta, x, y))) < 1e-12
    assert not mismatches(result.gradients,
                          named(grad(lambda t: reference_loss(case, t, x, y))(theta)))


def test_two_layer_norms_equal_the_oracle_forward_pass(tmp_path: Path) -> None:
    """dense → layer_norm → dense → layer_norm → dense, with γ and β carrying their layer
    number: every gradient equals autograd through tests/oracle.py's forward pass, which
    computes each layer_norm unit from the layer's ε, γ and β, not from its formulas."""
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump({
        "inputs": {"size": 2},
        "layers": [{"units": 3, "activation": "tanh"}, {"kind": "layer_norm"},
                   {"units": 2, "activation": "sigmoid"},
                   {"kind": "layer_norm", "epsilon": "1/10"},
                   {"units": 1, "activation": "linear"}],
        "loss": "squared_error"}), encoding="utf-8")
    spec = load_spec(path)
    assert {"gamma_2_3", "beta_4_2"} <= {p.name for p in spec.params}
    rng = np.random.default_rng(11)
    params = {p.name: float(rng.uniform(-1, 1)) for p in spec.params}
    inputs, targets = {"x1": 0.3, "x2": -1.2}, {spec.outputs[0]: 0.4}
    expected = oracle(spec, params, [(inputs, targets)])
    agrees_with_reference(spec, params, inputs, targets, expected.loss, expected.gradients)
