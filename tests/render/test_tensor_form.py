"""The tensor form of convolution, pooling and recurrent networks: its equations hold.

Every printed row is evaluated with NumPy (``tests/tensor_numpy.py``, each operation written
again from its definition) from the inputs, parameters and targets alone, and the gradients it
ends with are compared with autograd's (``tests/oracle.py``) and with the package's own
compiled gradients, on the bundled specs and on generated shapes (channels, strides, padding,
max and average pooling). Mutants of the printed equations (rot180 dropped, a transpose
dropped, the dilation dropped) fail the same comparison.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp
import yaml
from oracle import close, oracle, tool_runs
from paths import SPECS
from tensor_numpy import Evaluator

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.render import tensor_nodes as tn
from symbackprop.render.printing import Partial
from symbackprop.render.tensor import TensorForm, tensor_form
from symbackprop.spec.load import load_spec

TENSOR_SPECS = ("conv2d-3x3", "conv-pool", "rnn-bptt")


def _ints(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split("_")[1:] if p.isdigit())


def slots(spec: Any) -> dict[str, tuple[sp.Basic, tuple[int, ...], tuple[int, ...]]]:
    """Every parameter's place: (tensor name, index from 0, tensor shape), by the documented
    default names (w_l_f_c_m_n, b_l_f, w_l_j_k, b_l_j; U_i_j, W_i_j, V_k_i, b_i, c_k)."""
    out: dict[str, tuple[sp.Basic, tuple[int, ...], tuple[int, ...]]] = {}
    if spec.layers[0].recurrent is not None:
        gh, go = spec.layers[0].recurrent, spec.layers[1].recurrent
        shapes = {"U": ("hidden_input_weight", (gh.size, gh.inputs)),
                  "W": ("hidden_recurrent_weight", (gh.size, gh.size)),
                  "b": ("hidden_bias", (gh.size, 1)), "V": ("output_weight", (go.size, gh.size)),
                  "c": ("output_bias", (go.size, 1))}
        for p in spec.params:
            key, shape = shapes[p.name.split("_")[0]]
            index = tuple(i - 1 for i in _ints(p.name))
            out[p.name] = (sp.Symbol(key), index if len(index) == 2 else (index[0], 0), shape)
        return out
    for pos, lay in enumerate(spec.layers, start=1):
        if lay.pool is not None:
            continue
        for p in spec.params:
            head, number, *rest = p.name.split("_")
            if int(number) != lay.number:
                continue
            index = tuple(int(r) - 1 for r in rest)
            if lay.conv is not None:
                g = lay.conv
                shape = (g.filters, g.source[0], *g.kernel) if head == "w" else (g.filters,)
            else:
                before = spec.layers[pos - 2].units if pos > 1 else spec.inputs
                shape = (len(lay.units), len(before)) if head == "w" else (len(lay.units), 1)
                index = index if head == "w" else (index[0], 0)
            out[p.name] = (sp.Symbol(f"{'W' if head == 'w' else 'b'}{pos}"), index, shape)
    return out


def environment(spec: Any, params: dict[str, float], inputs: dict[str, float],
                targets: dict[str, float]) -> dict[Any, Any]:
    """Inputs, parameters and targets as the tensors the form names (and h^{(0)} = 0)."""
    env: dict[Any, Any] = {}
    for name, (key, index, shape) in slots(spec).items():
        env.setdefault(key, np.zeros(shape))[index] = params[name]
    out = spec.layers[-1]
    if spec.layers[0].recurrent is not None:
        gh = spec.layers[0].recurrent
        h, x, y = (sp.Symbol(k) for k in ("hidden_activation", "hidden_input", "output_target"))
        env[tn.Step(h, sp.Integer(0))] = np.zeros((gh.size, 1))
        for t in range(1, gh.steps + 1):
            env[tn.Step(x, sp.Integer(t))] = np.array(
                [[inputs[f"x_{t}_{j}"]] for j in range(1, gh.inputs + 1)])
            env[tn.Step(y, sp.Integer(t))] = np.array(
                [[targets[u]] for u in out.units if _ints(u)[-2] == t])
        return env
    shape = (spec.layers[0].conv or spec.layers[0].pool).source
    env[sp.Symbol("A0")] = np.array([inputs[i.name] for i in spec.inputs]).reshape(shape)
    env[sp.Symbol("Y")] = np.array([[targets[u]] for u in out.units])
    return env


def tensor_gradients(form: TensorForm, spec: Any, params: dict[str, float],
                     inputs: dict[str, float], targets: dict[str, float]) -> dict[str, float]:
    """Every parameter's gradient as the printed tensor equations give it."""
    env = Evaluator(environment(spec, params, inputs, targets)).run(form)
    loss = sp.Symbol("L")
    return {name: float(env[Partial(loss, key)][index])
            for name, (key, index, _shape) in slots(spec).items()}


def mismatched(actual: dict[str, float], expected: dict[str, float]) -> list[str]:
    return [f"{n}: {actual[n]} != {expected[n]}" for n in expected
            if not close(actual[n], expected[n], rel=1e-9, floor=1e-12)]


def agrees(spec: Any, form: TensorForm, params: dict[str, float], inputs: dict[str, float],
           targets: dict[str, float]) -> list[str]:
    """What differs between the tensor form's gradients, autograd's and the package's."""
    mine = tensor_gradients(form, spec, params, inputs, targets)
    reference = oracle(spec, params, [(inputs, targets)]).gradients
    net = build_network(spec)
    tool = tool_runs(net, derive(net), params, [(inputs, targets)])[0].gradients
    return mismatched(mine, reference) + mismatched(tool, reference)


def form_of(spec: Any) -> TensorForm:
    net = build_network(spec)
    form = tensor_form(net, derive(net))
    assert form is not None and form.applies, form and form.reason
    return form


@pytest.mark.parametrize("name", TENSOR_SPECS)
def test_the_bundled_specs_tensor_equations_give_autograds_gradients(name: str) -> None:
    spec = load_spec(SPECS / f"{name}.yaml")
    example = spec.values.examples[0]
    params = {k: float(v) for k, v in spec.values.params.items()}
    assert not agrees(spec, form_of(spec), params, dict(example.inputs),
                      dict(example.targets))


# ----------------------------------------------------------------------------- generated


def _conv(filters: int, kernel: int, stride: int, padding: int, act: str) -> dict[str, Any]:
    return {"name": f"conv{filters}{kernel}{stride}{padding}", "kind": "conv2d",
            "filters": filters, "kernel": kernel, "stride": stride, "padding": padding,
            "activation": act}


GENERATED = {
    # two convolutions: δ back through a conv2d with stride 2 and padding 1 (dil, crop, rot180)
    "conv-stride-pad": ([2, 5, 5], [_conv(2, 3, 2, 1, "tanh"),
                                    {**_conv(3, 2, 1, 1, "sigmoid"), "name": "second"}]),
    "conv-conv-channels": ([3, 4, 5], [_conv(2, 2, 1, 0, "softplus"),
                                       {**_conv(2, 2, 1, 1, "leaky_relu"), "name": "second"}]),
    "conv-stride-2": ([1, 6, 6], [_conv(2, 3, 1, 0, "tanh"),
                                  {**_conv(1, 2, 2, 0, "sigmoid"), "name": "second"}]),
    "maxpool-tiled": ([2, 5, 5], [_conv(2, 2, 1, 0, "tanh"),
                                  {"name": "pool", "kind": "max_pool", "kernel": 2, "stride": 2}]),
    "maxpool-overlap": ([1, 5, 5], [_conv(2, 2, 1, 0, "sigmoid"),
                                    {"name": "pool", "kind": "max_pool", "kernel": 2,
                                     "stride": 1}]),
    "avgpool-tiled": ([2, 5, 5], [_conv(1, 2, 1, 0, "tanh"),
                                  {"name": "pool", "kind": "avg_pool", "kernel": 2,
                                   "stride": 2}]),
    "avgpool-first": ([2, 4, 4], [{"name": "pool", "kind": "avg_pool", "kernel": 2,
                                   "stride": 2}]),
    "avgpool-overlap": ([1, 5, 5], [_conv(2, 2, 1, 1, "tanh"),
                                    {"name": "pool", "kind": "avg_pool", "kernel": 3,
                                     "stride": 1}]),
    "conv-squared-error": ([1, 4, 4], [_conv(2, 2, 2, 0, "relu")]),
    "pool-then-conv": ([2, 6, 6], [{"name": "pool", "kind": "max_pool", "kernel": 2,
                                    "stride": 2},
                                   _conv(2, 2, 1, 0, "tanh")]),
}


# the output layer and loss where not a sigmoid with binary cross-entropy
OUTPUTS: dict[str, tuple[str, Any]] = {
    "conv-squared-error": ("tanh", {"kind": "squared_error", "reduction": "mean"}),
}


def generated(tmp_path: Path, key: str, seed: int = 0) -> tuple[Any, dict[str, float],
                                                                 dict[str, float],
                                                                 dict[str, float]]:
    shape, layers = GENERATED[key]
    activation, loss = OUTPUTS.get(key, ("sigmoid", "binary_cross_entropy"))
    text = yaml.safe_dump({
        "title": key, "inputs": {"shape": shape},
        "layers": [*layers, {"name": "output", "units": 2, "activation": activation}],
        "loss": loss})
    path = tmp_path / f"{key}.yaml"
    path.write_text(text, encoding="utf-8")
    spec = load_spec(path)
    rng = random.Random(seed)
    params = {p.name: rng.uniform(-0.8, 0.8) for p in spec.params}
    inputs = {i.name: rng.uniform(-1, 1) for i in spec.inputs}
    targets = {u: float(rng.random() < 0.5) for u in spec.layers[-1].units}
    return spec, params, inputs, targets


@pytest.mark.parametrize("key", sorted(GENERATED))
def test_generated_shapes_tensor_equations_give_autograds_gradients(tmp_path: Path,
                                                                    key: str) -> None:
    spec, params, inputs, targets = generated(tmp_path, key)
    assert not agrees(spec, form_of(spec), params, inputs, targets)


def _drawn(seed: int) -> tuple[list[int], list[dict[str, Any]]]:
    """Two convolutions with drawn channels, kernels, strides and paddings whose strides
    tile their padded sources (so the tensor form applies), and maybe a pooling layer."""
    rng = random.Random(seed)
    while True:
        size = rng.randint(4, 7)
        shape = [rng.randint(1, 3), size, size + rng.randint(0, 1)]
        layers: list[dict[str, Any]] = []
        source = shape
        for n in range(2):
            k, s = rng.randint(1, 3), rng.randint(1, 2)
            p = rng.randint(0, k - 1)
            conv = {**_conv(rng.randint(1, 3), k, s, p,
                            rng.choice(["tanh", "sigmoid", "softplus", "linear"])),
                    "name": f"conv{n}"}
            if any((d + 2 * p - k) % s or k > d + 2 * p for d in source[1:]):
                break
            layers.append(conv)
            source = [conv["filters"], *((d + 2 * p - k) // s + 1 for d in source[1:])]
        else:
            if rng.random() < 0.5 and min(source[1:]) >= 2:
                layers.append({"name": "pool", "kind": rng.choice(["max_pool", "avg_pool"]),
                               "kernel": 2, "stride": rng.randint(1, 2)})
            return shape, layers


@pytest.mark.parametrize("seed", range(6))
def test_drawn_shapes_tensor_equations_give_autograds_gradients(tmp_path: Path,
                                                                seed: int) -> None:
    key = f"drawn-{seed}"
    GENERATED[key] = _drawn(seed)
    try:
        spec, params, inputs, targets = generated(tmp_path, key, seed)
    finally:
        del GENERATED[key]
    assert not agrees(spec, form_of(spec), params, inputs, targets)


def test_a_stride_that_leaves_rows_unread_gives_the_reason(tmp_path: Path) -> None:
    GENERATED["leftover"] = ([1, 5, 5], [_conv(2, 3, 1, 0, "tanh"),
                                         {**_conv(1, 2, 2, 0, "sigmoid"), "name": "second"}])
    try:
        spec = generated(tmp_path, "leftover")[0]
    finally:
        del GENERATED["leftover"]
    form = tensor_form(build_network(spec))
    assert form is not None and not form.applies
    assert 'the stride of the layer "second" leaves rows' in form.reason
    assert form.text_lines()[0].startswith("Tensor form: does not apply (the stride")


RECURRENT = {
    "sigmoid-squared-mean": ("sigmoid", "linear", {"kind": "squared_error",
                                                   "reduction": "mean"}),
    "relu-binary-cross-entropy": ("relu", "sigmoid", "binary_cross_entropy"),
    "tanh-softmax": ("tanh", "softmax", "cross_entropy"),
    "linear-tanh-squared": ("linear", "tanh", "squared_error"),
}


@pytest.mark.parametrize("key", sorted(RECURRENT))
def test_generated_recurrent_tensor_equations_give_autograds_gradients(tmp_path: Path,
                                                                       key: str) -> None:
    hidden, output, loss = RECURRENT[key]
    path = tmp_path / "rnn.yaml"
    path.write_text(yaml.safe_dump({
        "title": key, "inputs": {"size": 3, "steps": 4},
        "layers": [{"name": "hidden", "kind": "recurrent", "size": 2, "activation": hidden},
                   {"name": "output", "size": 3, "activation": output}],
        "loss": loss}), encoding="utf-8")
    spec = load_spec(path)
    rng = random.Random(1)
    params = {p.name: rng.uniform(-0.9, 0.9) for p in spec.params}
    inputs = {i.name: rng.uniform(-1, 1) for i in spec.inputs}
    hot = {t: rng.randrange(3) for t in range(1, 5)}
    targets = {u: (float(_ints(u)[-1] - 1 == hot[_ints(u)[-2]]) if output == "softmax"
                   else rng.uniform(0.1, 0.9)) for u in spec.layers[-1].units}
    assert not agrees(spec, form_of(spec), params, inputs, targets)


# ----------------------------------------------------------------------------- mutants


def mutated(form: TensorForm, kind: type, replace: Any) -> TensorForm:
    """The form with every ``kind`` node replaced by ``replace(node)``."""
    sections = []
    changed = False
    for title, rows in form.sections:
        new_rows = []
        for row in rows:
            rhs = row.rhs.replace(lambda e: isinstance(e, kind), replace)
            changed |= rhs != row.rhs
            new_rows.append(type(row)(**{**row.__dict__, "rhs": rhs}))
        sections.append((title, new_rows))
    assert changed, f"no {kind.__name__} to mutate"
    return TensorForm(True, "", sections, form.names, form.network, form.words,
                      form.title_names)


MUTANTS = [
    ("conv-stride-pad", tn.Rot180, lambda e: e.args[0]),
    ("conv-conv-channels", tn.Rot180, lambda e: e.args[0]),
    ("conv-stride-pad", tn.Transpose, lambda e: e.args[0]),
    ("conv-stride-pad", tn.Crop, lambda e: tn.Crop(e.args[0], 0)),
    ("maxpool-overlap", tn.Mask, lambda e: tn.Window(e.args[0], sp.Tuple(2, 4, 4),
                                                     *e.args[2:])),
    ("avgpool-tiled", tn.Upsample, lambda e: tn.Upsample(e.args[0], 1, 4)),
    ("maxpool-tiled", tn.Mask, lambda e: tn.Window(e.args[0], sp.Tuple(2, 4, 4),
                                                   *e.args[2:], 1, 1, 1)),
]


@pytest.mark.parametrize(("key", "kind", "replace"), MUTANTS)
def test_a_wrong_tensor_equation_fails_the_comparison(tmp_path: Path, key: str, kind: type,
                                                      replace: Any) -> None:
    spec, params, inputs, targets = generated(tmp_path, key)
    bad = mutated(form_of(spec), kind, replace)
    try:
        wrong = agrees(spec, bad, params, inputs, targets)
    except (ValueError, AssertionError, IndexError):
        return  # shapes that no longer fit: as wrong as wrong numbers
    assert wrong


def test_a_dropped_transpose_in_bptt_fails_the_comparison() -> None:
    spec = load_spec(SPECS / "rnn-bptt.yaml")
    example = spec.values.examples[0]
    params = {k: float(v) for k, v in spec.values.params.items()}
    bad = mutated(form_of(spec), tn.Transpose,
                  lambda e: e.args[0] if e.args[0] == sp.Symbol("hidden_recurrent_weight")
                  else e)
    assert agrees(spec, bad, params, dict(example.inputs), dict(example.targets))


def test_an_output_whose_delta_is_not_a_scaled_error_gives_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "ce.yaml"
    path.write_text(yaml.safe_dump({
        "title": "sigmoid outputs with cross-entropy", "inputs": {"shape": [1, 3, 3]},
        "layers": [_conv(1, 2, 1, 0, "tanh"),
                   {"name": "output", "units": 2, "activation": "sigmoid"}],
        "loss": "cross_entropy"}), encoding="utf-8")
    form = tensor_form(build_network(load_spec(path)))
    assert form is not None and not form.applies
    assert "cross entropy at a sigmoid output is not (a − y) times a constant" in form.reason
