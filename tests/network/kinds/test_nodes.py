"""Formula nodes: every gradient of written and generated specs of nodes against autograd
(tests/oracle.py evaluates the formula trees itself), gradcheck's high-precision central
differences, and the cost of the derivation (one term per use, linear in the formulas)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from oracle import closed_form_gradients, delta_form_gradients, mismatches, oracle

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.gradient_check import gradcheck
from symbackprop.numeric.lambdified import compile_network
from symbackprop.spec.load import Example, NetworkSpec, Values, load_spec

WRITTEN = {
    "products and quotients": (
        ["x1", "x2"], ["m", "c", "k"],
        {"h": "m*x1*x2", "g": "h/(1 + c*c) - x2/k", "y": "g*m*h"}, {"y": "t"},
        "(t - y)^2"),
    "powers": (
        ["x"], ["m", "c"],
        {"h": "(m*x)^3 + c^2", "y": "h^(1/2) * x^c"}, {"y": "t"}, "(y - t)^2/2"),
    "exp, log, tanh, sigmoid, softplus": (
        ["x"], ["m", "c"],
        {"h1": "sigmoid(m*x + c)", "h2": "tanh(m*h1)",
         "y": "log(1 + exp(h2)) + softplus(c*x)"}, {"y": "t"}, "(t - y)^2"),
    "shared parameters": (
        ["x"], ["m", "c"],
        {"h1": "m*x", "h2": "m*h1 + c", "y": "h1*h2*m", "z": "c*h2 - h1"}, {"y": "t", "z": "s"},
        "(t - y)^2 + 3*(s - z)^2"),
    "cross-entropy of a sigmoid": (
        ["x1", "x2"], ["w1", "w2", "b"],
        {"p": "sigmoid(w1*x1 + w2*x2 + b)"}, {"p": "t"},
        "-(t*log(p) + (1 - t)*log(1 - p))"),
}


def _write(tmp_path: Path, inputs: list[str], params: list[str], nodes: dict[str, str],
           targets: dict[str, str], loss: str) -> NetworkSpec:
    lines = [f"inputs: [{', '.join(inputs)}]", f"params: [{', '.join(params)}]", "nodes:"]
    lines += [f'  {name}: "{text}"' for name, text in nodes.items()]
    lines += ["targets: {" + ", ".join(f"{n}: {t}" for n, t in targets.items()) + "}",
              f'loss: "{loss}"']
    path = tmp_path / "nodes.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_spec(path)


def _agrees(spec: NetworkSpec, seed: int) -> None:
    """At a seeded point: compiled, δ-form and closed-form gradients equal autograd's, and
    gradcheck's 40-digit central differences agree."""
    rng = np.random.default_rng(seed)
    params = {p.name: float(rng.uniform(0.5, 1.5)) for p in spec.params}
    inputs = {i.name: float(rng.uniform(0.5, 2.0)) for i in spec.inputs}
    targets = {o: float(rng.uniform(0.1, 0.9)) for o in spec.outputs}
    expected = oracle(spec, params, [(inputs, targets)])
    net = build_network(spec)
    grads = derive(net)
    run = compile_network(net, grads).run(params, inputs, targets)
    assert abs(float(run.loss) - expected.loss) <= 1e-9 * max(1.0, abs(expected.loss))
    for found in ({k: float(v) for k, v in run.gradients.items()},
                  delta_form_gradients(net, grads, params, inputs, targets),
                  closed_form_gradients(net, grads, params, inputs, targets)):
        bad = mismatches(found, expected.gradients)
        assert not bad, "; ".join(bad)
    report = gradcheck(net, grads, Values(params=params, examples=(Example(inputs, targets),)))
    assert report.ok, [r.name for r in report.parameters if not r.ok]


@pytest.mark.parametrize("case", list(WRITTEN))
@pytest.mark.parametrize("seed", [0, 1])
def test_every_gradient_of_a_written_spec_agrees_with_autograd(tmp_path: Path, case: str,
                                                               seed: int) -> None:
    _agrees(_write(tmp_path, *WRITTEN[case]), seed)


def _random_formula(rng: np.random.Generator, names: list[str], depth: int) -> str:
    """A random expression of ``names`` that is defined at positive values of them: the
    arguments of log and the divisors are 1 + a square."""
    if depth == 0 or rng.random() < 0.25:
        return str(rng.choice(names)) if rng.random() < 0.85 else str(rng.integers(2, 5))
    a = _random_formula(rng, names, depth - 1)
    b = _random_formula(rng, names, depth - 1)
    shape = rng.integers(0, 9)
    return [f"({a} + {b})", f"({a} - {b})", f"({a})*({b})", f"({a})/(1 + ({b})^2)",
            f"({a})^2", f"exp(tanh({a}))", f"log(1 + ({a})^2)", f"tanh({a})",
            f"sigmoid({a})*({b})"][shape]


@pytest.mark.parametrize("seed", range(8))
def test_every_gradient_of_a_generated_spec_agrees_with_autograd(tmp_path: Path,
                                                                 seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    inputs, params = ["x1", "x2"], ["m", "c", "k"]
    nodes: dict[str, str] = {}
    for k in range(1, 4):
        # every node reads the one before it and the shared parameters
        names = [*inputs, *params, *nodes]
        body = _random_formula(rng, names, 3)
        previous = f" + {list(nodes)[-1]}" if nodes else ""
        nodes[f"h{k}"] = f"{body}{previous} + m*c"
    nodes["y"] = f"k*h3 + {_random_formula(rng, ['h3', 'x1', 'c'], 2)}"
    spec = _write(tmp_path, inputs, params, nodes, {"y": "t"}, "(t - y)^2")
    _agrees(spec, seed)


def test_the_bundled_line_has_the_seeds_local_derivatives() -> None:
    net = build_network(load_spec("specs/seed-001-mx-plus-c.yaml"))
    m, c, x = (net.symbol_by_name[n] for n in ("m", "c", "x"))
    (y,) = net.units
    # ∂y/∂m = x and ∂y/∂c = 1, as the seed's computation graph finds them
    assert dict(y.uses) == {m: x, c: 1}
    assert y.incoming == (("x", m),)


def test_the_derivation_has_one_term_per_use_along_a_deep_chain(tmp_path: Path) -> None:
    """A chain of 300 nodes that all use m: ∂L/∂m in δ-form has one term per node, and each
    δ recurrence one term per child, so the derivation grows linearly with the formulas."""
    nodes = {"h1": "tanh(m*x)"} | {f"h{k}": f"tanh(m*h{k - 1} + c)" for k in range(2, 301)}
    spec = _write(tmp_path, ["x"], ["m", "c"], nodes, {"h300": "t"}, "(t - h300)^2")
    net = build_network(spec)
    grads = derive(net)
    m = net.symbol_by_name["m"]
    gradient = grads.gradient(m)
    assert len(gradient.args) == 300
    # δ_{h_k} = δ_{h_(k+1)}·m·(1 − h_(k+1)²): the same few symbols at every depth
    sizes = {sp.count_ops(grads.recurrence(f"h{k}")) for k in range(1, 300)}
    assert sizes == {4}, sizes
