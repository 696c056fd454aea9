"""Recurrent layers against an outside reference: the same vanilla RNN written directly in
array code, a loop over time (a = b + W h + U x, h = act(a), o = c + V h, a loss per step,
summed or averaged), differentiated by autograd, over generated recurrent specs (sizes,
steps, activations, losses, initial state 0 or a parameter). The package's compiled
gradients equal autograd's for every parameter, and ``gradcheck`` passes.

The reference reads only the generated case and the documented default names (U_{i,j} is
``U_i_j``, W, V likewise, b_i is ``b_i``, c_k is ``c_k``, h^{init}_i is ``h_init_i``,
x^{(t)}_j is ``x_t_j``, the output (t, k) is the unit ``u2_t_k``), never the package's units
or edges.
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
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracle import activation, agrees_with_reference, close, output_loss, tool_runs

from symbackprop.errors import SpecError
from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.spec.load import load_spec

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softplus")


@dataclass(frozen=True)
class Case:
    inputs: int
    steps: int
    hidden: int
    activation: str
    outputs: int
    output_activation: str
    loss: str
    initial: str  # zero | parameter
    over_steps: str  # sum | mean


def _step_loss(case: Case, o: Any, y: Any) -> Any:
    return output_loss(case.output_activation, case.loss, o, y)


def hidden_nets(case: Case, theta: dict[str, Any], x: Any) -> list[Any]:
    """a^{(t)} for t = 1 … T: the loop over time."""
    h = theta["h0"] if case.initial == "parameter" else anp.zeros(case.hidden)
    nets = []
    for t in range(case.steps):
        a = theta["b"] + anp.dot(theta["W"], h) + anp.dot(theta["U"], x[t])
        nets.append(a)
        h = activation(case.activation, a)
    return nets


def reference_loss(case: Case, theta: dict[str, Any], x: Any, y: Any) -> Any:
    total = 0.0
    for t, a in enumerate(hidden_nets(case, theta, x)):
        h = activation(case.activation, a)
        total = total + _step_loss(case, theta["c"] + anp.dot(theta["V"], h), y[t])
    return total / case.steps if case.over_steps == "mean" else total


def spec_text(case: Case) -> str:
    hidden: dict[str, Any] = {"kind": "recurrent", "size": case.hidden,
                              "activation": case.activation, "initial": case.initial}
    loss: Any = {"kind": case.loss, "steps": case.over_steps}
    return yaml.safe_dump({
        "inputs": {"size": case.inputs, "steps": case.steps},
        "layers": [hidden, {"size": case.outputs, "activation": case.output_activation}],
        "loss": loss})


def named(theta: dict[str, np.ndarray]) -> dict[str, float]:
    """The arrays' entries under the documented default names, indices from 1."""
    out: dict[str, float] = {}
    for name, array in theta.items():
        head = "h_init" if name == "h0" else name
        for at in np.ndindex(array.shape):
            out[f"{head}_" + "_".join(str(i + 1) for i in at)] = float(array[at])
    return out


def arrays(case: Case, rng: np.random.Generator) -> dict[str, np.ndarray]:
    theta = {"U": rng.uniform(-1, 1, (case.hidden, case.inputs)),
             "W": rng.uniform(-1, 1, (case.hidden, case.hidden)),
             "b": rng.uniform(-1, 1, case.hidden),
             "V": rng.uniform(-1, 1, (case.outputs, case.hidden)),
             "c": rng.uniform(-1, 1, case.outputs)}
    if case.initial == "parameter":
        theta["h0"] = rng.uniform(-1, 1, case.hidden)
    return theta


@st.composite
def cases(draw: st.DrawFn) -> Case:
    loss = draw(st.sampled_from(("squared_error", "binary_cross_entropy", "cross_entropy")))
    output_activation = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(
        loss) or draw(st.sampled_from(("linear", "tanh", "sigmoid")))
    outputs = draw(st.integers(2 if loss == "cross_entropy" else 1, 3))
    return Case(draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3)),
                draw(st.sampled_from(ACTIVATIONS)), outputs, output_activation, loss,
                draw(st.sampled_from(("zero", "parameter"))),
                draw(st.sampled_from(("sum", "mean"))))


def targets_of(case: Case, rng: np.random.Generator) -> np.ndarray:
    if case.loss == "cross_entropy":
        return rng.dirichlet(np.ones(case.outputs), case.steps)
    return rng.uniform(0.05, 0.95, (case.steps, case.outputs))


def _write(case: Case, folder: Path) -> Path:
    path = folder / "rnn.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), seed=st.integers(0, 2**32 - 1))
def test_recurrent_gradients_equal_autograd_on_array_code(
        case: Case, seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    spec = load_spec(_write(case, tmp_path_factory.mktemp("rnn")))
    rng = np.random.default_rng(seed)
    theta = arrays(case, rng)
    x = rng.uniform(-2, 2, (case.steps, case.inputs))
    if case.activation in ("relu", "leaky_relu"):
        assume(min(float(np.min(np.abs(a))) for a in hidden_nets(case, theta, x)) > 1e-6)
    y = targets_of(case, rng)
    params = named(theta)
    assert set(params) == {p.name for p in spec.params}
    inputs = {f"x_{t + 1}_{j + 1}": float(x[t, j]) for t in range(case.steps)
              for j in range(case.inputs)}
    assert set(inputs) == {i.name for i in spec.inputs}
    targets = {f"u2_{t + 1}_{k + 1}": float(y[t, k]) for t in range(case.steps)
               for k in range(case.outputs)}
    assert set(targets) == set(spec.outputs)

    expected_loss = float(reference_loss(case, theta, x, y))
    expected = named(grad(lambda t: reference_loss(case, t, x, y))(theta))
    agrees_with_reference(spec, params, inputs, targets, expected_loss, expected)


def test_a_softmax_over_all_steps_is_not_the_reference(tmp_path: Path) -> None:
    """The comparison can fail: one softmax over every step's outputs (instead of one per
    step) gives another loss than the package's."""
    case = Case(2, 3, 2, "tanh", 2, "softmax", "cross_entropy", "zero", "sum")
    spec = load_spec(_write(case, tmp_path))
    rng = np.random.default_rng(1)
    theta = arrays(case, rng)
    x = rng.uniform(-2, 2, (3, 2))
    y = targets_of(case, rng)
    h, outs = np.zeros(2), []
    for t in range(3):
        h = np.tanh(theta["b"] + theta["W"] @ h + theta["U"] @ x[t])
        outs.append(theta["c"] + theta["V"] @ h)
    o = np.concatenate(outs)
    wrong = -float(np.sum(y.reshape(-1) * (o - np.log(np.sum(np.exp(o))))))
    inputs = {f"x_{t + 1}_{j + 1}": float(x[t, j]) for t in range(3) for j in range(2)}
    targets = {f"u2_{t + 1}_{k + 1}": float(y[t, k]) for t in range(3) for k in range(2)}
    net = build_network(spec)
    run = tool_runs(net, derive(net), named(theta), [(inputs, targets)])[0]
    assert close(run.loss, float(reference_loss(case, theta, x, y)))
    assert not close(run.loss, wrong)


@pytest.mark.parametrize("text, message", [
    ("inputs: {size: 2, steps: 2}\nlayers:\n  - {kind: recurrent, size: 2, activation: tanh}\n"
     "loss: squared_error\n", "needs an output layer"),
    ("inputs: {size: 2}\nlayers:\n  - {kind: recurrent, size: 2, activation: tanh}\n"
     "  - {size: 1, activation: linear}\nloss: squared_error\n", "reads inputs with steps"),
    ("inputs: {size: 2, steps: 2}\nlayers:\n  - {kind: recurrent, size: 2, activation: tanh,"
     " initial: random}\n  - {size: 1, activation: linear}\nloss: squared_error\n",
     "unknown choice"),
    ("inputs: {size: 2, steps: 2}\nlayers:\n  - {kind: recurrent, size: 2, activation: tanh}\n"
     "  - {size: 1, activation: softmax}\nloss: cross_entropy\n", "softmax over one unit"),
    ("inputs: {size: 2}\nlayers:\n  - {size: 1, activation: linear}\n"
     "loss: {kind: squared_error, steps: mean}\n", "inputs have steps"),
])
def test_bad_recurrent_specs_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert message in caught.value.message
    assert caught.value.line is not None
