"""Batch normalisation against an outside reference: the network written directly in array
code over the batch (X W^T + b per example, then γ ⊙ (A − mean_B A)/√(var_B A + ε) + β with
the batch's mean and biased variance, then optionally a dense output layer), differentiated
by autograd, over generated specs (batch sizes, widths, ε, activations, losses). The
package's compiled gradients equal autograd's for every parameter, γ and β included, and
``gradcheck`` passes; specs/batchnorm.yaml agrees as well.

The reference reads only the case it writes as YAML and the documented default names
(x_i_j for x^{(i)}_j, w_l_j_k, b_l_j, gamma and beta, or gamma_j and beta_j over several
units; the outputs in example-major order), never the package's units or formulas.
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
from oracle import activation, agrees_with_reference, mismatches, output_loss, tool_runs
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.spec.load import load_spec

ACTIVATIONS = ("tanh", "sigmoid", "linear", "softplus")


@dataclass(frozen=True)
class BatchCase:
    """m examples of n inputs, a dense layer of H units, its batch norm, and a dense output
    layer of ``outputs`` units (0: the batch norm's units are the outputs)."""

    examples: int
    inputs: int
    hidden: int
    hidden_activation: str
    epsilon: Fraction
    outputs: int
    output_activation: str
    loss: str


def reference_loss(case: BatchCase, theta: dict[str, Any], x: Any, t: Any,
                   frozen: tuple[Any, Any] | None = None) -> Any:
    """The loss summed over the batch; ``frozen``: μ_B and σ_B² held as given constants."""
    a = activation(case.hidden_activation, anp.dot(x, theta["W"].T) + theta["b"])
    if frozen is None:
        mean = anp.sum(a, axis=0) / case.examples
        variance = anp.sum((a - mean) ** 2, axis=0) / case.examples
    else:
        mean, variance = frozen
    y = theta["g"] * (a - mean) / anp.sqrt(variance + float(case.epsilon)) + theta["e"]
    if not case.outputs:
        return 0.5 * anp.sum((t - y) ** 2)
    z = anp.dot(y, theta["V"].T) + theta["c"]
    return sum(output_loss(case.output_activation, case.loss, z[i], t[i])
               for i in range(case.examples))


def spec_text(case: BatchCase) -> str:
    eps = case.epsilon
    layers: list[dict[str, Any]] = [
        {"name": "hidden", "units": case.hidden, "activation": case.hidden_activation},
        {"name": "norm", "kind": "batch_norm",
         "epsilon": float(eps) if eps.denominator in (1, 2, 10, 100000)
         else f"{eps.numerator}/{eps.denominator}"}]
    if case.outputs:
        layers.append({"name": "out", "units": case.outputs,
                       "activation": case.output_activation})
    return yaml.safe_dump({"inputs": {"size": case.inputs, "batch": case.examples},
                           "layers": layers, "loss": case.loss})


def named(case: BatchCase, theta: dict[str, np.ndarray]) -> dict[str, float]:
    """Entries under the default names: W, b into layer 1, γ and β of the norm layer, V, c
    into layer 3."""
    one = case.hidden == 1
    heads = {"W": "w_1_", "b": "b_1_", "g": "gamma" if one else "gamma_",
             "e": "beta" if one else "beta_", "V": "w_3_", "c": "b_3_"}
    out: dict[str, float] = {}
    for name, array in theta.items():
        for at in np.ndindex(*array.shape):
            key = heads[name] if one and name in "ge" else \
                heads[name] + "_".join(str(i + 1) for i in at)
            out[key] = float(array[at])
    return out


def _theta(case: BatchCase, rng: np.random.Generator) -> dict[str, np.ndarray]:
    theta = {"W": rng.uniform(-1, 1, (case.hidden, case.inputs)),
             "b": rng.uniform(-1, 1, case.hidden),
             "g": rng.uniform(0.5, 1.5, case.hidden), "e": rng.uniform(-0.5, 0.5, case.hidden)}
    if case.outputs:
        theta |= {"V": rng.uniform(-1, 1, (case.outputs, case.hidden)),
                  "c": rng.uniform(-1, 1, case.outputs)}
    return theta


def _point(case: BatchCase, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-2, 2, (case.examples, case.inputs))
    width = case.outputs or case.hidden
    t = rng.dirichlet(np.ones(width), case.examples) if case.loss == "cross_entropy" \
        else rng.uniform(0.05, 0.95, (case.examples, width))
    return x, t


def _named_point(spec: Any, x: np.ndarray, t: np.ndarray
                 ) -> tuple[dict[str, float], dict[str, float]]:
    inputs = {f"x_{i + 1}_{j + 1}": float(x[i, j]) for i, j in np.ndindex(*x.shape)}
    assert set(inputs) == {i.name for i in spec.inputs}
    return inputs, {o: float(v) for o, v in zip(spec.outputs, t.ravel(), strict=True)}


def _check(case: BatchCase, seed: int, path: Path) -> None:
    path.write_text(spec_text(case), encoding="utf-8")
    spec = load_spec(path)
    rng = np.random.default_rng(seed)
    theta = _theta(case, rng)
    x, t = _point(case, rng)
    params = named(case, theta)
    assert set(params) == {p.name for p in spec.params}
    inputs, targets = _named_point(spec, x, t)
    expected = named(case, grad(lambda th: reference_loss(case, th, x, t))(theta))
    agrees_with_reference(spec, params, inputs, targets,
                          float(reference_loss(case, theta, x, t)), expected)


@st.composite
def batch_cases(draw: st.DrawFn) -> BatchCase:
    loss, outputs, output_activation = draw_head(draw, 0)
    return BatchCase(draw(st.integers(2, 4)), draw(st.integers(1, 2)), draw(st.integers(1, 3)),
                     draw(st.sampled_from(ACTIVATIONS)), draw(EPSILONS), outputs,
                     output_activation, loss)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=batch_cases(), seed=st.integers(0, 2**32 - 1))
def test_batch_norm_gradients_equal_autograd_on_array_code(
        case: BatchCase, seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    _check(case, seed, tmp_path_factory.mktemp("batchnorm") / "net.yaml")


@pytest.mark.parametrize("case", [
    BatchCase(3, 1, 1, "linear", Fraction(1, 100000), 0, "linear", "squared_error"),
    BatchCase(4, 2, 3, "tanh", Fraction(1, 10), 2, "softmax", "cross_entropy"),
    BatchCase(2, 2, 2, "sigmoid", Fraction(1), 1, "sigmoid", "binary_cross_entropy"),
], ids=["bundled-shape", "softmax-per-example", "two-examples"])
def test_chosen_batch_norm_networks_equal_autograd(case: BatchCase, tmp_path: Path) -> None:
    _check(case, 7, tmp_path / "net.yaml")


def test_a_batch_norm_with_constant_batch_statistics_is_caught(tmp_path: Path) -> None:
    """The comparison can fail: the gradients of a batch norm whose backward pass treats μ_B
    and σ_B² as constants (only the path through x̂_i) disagree with the package below it."""
    case = BatchCase(3, 2, 2, "tanh", Fraction(1, 10), 1, "linear", "squared_error")
    path = tmp_path / "net.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    net = build_network(load_spec(path))
    rng = np.random.default_rng(5)
    theta = _theta(case, rng)
    x, t = _point(case, rng)
    a = activation("tanh", np.dot(x, theta["W"].T) + theta["b"])
    frozen = (np.mean(a, axis=0), np.var(a, axis=0))
    inputs, targets = _named_point(net.spec, x, t)
    run = tool_runs(net, derive(net), named(case, theta), [(inputs, targets)])[0]
    assert not mismatches(run.gradients, named(case, grad(
        lambda th: reference_loss(case, th, x, t))(theta)))
    assert mismatches(run.gradients, named(case, grad(
        lambda th: reference_loss(case, th, x, t, frozen))(theta)))


def test_the_batch_norm_spec_equals_autograd() -> None:
    """specs/batchnorm.yaml at its own values (x_i = w u_i + b, ε = 1/100000),
    against the array code of the same network."""
    spec = load_spec(SPECS / "batchnorm.yaml")
    case = BatchCase(3, 1, 1, "linear", Fraction(1, 100000), 0, "linear", "squared_error")
    p = spec.values.params
    theta = {"W": np.array([[p["w"]]]), "b": np.array([p["b"]]),
             "g": np.array([p["gamma"]]), "e": np.array([p["beta"]])}
    ex = spec.values.examples[0]
    x = np.array([[ex.inputs[f"u_{i}"]] for i in (1, 2, 3)])
    t = np.array([[ex.targets[o]] for o in spec.outputs])
    gradients = grad(lambda th: reference_loss(case, th, x, t))(theta)
    expected = {"w": float(gradients["W"][0, 0]), "b": float(gradients["b"][0]),
                "gamma": float(gradients["g"][0]), "beta": float(gradients["e"][0])}
    agrees_with_reference(spec, dict(p), ex.inputs, ex.targets,
                          float(reference_loss(case, theta, x, t)), expected)
