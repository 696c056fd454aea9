"""LSTM and GRU layers against an outside reference: the same cells written directly in array
code, a loop over time, differentiated by autograd, over generated lstm and gru specs (sizes,
steps, output activations, losses, a sum or a mean over the steps). The package's compiled
gradients equal autograd's for every parameter, and ``gradcheck`` passes.

The reference reads only the generated case and the documented names (W_{i,k,j} is
``W_i_k_j``, U and b likewise for every gate, V_{k,m} is ``V_k_m``, b_{y,k} is ``b_y_k``,
x^{(t)}_j is ``x_t_j``, the output (t, k) is the unit ``u2_t_k``), never the package's units,
edges or formulas.

    LSTM:  i, f, o = σ(W x + U h + b),  g = tanh(W_g x + U_g h + b_g),
           c = f ⊙ c_prev + i ⊙ g,  h = o ⊙ tanh(c)
    GRU:   r, z = σ(W x + U h + b),  n = tanh(W_n x + U_n (r ⊙ h_prev) + b_n),
           h = (1 − z) ⊙ n + z ⊙ h_prev
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
from oracle import agrees_with_reference, close, output_loss, tool_runs

from symbackprop.errors import SpecError
from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.spec.load import load_spec

GATES = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}


@dataclass(frozen=True)
class Case:
    kind: str  # lstm | gru
    inputs: int
    steps: int
    hidden: int
    outputs: int
    output_activation: str
    loss: str
    over_steps: str  # sum | mean


def _sigmoid(a: Any) -> Any:
    return 1 / (1 + anp.exp(-a))


def states(case: Case, theta: dict[str, Any], x: Any) -> list[Any]:
    """h^{(t)} for t = 1 … T: the loop over time."""
    h = anp.zeros(case.hidden)
    c = anp.zeros(case.hidden)
    out = []

    def gate(name: str, source: Any, t: int) -> Any:
        return anp.dot(theta[f"W{name}"], x[t]) + anp.dot(theta[f"U{name}"], source) \
            + theta[f"b{name}"]

    for t in range(case.steps):
        if case.kind == "lstm":
            i, f = _sigmoid(gate("i", h, t)), _sigmoid(gate("f", h, t))
            g, o = anp.tanh(gate("g", h, t)), _sigmoid(gate("o", h, t))
            c = f * c + i * g
            h = o * anp.tanh(c)
        else:
            r, z = _sigmoid(gate("r", h, t)), _sigmoid(gate("z", h, t))
            n = anp.tanh(gate("n", r * h, t))
            h = (1 - z) * n + z * h
        out.append(h)
    return out


def reference_loss(case: Case, theta: dict[str, Any], x: Any, y: Any) -> Any:
    total = 0.0
    for t, h in enumerate(states(case, theta, x)):
        total = total + output_loss(case.output_activation, case.loss,
                                    theta["by"] + anp.dot(theta["V"], h), y[t])
    return total / case.steps if case.over_steps == "mean" else total


def spec_text(case: Case) -> str:
    return yaml.safe_dump({
        "inputs": {"size": case.inputs, "steps": case.steps},
        "layers": [{"kind": case.kind, "size": case.hidden},
                   {"size": case.outputs, "activation": case.output_activation}],
        "loss": {"kind": case.loss, "steps": case.over_steps}})


def named(theta: dict[str, np.ndarray]) -> dict[str, float]:
    """The arrays' entries under the documented names, indices from 1 (``Wi`` → W_i_k_j)."""
    out: dict[str, float] = {}
    for name, array in theta.items():
        head = name if name == "V" else f"{name[0]}_{name[1:]}"
        for at in np.ndindex(array.shape):
            out[f"{head}_" + "_".join(str(i + 1) for i in at)] = float(array[at])
    return out


def arrays(case: Case, rng: np.random.Generator) -> dict[str, np.ndarray]:
    theta = {}
    for g in GATES[case.kind]:
        theta[f"W{g}"] = rng.uniform(-1, 1, (case.hidden, case.inputs))
        theta[f"U{g}"] = rng.uniform(-1, 1, (case.hidden, case.hidden))
        theta[f"b{g}"] = rng.uniform(-1, 1, case.hidden)
    theta["V"] = rng.uniform(-1, 1, (case.outputs, case.hidden))
    theta["by"] = rng.uniform(-1, 1, case.outputs)
    return theta


@st.composite
def cases(draw: st.DrawFn) -> Case:
    loss = draw(st.sampled_from(("squared_error", "binary_cross_entropy", "cross_entropy")))
    output_activation = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(
        loss) or draw(st.sampled_from(("linear", "tanh", "sigmoid")))
    outputs = draw(st.integers(2 if loss == "cross_entropy" else 1, 2))
    return Case(draw(st.sampled_from(("lstm", "gru"))), draw(st.integers(1, 2)),
                draw(st.integers(1, 3)), draw(st.integers(1, 2)), outputs, output_activation,
                loss, draw(st.sampled_from(("sum", "mean"))))


def targets_of(case: Case, rng: np.random.Generator) -> np.ndarray:
    if case.loss == "cross_entropy":
        return rng.dirichlet(np.ones(case.outputs), case.steps)
    return rng.uniform(0.05, 0.95, (case.steps, case.outputs))


def _write(case: Case, folder: Path) -> Path:
    path = folder / f"{case.kind}.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    return path


def _example(case: Case, x: np.ndarray, y: np.ndarray
             ) -> tuple[dict[str, float], dict[str, float]]:
    inputs = {f"x_{t + 1}_{j + 1}": float(x[t, j]) for t in range(case.steps)
              for j in range(case.inputs)}
    targets = {f"u2_{t + 1}_{k + 1}": float(y[t, k]) for t in range(case.steps)
               for k in range(case.outputs)}
    return inputs, targets


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), seed=st.integers(0, 2**32 - 1))
def test_gated_gradients_equal_autograd_on_array_code(
        case: Case, seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    spec = load_spec(_write(case, tmp_path_factory.mktemp(case.kind)))
    rng = np.random.default_rng(seed)
    theta = arrays(case, rng)
    x = rng.uniform(-2, 2, (case.steps, case.inputs))
    y = targets_of(case, rng)
    params = named(theta)
    assert set(params) == {p.name for p in spec.params}
    inputs, targets = _example(case, x, y)
    assert set(inputs) == {i.name for i in spec.inputs}
    assert set(targets) == set(spec.outputs)
    expected_loss = float(reference_loss(case, theta, x, y))
    expected = named(grad(lambda t: reference_loss(case, t, x, y))(theta))
    agrees_with_reference(spec, params, inputs, targets, expected_loss, expected)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_cell_without_its_state_path_is_not_the_reference(tmp_path: Path, kind: str) -> None:
    """The comparison can fail: the cell with c^{(t−1)} (LSTM) or h^{(t−1)} (GRU) dropped
    from the state update gives another loss than the package's."""
    case = Case(kind, 2, 3, 2, 2, "softmax", "cross_entropy", "sum")
    spec = load_spec(_write(case, tmp_path))
    rng = np.random.default_rng(3)
    theta = arrays(case, rng)
    x = rng.uniform(-2, 2, (3, 2))
    y = targets_of(case, rng)
    h, c, wrong = np.zeros(2), np.zeros(2), 0.0
    for t in range(3):
        def gate(name: str, source: np.ndarray, t: int = t) -> np.ndarray:
            return theta[f"W{name}"] @ x[t] + theta[f"U{name}"] @ source + theta[f"b{name}"]
        if kind == "lstm":
            c = _sigmoid(gate("i", h)) * np.tanh(gate("g", h))  # no f ⊙ c^{(t−1)}
            h = _sigmoid(gate("o", h)) * np.tanh(c)
        else:
            r, z = _sigmoid(gate("r", h)), _sigmoid(gate("z", h))
            h = (1 - z) * np.tanh(gate("n", r * h))  # no z ⊙ h^{(t−1)}
        wrong += float(output_loss("softmax", "cross_entropy", theta["by"] + theta["V"] @ h,
                                   y[t]))
    inputs, targets = _example(case, x, y)
    net = build_network(spec)
    run = tool_runs(net, derive(net), named(theta), [(inputs, targets)])[0]
    assert close(run.loss, float(reference_loss(case, theta, x, y)))
    assert not close(run.loss, wrong)


@pytest.mark.parametrize("text, message", [
    ("inputs: {size: 2, steps: 2}\nlayers:\n  - {kind: lstm, size: 2}\n"
     "loss: squared_error\n", "needs an output layer"),
    ("inputs: {size: 2}\nlayers:\n  - {kind: gru, size: 2}\n"
     "  - {size: 1, activation: linear}\nloss: squared_error\n", "reads inputs with steps"),
    ("inputs: {size: 2, steps: 2}\nlayers:\n  - {kind: lstm, size: 2, activation: tanh}\n"
     "  - {size: 1, activation: linear}\nloss: squared_error\n", "activation"),
    ("inputs: {size: 2, steps: 2}\nlayers:\n  - {kind: gru, size: 2}\n"
     "  - {size: 1, activation: softmax}\nloss: cross_entropy\n", "softmax over one unit"),
    ("inputs: {size: 2, steps: 2}\nlayers:\n  - {kind: lstm, size: 2}\n"
     "  - {size: 2, activation: tanh}\n  - {size: 1, activation: linear}\n"
     "loss: squared_error\n", "last layer"),
    ("inputs: {size: 2, steps: 2}\nlayers:\n  - {kind: lstm, size: 0}\n"
     "  - {size: 1, activation: linear}\nloss: squared_error\n", "whole number"),
])
def test_bad_gated_specs_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert message in caught.value.message
    assert caught.value.line is not None
