"""The δ-form gradients: equal to the chain form symbolically, and to autograd numerically."""

from __future__ import annotations

from pathlib import Path

import autograd.numpy as anp
import numpy as np
import pytest
import sympy as sp
from autograd import grad
from layered_specs import random_layered, write_spec
from paths import SPECS as SPEC_DIR

from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import Gradients, derive
from symbackprop.numeric.evaluation import _mean_pass
from symbackprop.numeric.lambdified import compile_network
from symbackprop.numeric.points import random_values
from symbackprop.numeric.vectorized import vectorize
from symbackprop.spec.load import load_spec

SMALL = [p for p in sorted(SPEC_DIR.glob("*.yaml"))
         if len(load_spec(p).params) <= 12]


def _delta_substituted(net: Network, grads: Gradients, expr: sp.Expr) -> sp.Expr:
    """``expr`` with every δ symbol replaced by its recurrence until none is left."""
    recurrences = {u.delta: grads.deltas[u.name] for u in net.units}
    for _ in range(len(net.units) + 1):
        if not expr.free_symbols & set(recurrences):
            return expr
        expr = expr.xreplace(recurrences)
    raise AssertionError("δ recurrences do not terminate")


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.stem)
def test_delta_form_equals_chain_form_symbolically(path: Path) -> None:
    net = build_network(load_spec(path))
    grads = derive(net)
    for p in net.params:
        chain = net.substitute(grads.derivation(p).closed)
        delta = net.substitute(_delta_substituted(net, grads, grads.gradient(p)))
        assert sp.expand(chain - delta) == 0, p.name


def test_delta_form_has_the_textbook_shape(tmp_path: Path) -> None:
    """∂E/∂w_jk = δ_j a_k and ∂E/∂b_j = δ_j; a shared bias sums its units' δ."""
    net = build_network(load_spec(SPEC_DIR / "seed-004-mazur-2-2-2.yaml"))
    grads = derive(net)
    by = net.symbol_by_name
    h1, o2 = net.unit_by_name["h1"], net.unit_by_name["o2"]
    assert grads.gradient(by["w7"]) == o2.delta * h1.out
    assert grads.gradient(by["b1"]) == h1.delta + net.unit_by_name["h2"].delta
    wide = build_network(load_spec(write_spec(tmp_path, "w", 3, [(4, "tanh"), (2, "sigmoid")],
                                              "squared_error")))
    wg = derive(wide)
    for u in wide.units:
        assert u.bias is not None and wg.gradient(u.bias) == u.delta
        for source, w in u.incoming:
            assert wg.gradient(w) == u.delta * wide.source_out[source]


def test_delta_form_size_is_linear_in_parameters(tmp_path: Path) -> None:
    """Every gradient of a 784-30-10 net is one δ times one activation (or δ alone)."""
    net = build_network(load_spec(write_spec(tmp_path, "mnist", 784, [(30, "sigmoid"),
                                                                      (10, "sigmoid")],
                                             "squared_error")))
    grads = derive(net)
    assert len(net.params) == 23860
    sizes = {sp.count_ops(grads.gradient(p)) for p in net.params[::97]}
    assert sizes <= {0, 1}
    hidden = net.unit_by_name["u1_1"]
    assert len(grads.consumer_weights[hidden.name]) == 10
    assert sp.count_ops(grads.deltas[hidden.name]) < 40


def _autograd_gradient(net: Network, params: dict[str, float],
                       examples: list[tuple[dict[str, float], dict[str, float]]]
                       ) -> dict[str, float]:
    """An independent forward pass in autograd.numpy, unit by unit from the spec."""
    spec = net.spec
    names = [p.name for p in spec.params]
    acts = {
        "sigmoid": lambda z: 1 / (1 + anp.exp(-z)), "tanh": anp.tanh, "linear": lambda z: z,
        "softplus": lambda z: anp.log(1 + anp.exp(z)),
        "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    }

    def cost(theta: object) -> object:
        value = {n: theta[k] for k, n in enumerate(names)}  # type: ignore[index]
        total = 0.0
        for inputs, targets in examples:
            out: dict[str, object] = dict(inputs)
            for lay in spec.layers:
                zs = {}
                for unit in lay.units:
                    z = sum(value[e.weight] * out[e.source] for e in spec.edges
                            if e.target == unit)
                    z = z + sum(value[b] for u, b in spec.biases if u == unit)
                    zs[unit] = z
                if lay.activation.kind == "softmax":
                    norm = sum(anp.exp(z) for z in zs.values())
                    out.update({u: anp.exp(z) / norm for u, z in zs.items()})
                else:
                    out.update({u: acts[lay.activation.kind](z) for u, z in zs.items()})
            a = [out[o] for o in spec.outputs]
            t = [targets[o] for o in spec.outputs]
            kind = spec.loss.kind
            if kind == "squared_error":
                loss = 0.5 * sum((ti - ai) ** 2 for ai, ti in zip(a, t, strict=True))
            elif kind == "binary_cross_entropy":
                loss = -sum(ti * anp.log(ai) + (1 - ti) * anp.log(1 - ai)
                            for ai, ti in zip(a, t, strict=True))
            else:
                loss = -sum(ti * anp.log(ai) for ai, ti in zip(a, t, strict=True))
            total = total + loss
        return total / len(examples)

    theta = np.array([params[n] for n in names])
    return dict(zip(names, grad(cost)(theta).tolist(), strict=True))


@pytest.mark.parametrize("seed", range(6))
def test_delta_form_matches_autograd_on_random_layered_nets(tmp_path: Path, seed: int) -> None:
    net = build_network(load_spec(random_layered(tmp_path, seed)))
    grads = derive(net)
    values = random_values(net, seed=seed, examples=2)
    _, delta_form, _ = _mean_pass(compile_network(net, grads), dict(values.params), values)
    examples = [(dict(e.inputs), dict(e.targets)) for e in values.examples]
    expected = _autograd_gradient(net, dict(values.params), examples)
    vec = vectorize(net)
    assert vec is not None
    x = vec.batch([e.inputs for e in values.examples], vec.plan.inputs)
    t = vec.batch([e.targets for e in values.examples], vec.plan.outputs)
    matrix = vec.unpack(vec.run(vec.pack(values.params), x, t).gradient)
    for name, g in expected.items():
        assert delta_form[name] == pytest.approx(g, rel=1e-8, abs=1e-12), name
        assert matrix[name] == pytest.approx(g, rel=1e-8, abs=1e-12), name


@pytest.mark.parametrize(("name", "param", "text", "latex"), [
    # seed 002's own example, ∂C/∂w^2_22 = δ^3_2 a^2_2, as the seed and the chain form write it
    ("seed-002-four-layer", "w_2_22", "delta_3_2·a_2_2", r"\delta^{3}_{2} a^{2}_{2}"),
    ("tanh-regression", "w_2_1_1", "delta_2_1·a_1_1", r"\delta^{[2]}_{1} a^{[1]}_{1}"),
    ("seed-004-mazur-2-2-2", "w5", "delta_o1·out_h1", r"\delta_{o1} \mathrm{out}_{h1}"),
])
def test_each_gradient_is_delta_first_whatever_the_names(name: str, param: str, text: str,
                                                          latex: str) -> None:
    # a_… sorts before delta_…, out_… after it: the order must not follow the alphabet
    from symbackprop.render.derivations import build_document

    net = build_network(load_spec(SPEC_DIR / f"{name}.yaml"))
    grads = derive(net)
    for templates in (True, False):
        doc = build_document(net, grads, form="delta", templates=templates)
        (row,) = next(pd for pd in doc.params if pd.name == param).rows
        assert (row.text, row.latex) == (text, latex), templates
