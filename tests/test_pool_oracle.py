"""Pooling layers against an outside reference: the network written directly in array code
(cross-correlation, then the maximum or the mean of every window) and differentiated by
autograd, over generated conv + pool specs (kernels, strides, max and avg, activations,
losses, 1-D and 2-D). The package's compiled gradients equal autograd's for every parameter
at points without ties, and ``gradcheck`` passes.

The reference reads only the spec's YAML text and the documented default names, never the
package's units, edges or pooling windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import autograd.numpy as anp
import numpy as np
import pytest
import sympy as sp
import yaml
from autograd import grad
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracle import activation, agrees_with_reference, mismatches, output_loss, tool_runs
from test_conv_oracle import ACTIVATIONS, cross_correlate

from symbackprop.errors import SpecError
from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.gradient_check import gradcheck
from symbackprop.numeric.pool_ties import max_pool_ties
from symbackprop.spec.load import Example, Values, load_spec


@dataclass(frozen=True)
class PoolCase:
    """Shaped input, an optional convolution, one pooling layer, a dense output, a loss."""

    shape: tuple[int, ...]
    conv: tuple[int, tuple[int, ...], tuple[int, ...], str] | None  # filters, kernel, stride, act
    pool: str  # "max_pool" | "avg_pool"
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    outputs: int
    output_activation: str
    loss: str


def conv_shape(case: PoolCase) -> tuple[int, ...]:
    if case.conv is None:
        return case.shape
    filters, kernel, stride, _ = case.conv
    return (filters, *((n - k) // s + 1 for n, k, s in
                       zip(case.shape[1:], kernel, stride, strict=True)))


def pool_array(a: Any, kind: str, kernel: tuple[int, ...], stride: tuple[int, ...]) -> Any:
    """out[c, i, j] = max or mean of a[c, s·i : s·i + k, s·j : s·j + k] (0-based)."""
    sizes = [(n - k) // s + 1 for n, k, s in zip(a.shape[1:], kernel, stride, strict=True)]
    reduce = anp.max if kind == "max_pool" else anp.mean
    values = []
    for c in range(a.shape[0]):
        for at in product(*(range(n) for n in sizes)):
            window = tuple(slice(s * i, s * i + k) for i, s, k in zip(at, stride, kernel,
                                                                        strict=True))
            values.append(reduce(a[(c, *window)]))
    return anp.reshape(anp.stack(values), (a.shape[0], *sizes))


def pooled_from(case: PoolCase, theta: dict[str, Any], x: Any) -> Any:
    """The array a pooling layer reads: the convolution's activations, or the input."""
    if case.conv is None:
        return x
    _, _, stride, act = case.conv
    zeros = (0,) * len(stride)
    return activation(act, cross_correlate(x, theta["w1"], theta["b1"], stride, zeros))


def reference_loss(case: PoolCase, theta: dict[str, Any], x: Any, y: Any) -> Any:
    a = pool_array(pooled_from(case, theta, x), case.pool, case.kernel, case.stride)
    z = anp.dot(theta["V"], anp.reshape(a, (-1,))) + theta["c"]
    return output_loss(case.output_activation, case.loss, z, y)


def spec_text(case: PoolCase) -> str:
    layers: list[dict[str, Any]] = []
    if case.conv is not None:
        filters, kernel, stride, act = case.conv
        layers.append({"kind": "conv2d" if len(case.shape) == 3 else "conv1d",
                       "filters": filters, "kernel": list(kernel), "stride": list(stride),
                       "activation": act})
    layers.append({"kind": case.pool, "kernel": list(case.kernel),
                   "stride": list(case.stride)})
    layers.append({"units": case.outputs, "activation": case.output_activation})
    return yaml.safe_dump({"inputs": {"shape": list(case.shape)}, "layers": layers,
                           "loss": case.loss})


def arrays(case: PoolCase, rng: np.random.Generator) -> dict[str, np.ndarray]:
    theta: dict[str, np.ndarray] = {}
    if case.conv is not None:
        filters, kernel, _, _ = case.conv
        theta["w1"] = rng.uniform(-1, 1, (filters, case.shape[0], *kernel))
        theta["b1"] = rng.uniform(-1, 1, filters)
    pooled = pool_array(np.zeros(conv_shape(case)), case.pool, case.kernel, case.stride)
    theta["V"] = rng.uniform(-1, 1, (case.outputs, pooled.size))
    theta["c"] = rng.uniform(-1, 1, case.outputs)
    return theta


def named(case: PoolCase, theta: dict[str, np.ndarray]) -> dict[str, float]:
    """Entries under the default names: w_1_f_c_m_n, b_1_f; the output layer's w_l_j_k, b_l_j
    with l the number of layers."""
    last = 3 if case.conv is not None else 2
    out: dict[str, float] = {}
    for name, array in theta.items():
        head, layer = {"w1": ("w", 1), "b1": ("b", 1), "V": ("w", last),
                       "c": ("b", last)}[name]
        for at in product(*(range(n) for n in array.shape)):
            out[f"{head}_{layer}_" + "_".join(str(i + 1) for i in at)] = float(array[at])
    return out


@st.composite
def pool_cases(draw: st.DrawFn) -> PoolCase:
    dims = draw(st.sampled_from((1, 2)))
    shape = (draw(st.integers(1, 2)), *(draw(st.integers(2, 5)) for _ in range(dims)))
    conv = None
    if draw(st.booleans()):
        kernel = tuple(draw(st.integers(1, min(2, n))) for n in shape[1:])
        stride = tuple(draw(st.integers(1, 2)) for _ in kernel)
        conv = (draw(st.integers(1, 2)), kernel, stride, draw(st.sampled_from(ACTIVATIONS)))
    src = conv_shape(PoolCase(shape, conv, "max_pool", (), (), 1, "linear", "squared_error"))
    kernel = tuple(draw(st.integers(1, min(3, n))) for n in src[1:])
    stride = tuple(draw(st.integers(1, 2)) for _ in kernel)
    pool = draw(st.sampled_from(("max_pool", "avg_pool")))
    loss = draw(st.sampled_from(("squared_error", "binary_cross_entropy", "cross_entropy")))
    outputs = 1 if loss == "binary_cross_entropy" else draw(st.integers(1, 2))
    if loss == "cross_entropy":
        outputs = 2
    output_activation = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(
        loss) or draw(st.sampled_from(("linear", "tanh", "sigmoid")))
    return PoolCase(shape, conv, pool, kernel, stride, outputs, output_activation, loss)


def _margin(case: PoolCase, theta: dict[str, np.ndarray], x: np.ndarray) -> float:
    """How far the point is from a kink: the smallest |z| of a ReLU-like convolution unit and,
    for max pooling, the smallest gap between a window's two largest values."""
    best = float("inf")
    if case.conv is not None and case.conv[3] in ("relu", "leaky_relu"):
        stride = case.conv[2]
        z = cross_correlate(x, theta["w1"], theta["b1"], stride, (0,) * len(stride))
        best = float(np.min(np.abs(z)))
    if case.pool == "max_pool":
        a = pooled_from(case, theta, x)
        top = pool_array(a, "max_pool", case.kernel, case.stride)
        # the window's largest value minus its second: the max over the window with the
        # maximum pushed down by 1 everywhere it is reached
        for c in range(a.shape[0]):
            for at in product(*(range(n) for n in top.shape[1:])):
                window = a[(c, *(slice(s * i, s * i + k) for i, s, k in
                                 zip(at, case.stride, case.kernel, strict=True)))].ravel()
                if window.size > 1:
                    first, second = np.sort(window)[-2:][::-1]
                    best = min(best, float(first - second))
    return best


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(case=pool_cases(), seed=st.integers(0, 2**32 - 1))
def test_pool_gradients_equal_autograd_on_array_code(case: PoolCase, seed: int,
                                                     tmp_path_factory: pytest.TempPathFactory
                                                     ) -> None:
    path = tmp_path_factory.mktemp("pool") / "net.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    spec = load_spec(path)
    rng = np.random.default_rng(seed)
    theta = arrays(case, rng)
    x = rng.uniform(-2, 2, case.shape)
    assume(_margin(case, theta, x) > 1e-6)
    y = rng.dirichlet(np.ones(case.outputs)) if case.loss == "cross_entropy" \
        else rng.uniform(0.05, 0.95, case.outputs)
    params = named(case, theta)
    assert set(params) == {p.name for p in spec.params}
    inputs = {"x_" + "_".join(str(i + 1) for i in at): float(x[at])
              for at in product(*(range(n) for n in case.shape))}
    targets = {o: float(t) for o, t in zip(spec.outputs, y, strict=True)}

    expected_loss = float(reference_loss(case, theta, x, y))
    expected = named(case, grad(lambda t: reference_loss(case, t, x, y))(theta))
    agrees_with_reference(spec, params, inputs, targets, expected_loss, expected)


def _max_pool_net(tmp_path: Path) -> tuple[PoolCase, Any]:
    case = PoolCase((1, 3, 3), (1, (1, 1), (1, 1), "tanh"), "max_pool", (2, 2), (1, 1), 1,
                    "linear", "squared_error")
    path = tmp_path / "net.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    return case, load_spec(path)


def test_a_gradient_spread_over_the_window_is_caught(tmp_path: Path) -> None:
    """The comparison can fail: a reference that averages where the spec takes the maximum
    (the max-pool gradient spread over the window) disagrees with the package."""
    case, spec = _max_pool_net(tmp_path)
    rng = np.random.default_rng(1)
    theta = arrays(case, rng)
    x = rng.uniform(-2, 2, case.shape)
    spread = PoolCase(case.shape, case.conv, "avg_pool", case.kernel, case.stride, 1,
                      "linear", "squared_error")
    y = np.array([0.3])
    wrong = named(case, grad(lambda t: reference_loss(spread, t, x, y))(theta))
    inputs = {f"x_1_{i + 1}_{j + 1}": float(x[0, i, j]) for i in range(3) for j in range(3)}
    net = build_network(spec)
    run = tool_runs(net, derive(net), named(case, theta), [(inputs, {"u3_1": 0.3})])[0]
    assert mismatches(run.gradients, wrong)


def test_the_delta_goes_to_the_first_maximum_at_a_tie(tmp_path: Path) -> None:
    """Equal inputs tie every window: the δ of the first source of a window is the pool's δ,
    every other source's is 0, and gradcheck reports the tie it was given."""
    _, spec = _max_pool_net(tmp_path)
    net = build_network(spec)
    grads = derive(net)
    inputs = {f"x_1_{i}_{j}": 0.5 for i in (1, 2, 3) for j in (1, 2, 3)}
    params = {"w_1_1_1_1_1": 0.7, "b_1_1": 0.1, **{f"w_3_1_{k}": 0.2 * k for k in range(1, 5)},
              "b_3_1": 0.0}
    values = {net.symbol_by_name[n]: sp.Float(v) for n, v in {**inputs, **params}.items()}
    values[net.unit_by_name["u3_1"].target] = sp.Float(0.3)
    slope = 1 - sp.tanh(0.7 * 0.5 + 0.1) ** 2
    # each source → the window it opens (first in (m, n) order), or None: a window of 2×2
    # at stride 1 starts at (i, j) and also holds (i, j+1), (i+1, j), (i+1, j+1)
    opens = {"u1_1_1_1": "u2_1_1_1", "u1_1_1_2": "u2_1_1_2", "u1_1_2_2": "u2_1_2_2",
             "u1_1_2_3": None, "u1_1_3_3": None}
    for unit, window in opens.items():
        delta = net.substitute(grads.closed_delta(unit)).xreplace(values)
        expected = 0.0 if window is None else float(
            net.substitute(grads.closed_delta(window)).xreplace(values) * slope)
        assert abs(float(delta) - expected) < 1e-12, unit
        assert window is None or expected != 0.0
    point = Values(params=params, examples=(Example(inputs, {"u3_1": 0.3}),))
    assert max_pool_ties(net, grads, point) == ["u2_1_1_1", "u2_1_1_2", "u2_1_2_1", "u2_1_2_2"]
    report = gradcheck(net, grads, point)
    assert any("two equal maxima" in note for note in report.notes)


def test_a_spec_with_a_pool_of_the_inputs_refuses_a_window_too_big(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump({"inputs": {"shape": [1, 2, 2]}, "layers": [
        {"kind": "max_pool", "kernel": 3}, {"units": 1, "activation": "linear"}],
        "loss": "squared_error"}), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert "does not fit" in caught.value.message and caught.value.line is not None
