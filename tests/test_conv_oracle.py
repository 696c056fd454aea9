"""Convolution layers against an outside reference: the same network written directly in
array code (cross-correlation as CS231n defines it, zero padding, stride) and differentiated
by autograd, over generated conv1d and conv2d specs (shapes, strides, paddings,
activations, losses). The package's compiled gradients equal autograd's for every
parameter, and ``gradcheck`` passes.

The reference reads only the spec's YAML text and the documented default names
(w^{[l]}_{f,c,m,n} is ``w_l_f_c_m_n``, b^{[l]}_{f} is ``b_l_f``, x_{c,i,j} is ``x_c_i_j``), never
the package's units or edges.
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
from oracle import activation, agrees_with_reference, close, output_loss, tool_runs

from symbackprop.errors import SpecError
from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.network.kinds.conv import IndexForms
from symbackprop.spec.load import load_spec

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softplus")


@dataclass(frozen=True)
class Conv:
    filters: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    activation: str


@dataclass(frozen=True)
class Case:
    """A generated network: shaped input, convolutions, one dense output layer, a loss."""

    shape: tuple[int, ...]
    convs: tuple[Conv, ...]
    outputs: int
    output_activation: str
    loss: str


def _pad(x: Any, pads: tuple[int, ...]) -> Any:
    """Zeros around every spatial axis of x (channels first)."""
    for axis, p in enumerate(pads, start=1):
        if p:
            shape = list(x.shape)
            shape[axis] = p
            zeros = anp.zeros(shape)
            x = anp.concatenate([zeros, x, zeros], axis=axis)
    return x


def cross_correlate(x: Any, w: Any, b: Any, stride: tuple[int, ...],
                    padding: tuple[int, ...]) -> Any:
    """out[f, i, j] = Σ_{c,m,n} w[f, c, m, n] · xpad[c, s·i + m, s·j + n] + b[f] (0-based)."""
    xp = _pad(x, padding)
    kernel = w.shape[2:]
    sizes = [(xp.shape[1 + d] - kernel[d]) // stride[d] + 1 for d in range(len(kernel))]
    values = []
    for f in range(w.shape[0]):
        for at in product(*(range(n) for n in sizes)):
            window = tuple(slice(s * i, s * i + k) for i, s, k in zip(at, stride, kernel,
                                                                        strict=True))
            values.append(anp.sum(w[f] * xp[(slice(None), *window)]) + b[f])
    return anp.reshape(anp.stack(values), (w.shape[0], *sizes))


def _shapes(case: Case) -> list[tuple[int, ...]]:
    shapes = [case.shape]
    for conv in case.convs:
        src = shapes[-1]
        shapes.append((conv.filters, *((n + 2 * p - k) // s + 1 for n, k, s, p in
                                       zip(src[1:], conv.kernel, conv.stride, conv.padding,
                                           strict=True))))
    return shapes


def reference_loss(case: Case, theta: dict[str, Any], x: Any, y: Any) -> Any:
    """The case's loss at one example, from arrays of parameters named by layer."""
    a = x
    for conv_index, conv in enumerate(case.convs, start=1):
        z = cross_correlate(a, theta[f"w{conv_index}"], theta[f"b{conv_index}"], conv.stride,
                            conv.padding)
        a = activation(conv.activation, z)
    z = anp.dot(theta["V"], anp.reshape(a, (-1,))) + theta["c"]
    return output_loss(case.output_activation, case.loss, z, y)


def spec_text(case: Case) -> str:
    layers: list[dict[str, Any]] = []
    for conv in case.convs:
        kind = "conv2d" if len(case.shape) == 3 else "conv1d"
        layers.append({"kind": kind, "filters": conv.filters, "kernel": list(conv.kernel),
                       "stride": list(conv.stride), "padding": list(conv.padding),
                       "activation": conv.activation})
    layers.append({"units": case.outputs, "activation": case.output_activation})
    return yaml.safe_dump({"inputs": {"shape": list(case.shape)}, "layers": layers,
                           "loss": case.loss})


def named(case: Case, theta: dict[str, np.ndarray]) -> dict[str, float]:
    """The arrays' entries under the documented default names, indices from 1."""
    out: dict[str, float] = {}
    for name, array in theta.items():
        layer = int(name[1:]) if name[0] in "wb" else len(case.convs) + 1
        head = {"w": "w", "b": "b", "V": "w", "c": "b"}[name[0]]
        for at in product(*(range(n) for n in array.shape)):
            out[f"{head}_{layer}_" + "_".join(str(i + 1) for i in at)] = float(array[at])
    return out


def arrays(case: Case, rng: np.random.Generator) -> dict[str, np.ndarray]:
    shapes = _shapes(case)
    theta: dict[str, np.ndarray] = {}
    for k, conv in enumerate(case.convs, start=1):
        theta[f"w{k}"] = rng.uniform(-1, 1, (conv.filters, shapes[k - 1][0], *conv.kernel))
        theta[f"b{k}"] = rng.uniform(-1, 1, conv.filters)
    theta["V"] = rng.uniform(-1, 1, (case.outputs, int(np.prod(shapes[-1]))))
    theta["c"] = rng.uniform(-1, 1, case.outputs)
    return theta


@st.composite
def cases(draw: st.DrawFn) -> Case:
    dims = draw(st.sampled_from((1, 2)))
    shape = (draw(st.integers(1, 2)), *(draw(st.integers(2, 5)) for _ in range(dims)))
    convs = []
    src = shape
    for _ in range(draw(st.integers(1, 2))):
        kernel = tuple(draw(st.integers(1, min(3, n + 1))) for n in src[1:])
        padding = tuple(draw(st.integers(0, k - 1)) for k in kernel)
        stride = tuple(draw(st.integers(1, 2)) for _ in kernel)
        conv = Conv(draw(st.integers(1, 2)), kernel, stride, padding,
                    draw(st.sampled_from(ACTIVATIONS)))
        assume(all(k <= n + 2 * p for k, n, p in zip(kernel, src[1:], padding, strict=True)))
        convs.append(conv)
        src = _shapes(Case(src, (conv,), 1, "linear", "squared_error"))[-1]
    assume(int(np.prod(src)) <= 40)
    loss = draw(st.sampled_from(("squared_error", "binary_cross_entropy", "cross_entropy")))
    outputs = 1 if loss == "binary_cross_entropy" else draw(st.integers(1, 2))
    output_activation = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(
        loss) or draw(st.sampled_from(("linear", "tanh", "sigmoid")))
    if loss == "cross_entropy" and outputs == 1:
        outputs = 2
    return Case(shape, tuple(convs), outputs, output_activation, loss)


def _kink_distance(case: Case, theta: dict[str, np.ndarray], x: np.ndarray) -> float:
    """The smallest |z| of a relu or leaky_relu convolution unit."""
    best = float("inf")
    a = x
    for k, conv in enumerate(case.convs, start=1):
        z = cross_correlate(a, theta[f"w{k}"], theta[f"b{k}"], conv.stride, conv.padding)
        if conv.activation in ("relu", "leaky_relu"):
            best = min(best, float(np.min(np.abs(z))))
        a = activation(conv.activation, z)
    return best


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(case=cases(), seed=st.integers(0, 2**32 - 1))
def test_conv_gradients_equal_autograd_on_array_code(case: Case, seed: int,
                                                     tmp_path_factory: pytest.TempPathFactory
                                                     ) -> None:
    path = tmp_path_factory.mktemp("conv") / "net.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    try:
        spec = load_spec(path)
    except SpecError as error:  # a kernel position that never meets the input is refused
        assume("never meets" not in error.message)
        raise
    rng = np.random.default_rng(seed)
    theta = arrays(case, rng)
    x = rng.uniform(-2, 2, case.shape)
    assume(_kink_distance(case, theta, x) > 1e-6)
    y = rng.dirichlet(np.ones(case.outputs)) if case.loss == "cross_entropy" \
        else rng.uniform(0.05, 0.95, case.outputs)
    params = named(case, theta)
    assert set(params) == {p.name for p in spec.params}
    inputs = {"x_" + "_".join(str(i + 1) for i in at): float(x[at])
              for at in product(*(range(n) for n in case.shape))}
    assert set(inputs) == {i.name for i in spec.inputs}
    targets = {o: float(t) for o, t in zip(spec.outputs, y, strict=True)}

    expected_loss = float(reference_loss(case, theta, x, y))
    expected = named(case, grad(lambda t: reference_loss(case, t, x, y))(theta))
    net, grads = agrees_with_reference(spec, params, inputs, targets, expected_loss, expected)
    # the printed sum over positions is the derivation's δ-form gradient, term for term
    forms = IndexForms(spec)
    for p in net.params:
        form = forms.of(p.name)
        if p.name.startswith(f"w_{len(case.convs) + 1}_") or p.name.startswith(
                f"b_{len(case.convs) + 1}_"):
            assert form is None  # a dense weight has no index form
            continue
        assert form is not None, p.name
        source = net.source_out
        printed = sp.Add(*[net.unit_by_name[u].delta * (source[s] if s is not None else 1)
                           for u, s in form.terms])
        assert printed == grads.gradient(p), (p.name, form.text)


def test_the_reference_is_cs231n_cross_correlation() -> None:
    """A hand-computed 1×3×3 input, one 2×2 kernel, stride 1, padding 1 (CS231n's layout)."""
    x = np.arange(1.0, 10.0).reshape(1, 3, 3)
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    out = cross_correlate(x, w, np.array([0.5]), (1, 1), (1, 1))
    # corner (1, 1): only x[0,0]·w[1,1] = 1·4; centre-left (2, 2): 1·1 + 2·2 + 4·3 + 5·4
    assert out.shape == (1, 4, 4)
    assert out[0, 0, 0] == 4.5
    assert out[0, 1, 1] == 1 + 4 + 12 + 20 + 0.5
    assert out[0, 3, 3] == 9 * 1 + 0.5


def test_a_wrong_kernel_layout_is_caught(tmp_path: Path) -> None:
    """The comparison can fail: a reference that flips the kernel (true convolution)
    disagrees with the package on a 2×2 kernel."""
    case = Case((1, 3, 3), (Conv(1, (2, 2), (1, 1), (0, 0), "tanh"),), 1, "linear",
                "squared_error")
    path = tmp_path / "net.yaml"
    path.write_text(spec_text(case), encoding="utf-8")
    spec = load_spec(path)
    rng = np.random.default_rng(0)
    theta = arrays(case, rng)
    flipped = dict(theta, w1=theta["w1"][:, :, ::-1, ::-1].copy())
    x = rng.uniform(-2, 2, case.shape)
    inputs = {f"x_1_{i + 1}_{j + 1}": float(x[0, i, j]) for i in range(3) for j in range(3)}
    net = build_network(spec)
    run = tool_runs(net, derive(net), named(case, flipped), [(inputs, {"u2_1": 0.3})])[0]
    assert not close(run.loss, float(reference_loss(case, theta, x, np.array([0.3]))))



def test_the_index_form_prints_the_lecture_sum(tmp_path: Path) -> None:
    """∂L/∂w^{[1]}_{f,c,m,n} = Σ_{i,j} δ^{[1]}_{f,i,j} x_{c, s(i−1)+m−p, s(j−1)+n−p}, with
    the ranges cut where padding is read."""
    path = tmp_path / "net.yaml"
    path.write_text(spec_text(Case((1, 4, 4), (Conv(1, (3, 3), (2, 2), (1, 1), "tanh"),), 1,
                                   "linear", "squared_error")), encoding="utf-8")
    forms = IndexForms(load_spec(path))
    # m = n = 1 reads row 2(i − 1) + 1 − 1 = 2i − 2, inside only for i = 2
    first = forms.of("w_1_1_1_1_1")
    assert first is not None and first.latex == r"\delta^{[1]}_{1,2,2} x_{1,2,2}"
    centre = forms.of("w_1_1_1_2_3")
    assert centre is not None
    # m = 2 reads row 2i − 1 (1 and 3), n = 3 reads column 2j (2 and 4)
    assert centre.latex == r"\sum_{i=1}^{2}\sum_{j=1}^{2} \delta^{[1]}_{1,i,j} x_{1,2i-1,2j}"
    edge = forms.of("w_1_1_1_1_3")
    assert edge is not None and edge.latex == r"\sum_{j=1}^{2} \delta^{[1]}_{1,2,j} x_{1,2,2j}"
    bias = forms.of("b_1_1")
    assert bias is not None and bias.text == "Σ_{i=1}^{2} Σ_{j=1}^{2} δ^{[1]}_{1,i,j}"


def test_a_flipped_index_map_is_not_the_gradient(tmp_path: Path) -> None:
    """The term-for-term comparison can fail: the kernel flipped (m → k + 1 − m) names other
    sources."""
    path = tmp_path / "net.yaml"
    path.write_text(spec_text(Case((1, 3, 3), (Conv(1, (2, 2), (1, 1), (0, 0), "tanh"),), 1,
                                   "linear", "squared_error")), encoding="utf-8")
    spec = load_spec(path)
    net = build_network(spec)
    grads = derive(net)
    form = IndexForms(spec).of("w_1_1_1_2_2")
    assert form is not None
    # true sources x_{1,i+1,j+1}; the flipped kernel's tap (1, 1) reads x_{1,i,j}
    flipped = [(u, "x_1_" + "_".join(str(int(k) - 1) for k in s.split("_")[2:]))
               for u, s in form.terms if s]
    source = net.source_out
    wrong = sp.Add(*[net.unit_by_name[u].delta * source[s] for u, s in flipped])
    assert wrong != grads.gradient(net.symbol_by_name["w_1_1_1_2_2"])
