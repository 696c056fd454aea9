"""The operation graph: one lettered node per operation, and its backward pass.

Seed 001's y = mx + c example and its 1-1-2-1 loss graph are reproduced as the seed shows
them; on every bundled spec and on drawn networks each operation-level gradient equals the
unit-level gradient (the δ-form, with its forward pass from the autograd oracle) and the
oracle itself.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, note, settings
from oracle import built, delta_form_gradients, mismatches, oracle, sympy_number
from paths import SPECS, numeric_specs
from strategies import DrawnNetwork, networks

from symbackprop.errors import SymbackpropError
from symbackprop.network import op_graph as op_graph_module
from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import derive
from symbackprop.network.op_graph import network_op_graph, op_graph
from symbackprop.spec.load import load_spec


def _seed_001() -> Network:
    return build_network(load_spec(SPECS / "seed-001-linear-1-1-2-1.yaml"))


def test_y_equals_mx_plus_c_as_the_seed_derives_it() -> None:
    m, x, c, y = sp.symbols("m x c y")
    g = op_graph(sp.Add(sp.Mul(m, x, evaluate=False), c, evaluate=False), y, [m, x, c])
    steps = {s.node.name: s for s in g.steps}
    assert steps["y"].closed == 1  # ∂y/∂(mx + c) = 1: the root is mx + c itself
    assert steps["c"].closed == 1  # ∂y/∂c = ∂(mx + c)/∂c · ∂y/∂(mx + c) = 1 · 1
    assert steps["a"].closed == 1  # ∂y/∂(mx) = 1, the node mx lettered a
    assert steps["m"].closed == x  # ∂y/∂m = ∂(mx)/∂m · ∂y/∂(mx) = x · 1
    assert steps["x"].closed == m
    assert g.by_symbol[sp.Symbol("a", real=True)].expr == m * x


def test_seed_001_loss_graph_is_lettered_as_the_seed_letters_it() -> None:
    net = _seed_001()
    g = network_op_graph(net)
    letters = [n.name for n in g.nodes if n.expr is not None]
    # a (activation) and b (bias) begin the network's own names, so lettering starts at c
    assert letters == ["L", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"]
    steps = g.steps
    assert steps[0].node.name == "L" and steps[0].closed == 1
    # the seed's step 19 finds ∂L/∂l by the chain rule with one independent variable:
    # l = w^{[1]}_{1,1} x + b^{[1]}_1 feeds both units of layer 2
    assert steps[18].node.name == "l"
    assert [c.name for c, _ in steps[18].terms] == ["j", "k"]
    by_name = {n.name: n for n in g.nodes}
    c, d, y = (sp.Symbol(s, real=True) for s in "cdy")
    assert by_name["L"].expr == c ** 2 and by_name["c"].expr == y - d
    locals_ = {(e.consumer.name, e.child.name): e.local for e in g.edges}
    assert locals_[("L", "c")] == 2 * c and locals_[("c", "d")] == -1
    assert steps[1].closed == 2 * c


def test_the_spec_of_y_equals_mx_plus_c_keeps_y_and_the_seeds_local_derivatives() -> None:
    net = build_network(load_spec(SPECS / "seed-001-mx-plus-c.yaml"))
    g = network_op_graph(net)
    by_name = {n.name: n for n in g.nodes}
    m, x, c, t, y, a, b = (sp.Symbol(s, real=True) for s in "mxctyab")
    # the node the spec names keeps its name: y = b + c with b = m x
    assert by_name["y"].expr == b + c and by_name["b"].expr == m * x
    locals_ = {(e.consumer.name, e.child.name): e.local for e in g.edges}
    assert locals_[("y", "c")] == 1 and locals_[("y", "b")] == 1  # ∂y/∂c = 1
    assert locals_[("b", "m")] == x  # ∂y/∂m = ∂(mx)/∂m · ∂y/∂(mx) = x · 1
    # the loss graph of the seed: L = a², a = (target) − (output)
    assert by_name["L"].expr == a ** 2 and by_name["a"].expr == t - y
    steps = {s.node.name: s for s in g.steps}
    assert steps["m"].closed == -2 * a * x and steps["c"].closed == -2 * a


def test_seed_001_gradients_equal_the_unit_level_gradients_symbolically() -> None:
    net = _seed_001()
    grads = derive(net)
    g = network_op_graph(net)
    for p, op_level in g.gradients(net.params).items():
        unit = net.substitute(grads.derivation(p).closed)
        assert sp.simplify(g.expand(op_level) - unit) == 0, p


def _point(net: Network, rng: random.Random) -> tuple[dict[str, float], dict[str, float],
                                                      dict[str, float]]:
    """The spec's own example where it has one (cross-entropy targets on the simplex), else
    random values."""
    values = net.spec.values
    params = {p.name: float(values.params[p.name]) if p.name in values.params
              else rng.uniform(-1, 1) for p in net.params}
    if values.examples:
        ex = values.examples[0]
        return params, {k: float(v) for k, v in ex.inputs.items()}, \
            {k: float(v) for k, v in ex.targets.items()}
    inputs = {i.name: rng.uniform(-2, 2) for i in net.spec.inputs}
    targets = {u.name: rng.uniform(0.1, 0.9) for u in net.outputs}
    return params, inputs, targets


def _op_level(net: Network, params: dict[str, float], inputs: dict[str, float],
              targets: dict[str, float]) -> dict[str, float]:
    from oracle import point_symbols

    g = network_op_graph(net)
    _, adjoints = g.evaluate(point_symbols(net, params, inputs, targets), 40)
    return {p.name: sympy_number(adjoints.get(p, 0), {}) for p in net.params}


@pytest.mark.parametrize("path", numeric_specs(), ids=lambda p: p.stem)
def test_op_level_gradients_equal_the_unit_level_ones_on_every_bundled_spec(path) -> None:
    net = built(load_spec(path))
    if len(network_op_graph(net).nodes) > 2000:
        pytest.skip("refused at the operation level above its size bound")
    params, inputs, targets = _point(net, random.Random(path.stem))
    op_level = _op_level(net, params, inputs, targets)
    unit = delta_form_gradients(net, derive(net), params, inputs, targets)
    assert not mismatches(op_level, unit)


PROFILE = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                   print_blob=False, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(networks(max_examples=1))
def test_op_level_gradients_equal_unit_level_and_autograd_on_drawn_networks(
        drawn: DrawnNetwork) -> None:
    note(drawn.text)
    net = built(drawn.spec)
    ((inputs, targets),) = drawn.examples
    op_level = _op_level(net, drawn.params, inputs, targets)
    unit = delta_form_gradients(net, derive(net), drawn.params, inputs, targets)
    assert not mismatches(op_level, unit)
    assert not mismatches(op_level, oracle(drawn.spec, drawn.params,
                                           [(inputs, targets)]).gradients)


def test_comparison_catches_a_wrong_local_derivative(monkeypatch) -> None:
    """The equality above can fail: one sign flipped in one local rule is seen."""
    net = built(load_spec(SPECS / "seed-004-mazur-2-2-2.yaml"))
    params, inputs, targets = _point(net, random.Random(0))
    unit = delta_form_gradients(net, derive(net), params, inputs, targets)
    real_diff = sp.diff

    def wrong(expr, sym):  # ∂(a·b)/∂a taken as −b
        out = real_diff(expr, sym)
        return -out if isinstance(expr, sp.Mul) else out

    monkeypatch.setattr(op_graph_module.sp, "diff", wrong)
    assert mismatches(_op_level(net, params, inputs, targets), unit)


def test_a_graph_above_the_size_bound_is_refused_with_the_file_named(monkeypatch) -> None:
    monkeypatch.setattr(op_graph_module, "MAX_OP_NODES", 5)
    with pytest.raises(SymbackpropError) as caught:
        network_op_graph(_seed_001())
    assert caught.value.file is not None and "seed-001" in caught.value.file
    assert caught.value.field == "--level op" and "--level unit" in (caught.value.hint or "")
